import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { API_KEY_REVOKED_CHANNEL } from '@licensing/events';

/** What the revocations are told to: the resolver's cache. */
export interface RevocationTarget {
  forget(apiKeyId: string): void;
  forgetAll(hearing: boolean): void;
}

/** The revoked key's id from a message on the channel, or undefined for anything else. */
export function revokedApiKeyId(message: string): string | undefined {
  try {
    const data: unknown = JSON.parse(message);
    const id = typeof data === 'object' && data !== null ? (data as { apiKeyId?: unknown }).apiKeyId : undefined;
    return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Drops revoked API keys from this gateway's cache the moment the keys service announces
 * them, so the next request with a revoked key is refused.
 *
 * Redis pub/sub rather than a Kafka consumer of `api-key.revoked`: the keys service publishes
 * after the commit and before it answers the revocation, so the news is here before the
 * caller can send its next request; the outbox event goes through the relay's poll and a
 * consumer's fetch, which no caller waits for. Pub/sub can lose a message, though, so:
 *  - when the subscription is lost, everything cached is dropped, and valid keys are cached
 *    only UNHEARD_TTL_MS (5 s) until it is back; on (re)subscribing everything is dropped
 *    again, since revocations in between were not heard;
 *  - a message lost otherwise (the keys service dying between commit and publish, Redis
 *    failing just then) is bounded by the cache's lifetime, API_KEY_CACHE_TTL_MS (30 s).
 * The outbox event on licensing.keys.v1 is the durable record, for partners and audits.
 */
export class ApiKeyRevocations {
  /** Names the subscription in Redis's CLIENT LIST. */
  readonly connectionName = `gateway-revocations-${randomBytes(6).toString('hex')}`;
  private subscriber?: Redis;
  private lastWarning = 0;
  private subscribed?: () => void;
  /** Subscribed on a live connection: revocations are heard. */
  private hearing = false;

  constructor(
    private readonly redisUrl: string,
    private readonly target: RevocationTarget,
    private readonly logger = new Logger('ApiKeyRevocations'),
  ) {}

  /**
   * Subscribes, and waits for the first subscription up to `waitMs`, so a gateway normally
   * hears revocations before it serves; without Redis it goes on and keeps trying.
   */
  async start(waitMs = 2_000): Promise<void> {
    if (this.subscriber) return;
    // Its own connection: a subscribed connection can issue no other commands.
    const subscriber = new Redis(this.redisUrl, {
      connectionName: this.connectionName,
      // Subscribed below on every 'ready', so the cache is dropped exactly when it counts.
      autoResubscribe: false,
      connectTimeout: 2_000,
      disconnectTimeout: 200,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.subscriber = subscriber;
    subscriber.on('ready', () => void this.subscribe(subscriber));
    subscriber.on('close', () => {
      // Once per loss, not per failed reconnection, so the brief cache still works meanwhile.
      if (!this.hearing) return;
      this.hearing = false;
      this.target.forgetAll(false);
    });
    subscriber.on('error', (error: Error) => this.warn(`Redis unavailable: ${error.message}`));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== API_KEY_REVOKED_CHANNEL) return;
      const id = revokedApiKeyId(message);
      if (id) this.target.forget(id);
    });
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.subscribed = resolve;
      timer = setTimeout(resolve, waitMs);
    });
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber || subscriber.status === 'end') return;
    subscriber.removeAllListeners('close');
    subscriber.on('error', () => undefined);
    if (subscriber.status !== 'ready') return subscriber.disconnect();
    await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(API_KEY_REVOKED_CHANNEL);
      this.hearing = true;
      this.target.forgetAll(true);
      this.subscribed?.();
    } catch (error) {
      this.warn(`cannot subscribe to revocations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}
