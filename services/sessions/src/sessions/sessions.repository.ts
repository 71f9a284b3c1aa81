import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { LICENSE_MODELS, LicenseModel } from '@licensing/events';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';
import { ACQUIRE, END, HEARTBEAT, SWEEP } from './session.scripts';

/** An ended session's record stays this long, so late calls learn why it ended. */
const ENDED_RETENTION_MS = 3_600_000;
/** A live session's record outlives its expiry by this much, however long the sweeper is away. */
const LIVE_RETENTION_MS = 86_400_000;

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

export type AcquireOutcome = { taken: true; expiresAt: Date } | { taken: false; held: number };

export type HeartbeatOutcome =
  | {
      alive: true;
      expiresAt: Date;
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
};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number => (typeof v === 'number' ? v : Number(text(v)));

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

  async acquire(session: NewSession, seats: number, ttlMs: number): Promise<AcquireOutcome> {
    const reply = await this.run(scripts.acquire, JSON.stringify(session), seats, ttlMs, LIVE_RETENTION_MS);
    if (text(reply[0]) === 'OK') return { taken: true, expiresAt: new Date(int(reply[1])) };
    return { taken: false, held: int(reply[1]) };
  }

  async heartbeat(sessionId: string, ttlMs: number): Promise<HeartbeatOutcome> {
    const reply = await this.run(scripts.heartbeat, sessionId, ttlMs, LIVE_RETENTION_MS);
    switch (text(reply[0])) {
      case 'OK':
        return {
          alive: true,
          expiresAt: new Date(int(reply[1])),
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
    return replies.flatMap(([error, raw]) => {
      const session = error ? null : liveSession(raw);
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

function liveSession(raw: unknown): LiveSession | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const fields = new Map<string, unknown>(Object.entries(raw));
  const f = (name: string): string => text(fields.get(name));
  if (f('state') !== 'live') return null;
  const model = LICENSE_MODELS.find((m) => m === f('model'));
  if (!model) return null;
  return {
    sessionId: f('sessionId'),
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
