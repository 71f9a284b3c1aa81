import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testInfrastructure } from '@licensing/testing';
import {
  claimIdempotencyKey,
  createIdempotencyMigration,
  dropDatabase,
  ensureDatabase,
  purgeIdempotencyKeys,
  rows,
  runMigrations,
  serviceDataSourceOptions,
} from '../src';

describe('idempotency keys', () => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    const base = new URL((await testInfrastructure()).postgresUrl);
    base.pathname = `/t_idem_${randomBytes(4).toString('hex')}`;
    url = base.toString();
    await ensureDatabase(url);
    dataSource = await new DataSource(
      serviceDataSourceOptions({
        url,
        service: 'idem',
        entities: [],
        migrations: [createIdempotencyMigration(1732000000000)],
      }),
    ).initialize();
    await runMigrations(dataSource, 'idem');
    await dataSource.query('CREATE TABLE effects (id uuid PRIMARY KEY)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  /** One call of a mutation that writes an effect unless the key was used before. */
  async function call(
    key: string,
    input: unknown,
    fail = false,
  ): Promise<{ id: string; replayed: boolean } | 'reused'> {
    return dataSource.transaction(async (manager) => {
      const claim = await claimIdempotencyKey<{ id: string }>(manager, 'op', key, input);
      if (claim.state === 'reused') return 'reused';
      if (claim.state === 'replay') return { ...claim.result, replayed: true };
      const id = randomUUID();
      await manager.query('INSERT INTO effects (id) VALUES ($1)', [id]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the racers pile up on the claim
      if (fail) throw new Error('the work failed');
      await claim.complete({ id });
      return { id, replayed: false };
    });
  }

  const effects = async (ids: string[]) =>
    (await rows<{ n: number }>(dataSource, 'SELECT count(*)::int AS n FROM effects WHERE id = ANY($1)', [ids]))[0]!.n;

  it('does the work once when twenty retries with one key race each other', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(key, { coupon: 'A', key: 'K' })));
    const outcomes = results.filter((r): r is { id: string; replayed: boolean } => r !== 'reused');
    expect(outcomes).toHaveLength(20);
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(await effects(outcomes.map((o) => o.id))).toBe(1);
  });

  it('treats inputs that differ only in key order as the same request', async () => {
    const key = randomUUID();
    const first = await call(key, { a: 1, b: { c: 2, d: 3 } });
    const again = await call(key, { b: { d: 3, c: 2 }, a: 1 });
    expect(again).toEqual({ id: (first as { id: string }).id, replayed: true });
  });

  it('refuses the key with another input', async () => {
    const key = randomUUID();
    await call(key, { coupon: 'A' });
    expect(await call(key, { coupon: 'B' })).toBe('reused');
  });

  it('frees the key when the work rolls back, so the retry does it', async () => {
    const key = randomUUID();
    await expect(call(key, { x: 1 }, true)).rejects.toThrow('the work failed');
    const retry = await call(key, { x: 1 });
    expect(retry).toMatchObject({ replayed: false });
  });

  it('forgets keys past their retention', async () => {
    const key = randomUUID();
    await call(key, { y: 1 });
    await dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key = $1`, [key]);
    expect(await purgeIdempotencyKeys(dataSource, 86_400_000)).toBeGreaterThanOrEqual(1);
    expect(await call(key, { y: 1 })).toMatchObject({ replayed: false });
  });
});
