import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { API_KEY_REVOKED_CHANNEL } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { ApiKeyResolver, UNHEARD_TTL_MS } from '../src/auth/api-key-resolver';
import { ApiKeyRevocations, revokedApiKeyId } from '../src/auth/api-key-revocations';
import { FakeKeysApi, REDIS_URL, secret, startFakeKeysApi } from './support';

/**
 * The gateway's API key cache and the revocations it hears on Redis: a revoked key is looked
 * up again at once, a lookup under way during a revocation is not cached, and while the
 * subscription is away nothing stays cached long.
 */
describe('API key revocations', () => {
  const signingSecret = secret();
  let keysApi: FakeKeysApi;
  let redis: Redis;
  const started: ApiKeyRevocations[] = [];
  let clock = 1_000_000;

  const newKey = () => {
    const apiKey = `lk_test_${randomBytes(32).toString('base64url')}`;
    const apiKeyId = randomUUID();
    keysApi.keys.set(apiKey, { vendorId: randomUUID(), apiKeyId });
    return { apiKey, apiKeyId };
  };

  async function listening(
    redisUrl = REDIS_URL,
  ): Promise<{ resolver: ApiKeyResolver; revocations: ApiKeyRevocations }> {
    const resolver = new ApiKeyResolver({
      keysInternalUrl: keysApi.url,
      identitySigningSecret: signingSecret,
      positiveTtlMs: 30_000,
      now: () => clock,
    });
    const revocations = new ApiKeyRevocations(redisUrl, resolver);
    started.push(revocations);
    await revocations.start(redisUrl === REDIS_URL ? 5_000 : 200);
    return { resolver, revocations };
  }

  const announce = (apiKeyId: string) =>
    redis.publish(
      API_KEY_REVOKED_CHANNEL,
      JSON.stringify({ apiKeyId, vendorId: randomUUID(), prefix: 'lk_test_abcd' }),
    );

  beforeAll(async () => {
    keysApi = await startFakeKeysApi(signingSecret);
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await Promise.all(started.map((r) => r.stop()));
    redis?.disconnect();
    await keysApi?.stop();
  });

  it('looks a key up again once its revocation is announced, and only that key', async () => {
    const { resolver } = await listening();
    const [a, b] = [newKey(), newKey()];
    const before = keysApi.calls;
    await resolver.resolve(a.apiKey, 'r1');
    await resolver.resolve(b.apiKey, 'r2');
    await resolver.resolve(a.apiKey, 'r3');
    expect(keysApi.calls - before).toBe(2);

    expect(await announce(a.apiKeyId)).toBeGreaterThanOrEqual(1);
    keysApi.keys.delete(a.apiKey);
    // The message travels on its own connection; the next lookup sees it within moments.
    await eventually(async () => (await resolver.resolve(a.apiKey, 'r4')) === null);
    expect(await resolver.resolve(b.apiKey, 'r5')).toEqual(keysApi.keys.get(b.apiKey));
    expect(keysApi.calls - before).toBe(3);
  });

  it('does not keep or share a lookup that was under way when the key was revoked', async () => {
    const { resolver } = await listening();
    const [kept, shared] = [newKey(), newKey()];
    keysApi.delayMs = 300;
    try {
      // The request that came before the revocation gets the answer of its time, not kept.
      const underway = resolver.resolve(kept.apiKey, 'r1');
      await new Promise((r) => setTimeout(r, 100));
      await announce(kept.apiKeyId);
      expect(await underway).not.toBeNull();
      keysApi.keys.delete(kept.apiKey);
      expect(await resolver.resolve(kept.apiKey, 'r2')).toBeNull();

      // A request after the revocation does not join the lookup under way: it asks again.
      const before = resolver.resolve(shared.apiKey, 'r3');
      await new Promise((r) => setTimeout(r, 100));
      await announce(shared.apiKeyId);
      await new Promise((r) => setTimeout(r, 50));
      const calls = keysApi.calls;
      await Promise.all([before, resolver.resolve(shared.apiKey, 'r4')]);
      expect(keysApi.calls).toBe(calls + 1);
    } finally {
      keysApi.delayMs = 0;
    }
  });

  it('drops everything when the subscription is lost, and caches briefly until it is back', async () => {
    const { resolver, revocations } = await listening();
    const key = newKey();
    await resolver.resolve(key.apiKey, 'r1');
    const before = keysApi.calls;
    await resolver.resolve(key.apiKey, 'r2');
    expect(keysApi.calls).toBe(before);

    const clients = await redis.client('LIST');
    const id = /id=(\d+) .*name=(\S+)/.exec(
      String(clients)
        .split('\n')
        .find((l) => l.includes(`name=${revocations.connectionName}`)) ?? '',
    )?.[1];
    expect(id).toBeDefined();
    await redis.client('KILL', 'ID', id!);
    // Lost, then subscribed again: either way the key is looked up anew.
    await eventually(async () => {
      const calls = keysApi.calls;
      await resolver.resolve(key.apiKey, 'r3');
      return keysApi.calls > calls;
    });
    // Back: a revocation is heard again.
    await eventually(async () => {
      await resolver.resolve(key.apiKey, 'r4');
      const calls = keysApi.calls;
      await announce(key.apiKeyId);
      await new Promise((r) => setTimeout(r, 50));
      await resolver.resolve(key.apiKey, 'r5');
      return keysApi.calls === calls + 1;
    });
  });

  it('caches valid keys only briefly while revocations cannot be heard (Redis away)', async () => {
    const { resolver } = await listening('redis://127.0.0.1:1');
    const key = newKey();
    await resolver.resolve(key.apiKey, 'r1');
    const before = keysApi.calls;
    clock += UNHEARD_TTL_MS - 1;
    await resolver.resolve(key.apiKey, 'r2');
    expect(keysApi.calls).toBe(before);
    clock += 2;
    await resolver.resolve(key.apiKey, 'r3');
    expect(keysApi.calls).toBe(before + 1);
  });

  it('reads only well-formed announcements', () => {
    const id = randomUUID();
    expect(revokedApiKeyId(JSON.stringify({ apiKeyId: id }))).toBe(id);
    for (const bad of ['', 'not json', '{}', '{"apiKeyId": 7}', '{"apiKeyId": "x"}', 'null']) {
      expect(revokedApiKeyId(bad)).toBeUndefined();
    }
  });
});
