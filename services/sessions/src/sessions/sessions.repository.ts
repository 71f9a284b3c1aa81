import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { LICENSE_MODELS, LicenseModel } from '@licensing/events';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';
import { ACQUIRE, END, HEARTBEAT, RECONCILE, SWEEP } from './session.scripts';

/** An ended session's record stays this long, so late calls learn why it ended. */
const ENDED_RETENTION_MS = 3_600_000;
/** A live session's record outlives its expiry by this much, however long the sweeper is away. */
const LIVE_RETENTION_MS = 86_400_000;
/** An acquire's idempotency key is kept this long (as IDEMPOTENCY_KEY_DESCRIPTION says). */
export const IDEMPOTENCY_TTL_MS = 86_400_000;
/**
 * How long the seats a license change left in force bound every acquire of the pair, however
 * early it read the license: far longer than an acquire takes between its read and its script.
 */
const CHANGE_LIMIT_MS = 5_000;

/** What a session is about, as its acquire names it. Empty strings stand for absent details. */
export interface NewSession {
  sessionId: string;
  model: LicenseModel;
  vendorId: string;
  keyId: string;
  keyCode: string;
  productId: string;
  productCode: string;
  fp: string;
  hostName: string;
  hostOs: string;
  hostIp: string;
  platformVersion: string;
  infobase: string;
  user: string;
  processId: string;
  bindingId: string;
}

/** How the heartbeat interval of a session is chosen (see session.scripts.ts). */
export interface HeartbeatTiming {
  /** Seconds, for products without their own. */
  defaultIntervalSeconds: number;
  /** Multiplies every interval; > 1 slows clients down. */
  loadFactor: number;
  /** A session expires this many intervals after its last heartbeat. */
  graceIntervals: number;
}

/** An acquire's idempotency key: the Redis key it is kept under and the request's hash. */
export interface AcquireIdempotency {
  vendorId: string;
  keyId: string;
  key: string;
  requestHash: string;
}

export type AcquireOutcome =
  | { taken: true; sessionId: string; expiresAt: Date; intervalSeconds: number }
  | { taken: false; held: number }
  /** A license change since the license was read took it away. */
  | { taken: false; notInForce: true }
  /** The idempotency key's first acquire started this session, which has ended since. */
  | { taken: false; endedSession: { sessionId: string; endReason: string } }
  /** The idempotency key was used before with another input. */
  | { taken: false; reused: true };

/** What a license change leaves of one product on a key (see RECONCILE). */
export interface ProductChange {
  productId: string;
  /** Seats in force now; 0 when the license is not in force. */
  seats: number;
  /** Why its sessions end when seats is 0. */
  reason: string;
  /** HOST_BINDING hosts whose bindings the change took away. */
  hosts: string[];
}

export type HeartbeatOutcome =
  | {
      alive: true;
      expiresAt: Date;
      intervalSeconds: number;
      keyCode: string;
      productCode: string;
      /** Set for HOST_BINDING sessions, with the host it binds. */
      binding: { bindingId: string; vendorId: string; keyId: string; productId: string; fingerprint: string } | null;
    }
  | { alive: false; endReason: string }
  | { alive: false; endReason: null };

export type EndOutcome = { ended: true } | { ended: false; endReason: string | null };

/** A live session as the monitor lists it. */
export interface LiveSession extends NewSession {
  startedAt: Date;
  lastHeartbeatAt: Date;
  expiresAt: Date;
}

/** An entry of the session event stream, as the scripts appended it. */
export interface StreamEvent {
  /** The stream entry id. */
  id: string;
  type: string;
  vendorId: string;
  subject: string;
  /** Epoch milliseconds (Redis time). */
  at: number;
  /** The payload, JSON. */
  data: string;
}

const HOLD_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const DROP_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

const scripts = {
  acquire: new Script(ACQUIRE),
  heartbeat: new Script(HEARTBEAT),
  end: new Script(END),
  sweep: new Script(SWEEP),
  reconcile: new Script(RECONCILE),
};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number => (typeof v === 'number' ? v : Number(text(v)));
const timingArgs = (t: HeartbeatTiming): number[] => [t.defaultIntervalSeconds, t.loadFactor, t.graceIntervals];

/**
 * Live sessions in Redis. Every change runs as one script of session.scripts.ts, which also
 * appends the change's event to the prefix's stream (see SessionEventRelay).
 */
