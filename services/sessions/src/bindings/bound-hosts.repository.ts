import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';

/** Fills the cache only if no binding was reset since the filler read the version. */
const FILL = `
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;

/** Adds a binding to a cache that is loaded; an unloaded one will read it from Postgres. */
const ADD = `
if redis.call('HEXISTS', KEYS[1], 'loaded') == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

/** Forgets the noted times that were written, unless a newer heartbeat replaced them meanwhile. */
const CLEAR_SEEN = `
local cleared = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    cleared = cleared + 1
  end
end
return cleared`;

/**
 * Which hosts are bound, per (key, product), so that a bound host's acquire never touches
 * Postgres. A hash of `h:<fingerprint>` -> binding id, marked `loaded` once it holds every
 * binding. A missing entry only sends an acquire to Postgres; an entry for a reset binding
 * would let a host in without a seat, so a reset bumps the pair's version and drops the hash,
 * and a fill that read Postgres before the reset is refused.
 */
@Injectable()
export class BoundHostsRepository {
  private readonly prefix: string;
  /** Where the heartbeat script notes when a bound host was seen (session.scripts.ts). */
  private readonly seen: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.prefix = `${redisPrefix(config)}:bound`;
    this.seen = `${redisPrefix(config)}:seen`;
  }

  /** The lastSeenAt noted by heartbeats and not yet written to Postgres (binding id -> epoch ms as noted). */
  async pendingSeen(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.seen)));
  }

  /** Forgets noted times once Postgres has them (a newer note stays for the next batch). */
  async clearSeen(written: ReadonlyMap<string, string>): Promise<number> {
    if (!written.size) return 0;
    const args = [...written].flat();
    return Number(await this.redis.eval(CLEAR_SEEN, 1, this.seen, ...args));
  }

  private keys(keyId: string, productId: string): [string, string] {
    const hash = `${this.prefix}:${keyId}:${productId}`;
    return [hash, `${hash}:v`];
  }

  /** The host's binding id; null when not bound; undefined when the cache is not loaded (with its version). */
  async find(
    keyId: string,
    productId: string,
    fingerprint: string,
  ): Promise<{ bindingId: string | null | undefined; version: string }> {
    const [hash, version] = this.keys(keyId, productId);
    const [found, loaded, v] = await Promise.all([
      this.redis.hget(hash, `h:${fingerprint}`),
      this.redis.hexists(hash, 'loaded'),
      this.redis.get(version),
    ]);
    return { bindingId: found ?? (loaded ? null : undefined), version: v ?? '0' };
  }

  /** Fills the cache from Postgres rows read at `version`; false when a reset came in between. */
  async fill(
    keyId: string,
    productId: string,
    version: string,
    bindings: readonly { id: string; hostFingerprint: string }[],
  ): Promise<boolean> {
    const fields = bindings.flatMap((b) => [`h:${b.hostFingerprint}`, b.id]);
    const filled = await this.redis.eval(FILL, 2, ...this.keys(keyId, productId), version, ...fields, 'loaded', '1');
    return filled === 1;
  }

  async add(keyId: string, productId: string, fingerprint: string, bindingId: string): Promise<void> {
    await this.redis.eval(ADD, 1, this.keys(keyId, productId)[0], `h:${fingerprint}`, bindingId);
  }

  /** After bindings of the pair were reset: the cache is read again from Postgres. */
  async invalidate(keyId: string, productId: string): Promise<void> {
    const [hash, version] = this.keys(keyId, productId);
    await this.redis.multi().incr(version).del(hash).exec();
  }
}