@Injectable()
export class SessionsRepository {
  readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.prefix = redisPrefix(config);
  }

  /**
   * Takes a seat for a new session, or, with an idempotency key used before, answers the
   * session that key started (alive or not); a refusal stores nothing.
   */
  async acquire(
    session: NewSession,
    seats: number,
    timing: HeartbeatTiming,
    idempotency?: AcquireIdempotency,
  ): Promise<AcquireOutcome> {
    const reply = await this.run(
      scripts.acquire,
      JSON.stringify(session),
      seats,
      ...timingArgs(timing),
      LIVE_RETENTION_MS,
      idempotency ? this.idempotencyKeyOf(idempotency) : '',
      idempotency?.requestHash ?? '',
      IDEMPOTENCY_TTL_MS,
    );
    switch (text(reply[0])) {
      case 'OK':
        return {
          taken: true,
          sessionId: session.sessionId,
          expiresAt: new Date(int(reply[1])),
          intervalSeconds: int(reply[2]),
        };
      case 'REPLAY': {
        const [, sessionId, state, exp, endReason, interval] = reply.map(text);
        if (state === 'live' && int(exp) > Date.now()) {
          return { taken: true, sessionId: sessionId!, expiresAt: new Date(int(exp)), intervalSeconds: int(interval) };
        }
        return { taken: false, endedSession: { sessionId: sessionId!, endReason: endReason || 'EXPIRED' } };
      }
      case 'REUSED':
        return { taken: false, reused: true };
      case 'NOT_IN_FORCE':
        return { taken: false, notInForce: true };
      default:
        return { taken: false, held: int(reply[1]) };
    }
  }

  private idempotencyKeyOf(i: AcquireIdempotency): string {
    return `${this.prefix}:idem:${i.vendorId}:${i.keyId}:${i.key}`;
  }

  async heartbeat(sessionId: string, timing: HeartbeatTiming): Promise<HeartbeatOutcome> {
    const reply = await this.run(scripts.heartbeat, sessionId, ...timingArgs(timing), LIVE_RETENTION_MS);
    switch (text(reply[0])) {
      case 'OK':
        return {
          alive: true,
          expiresAt: new Date(int(reply[1])),
          intervalSeconds: int(reply[9]),
          keyCode: text(reply[2]),
          productCode: text(reply[3]),
          binding: text(reply[4])
            ? {
                bindingId: text(reply[4]),
                keyId: text(reply[5]),
                productId: text(reply[6]),
                fingerprint: text(reply[7]),
                vendorId: text(reply[8]),
              }
            : null,
        };
      case 'ENDED':
        return { alive: false, endReason: text(reply[1]) };
      default:
        return { alive: false, endReason: null };
    }
  }

  /** Ends a live session for `reason`; `vendorId` limits it to that vendor's sessions. */
  async end(sessionId: string, reason: string, vendorId = ''): Promise<EndOutcome> {
    const reply = await this.run(scripts.end, sessionId, reason, vendorId);
    switch (text(reply[0])) {
      case 'OK':
        return { ended: true };
      case 'ENDED':
        return { ended: false, endReason: text(reply[1]) };
      default:
        return { ended: false, endReason: null };
    }
  }

  /**
   * Applies a license change to the key's live sessions in one step: the products that are
   * no longer in force end all their sessions, the others end their newest holders over the
   * seats. How many sessions it ended.
   */
  async reconcile(keyId: string, changes: readonly ProductChange[]): Promise<number> {
    if (!changes.length) return 0;
    const reply = await this.run(scripts.reconcile, keyId, JSON.stringify(changes), CHANGE_LIMIT_MS);
    return int(reply[0]);
  }

  /** The ids of the products a key's live sessions use. */
  async productsInUse(keyId: string): Promise<string[]> {
    const ids = await this.redis.zrange(`${this.prefix}:ks:${keyId}`, 0, -1);
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(`${this.prefix}:s:${id}`, 'productId');
    const replies = (await pipeline.exec()) ?? [];
    return [...new Set(replies.map(([, v]) => text(v)).filter(Boolean))];
  }

  /** Ends up to `limit` expired sessions; how many it found and how many it ended. */
  async sweep(limit: number): Promise<{ found: number; ended: number }> {
    const reply = await this.run(scripts.sweep, limit);
    return { found: int(reply[0]), ended: int(reply[1]) };
  }

  /** The live (not expired) sessions of a key, oldest expiry first. */
  async findLiveByKey(keyId: string): Promise<LiveSession[]> {
    const ids = await this.redis.zrangebyscore(`${this.prefix}:ks:${keyId}`, `(${Date.now()}`, '+inf');
    return this.findByIds(ids);
  }

  /** A live session by id, or null. */
  async findLive(sessionId: string): Promise<LiveSession | null> {
    return (await this.findByIds([sessionId]))[0] ?? null;
  }

  private async findByIds(ids: readonly string[]): Promise<LiveSession[]> {
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.prefix}:s:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    const now = Date.now();
    return replies.flatMap(([error, raw], i) => {
      const session = error ? null : liveSession(ids[i]!, raw);
      return session && session.expiresAt.getTime() > now ? [session] : [];
    });
  }

  // --- the event stream ---------------------------------------------------------------

  /**
   * Takes or keeps the relay's lease for `ms`: true while this holder (`token`) is the one
   * relay that publishes the stream, so events leave in the order they were appended.
   */
  async holdRelayLease(token: string, ms: number): Promise<boolean> {
    const reply = await this.redis.eval(HOLD_LEASE, 1, `${this.prefix}:events:relay`, token, ms);
    return reply === 1;
  }

  async releaseRelayLease(token: string): Promise<void> {
    await this.redis.eval(DROP_LEASE, 1, `${this.prefix}:events:relay`, token);
  }

  /** The oldest events of the stream, up to `count`. */
  async readEvents(count: number): Promise<StreamEvent[]> {
    const entries = await this.redis.xrange(`${this.prefix}:events`, '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return {
        id,
        type: f.get('type') ?? '',
        vendorId: f.get('vendorId') ?? '',
        subject: f.get('subject') ?? '',
        at: Number(f.get('at')),
        data: f.get('data') ?? '',
      };
    });
  }

  /** How many events wait in the stream, and for how long the oldest has (0 when none). */
  async eventBacklog(): Promise<{ length: number; oldestAgeMs: number }> {
    const key = `${this.prefix}:events`;
    const [[, length], [, oldest], [, time]] = ((await this.redis
      .pipeline()
      .xlen(key)
      .xrange(key, '-', '+', 'COUNT', 1)
      .time()
      .exec()) ?? []) as [unknown, unknown][];
    const first = Array.isArray(oldest) && Array.isArray(oldest[0]) ? text(oldest[0][0]) : '';
    const now = Array.isArray(time) ? int(time[0]) * 1000 + Math.floor(int(time[1]) / 1000) : Date.now();
    return { length: int(length), oldestAgeMs: first ? Math.max(0, now - int(first.split('-')[0])) : 0 };
  }

  /** Removes published events from the stream. */
  async deleteEvents(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.redis.xdel(`${this.prefix}:events`, ...ids);
  }

  /** Keeps an event that cannot be published apart, for a person to look at. */
  async parkEvent(event: StreamEvent, reason: string): Promise<void> {
    await this.redis.xadd(
      `${this.prefix}:events:dead`,
      '*',
      'id',
      event.id,
      'data',
      JSON.stringify(event),
      'reason',
      reason,
    );
  }

  private async run(script: Script, ...args: (string | number)[]): Promise<unknown[]> {
    const argv = [this.prefix, ENDED_RETENTION_MS, ...args];
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(script.sha, 0, ...argv);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.redis.eval(script.source, 0, ...argv);
    }
    if (!Array.isArray(reply)) throw new Error('unexpected reply from a session script');
    return reply;
  }
}

/** A session hash as read; its id is the key's (absent fields are empty). */
function liveSession(sessionId: string, raw: unknown): LiveSession | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const fields = new Map<string, unknown>(Object.entries(raw));
  const f = (name: string): string => text(fields.get(name));
  if (f('state') !== 'live') return null;
  const model = LICENSE_MODELS.find((m) => m === f('model'));
  if (!model) return null;
  return {
    sessionId,
    model,
    vendorId: f('vendorId'),
    keyId: f('keyId'),
    keyCode: f('keyCode'),
    productId: f('productId'),
    productCode: f('productCode'),
    fp: f('fp'),
    hostName: f('hostName'),
    hostOs: f('hostOs'),
    hostIp: f('hostIp'),
    platformVersion: f('platformVersion'),
    infobase: f('infobase'),
    user: f('user'),
    processId: f('processId'),
    bindingId: f('bindingId'),
    startedAt: new Date(int(f('startedAt'))),
    lastHeartbeatAt: new Date(int(f('lastHeartbeatAt'))),
    expiresAt: new Date(int(f('exp'))),
  };
}
