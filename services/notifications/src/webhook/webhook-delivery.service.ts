import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { createEvent, NotificationSent, WebhookDeliveryFailed } from '@licensing/events';
import { backoffDelayMs, enqueue, enqueueMany } from '@licensing/kafka';
import { InjectNotificationsConfig, NotificationsConfig, webhookLoopbackAllowed } from '../config';
import { EmailService } from '../email/email.service';
import { SecretBox } from './secret-box';
import { TakenDelivery, WebhookRepository } from './webhook.repository';
import { postWebhook, WebhookResponse } from './webhook-sender';
import { signingKey, webhookSignature } from './webhook-signature';

/**
 * The worker holding an endpoint has up to this many times WEBHOOK_ENDPOINT_CONCURRENCY of its
 * deliveries in hand (it sends WEBHOOK_ENDPOINT_CONCURRENCY at a time), so a burst is not bound
 * by a read per POST.
 */
export const WEBHOOK_PREFETCH_FACTOR = 16;

/** One POST of a taken delivery and what it makes of it, before it is recorded. */
export interface DeliveryAttempt {
  delivery: TakenDelivery;
  /** This attempt's number (the delivery's attempts once it is recorded). */
  attempt: number;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  /** Why the endpoint is to be disabled (410, or the last attempt failed). */
  disable?: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  attemptedAt: Date;
  nextAttemptAt: Date | null;
}

/** What one attempt's answer makes of a delivery. */
export function deliveryOutcome(
  response: WebhookResponse,
  attempts: number,
  maxAttempts: number,
): { status: 'PENDING' | 'DELIVERED' | 'FAILED'; disable?: string } {
  const code = response.statusCode;
  if (!response.error && code !== undefined && code >= 200 && code < 300) return { status: 'DELIVERED' };
  if (code === 410) return { status: 'FAILED', disable: 'the endpoint answered 410 Gone' };
  if (attempts >= maxAttempts)
    return { status: 'FAILED', disable: `deliveries kept failing for ${attempts} attempts (about a day)` };
  return { status: 'PENDING' };
}

/**
 * Sending deliveries, for the worker (webhook.worker.ts): which a worker takes (from the
 * endpoints it holds), one attempt at each (a POST of the envelope signed the Standard Webhooks
 * way), and the record of attempts in batches: the deliveries' states and log, their events,
 * retries with exponential backoff and jitter for about a day, endpoints disabled (and their
 * owners told) by 410 or a day of failures.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger('Webhooks');
  private readonly allowLoopback: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
    private readonly webhooks: WebhookRepository,
    private readonly secrets: SecretBox,
    private readonly emails: EmailService,
  ) {
    this.allowLoopback = webhookLoopbackAllowed(config);
  }

  /**
   * Up to `limit` due deliveries for a worker, from the endpoints it holds (see
   * WebhookRepository.claimEndpoints): per endpoint up to WEBHOOK_PREFETCH_FACTOR times
   * WEBHOOK_ENDPOINT_CONCURRENCY waiting or being sent. `held` is every delivery the worker
   * has in hand (never read again, and their endpoints are kept); those `sent` already, whose
   * records are on their way, take no room. Returns the deliveries and the endpoints it holds.
   */
  async take(
    limit: number,
    worker: { id: string; held: TakenDelivery[]; sent?: ReadonlySet<string> } = this.ownWorker,
  ): Promise<{ deliveries: TakenDelivery[]; endpoints: string[] }> {
    const busy = new Map<string, number>();
    for (const d of worker.held)
      if (!worker.sent?.has(d.id)) busy.set(d.endpoint_id, (busy.get(d.endpoint_id) ?? 0) + 1);
    const kept = new Set(worker.held.map((d) => d.endpoint_id));
    const endpoints = await this.webhooks.claimEndpoints(
      worker.id,
      this.leaseMs,
      [...kept],
      this.config.WEBHOOK_CONCURRENCY - kept.size,
    );
    const prefetch = this.config.WEBHOOK_ENDPOINT_CONCURRENCY * WEBHOOK_PREFETCH_FACTOR;
    let left = limit;
    const wanted: { endpointId: string; count: number }[] = [];
    for (const endpointId of endpoints) {
      const count = Math.min(prefetch - (busy.get(endpointId) ?? 0), left);
      if (count <= 0) continue;
      wanted.push({ endpointId, count });
      left -= count;
    }
    const deliveries = await this.webhooks.dueDeliveries(
      wanted,
      worker.held.map((d) => d.id),
    );
    return { deliveries, endpoints };
  }

  /** Lets go of a worker's endpoints (it stops). */
  releaseEndpoints(workerId: string): Promise<void> {
    return this.webhooks.releaseEndpoints(workerId);
  }

  /** How long a worker holds an endpoint after each take: time for attempts and their records, with room to spare. */
  get leaseMs(): number {
    return this.config.WEBHOOK_TIMEOUT_MS * 3;
  }

  /** One attempt at a taken delivery and its record (the worker records many together). */
  async deliver(d: TakenDelivery): Promise<void> {
    await this.record([await this.attempt(d)]);
  }

  /**
   * The signing key of a sealed endpoint secret, opened once: a rotated secret is sealed anew,
   * so it is another entry. Bounded: the cache starts over past 10,000 endpoints.
   */
  private keyOf(sealed: string): Buffer {
    let key = this.signingKeys.get(sealed);
    if (!key) {
      if (this.signingKeys.size >= 10_000) this.signingKeys.clear();
      key = signingKey(this.secrets.open(sealed));
      this.signingKeys.set(sealed, key);
    }
    return key;
  }

  private readonly signingKeys = new Map<string, Buffer>();

  /** A worker for take() calls outside the delivery worker (tests, tools). */
  private readonly ownWorker = { id: randomUUID(), held: [] as TakenDelivery[] };

  /** POSTs a taken delivery once; says what that makes of it, without recording anything. */
  async attempt(d: TakenDelivery): Promise<DeliveryAttempt> {
    const attemptedAt = new Date();
    const body = JSON.stringify(d.payload);
    let response: WebhookResponse;
    try {
      const seconds = Math.floor(attemptedAt.getTime() / 1000);
      response = await postWebhook(
        d.url,
        body,
        {
          'webhook-id': d.event_id,
          'webhook-timestamp': String(seconds),
          'webhook-signature': webhookSignature(this.keyOf(d.secret_sealed), d.event_id, seconds, body),
          'user-agent': 'licensing-webhooks/1',
        },
        { timeoutMs: this.config.WEBHOOK_TIMEOUT_MS, allowLoopback: this.allowLoopback },
      );
    } catch (error) {
      response = { durationMs: 0, error: error instanceof Error ? error.message : String(error) };
    }
    const attempt = d.attempts + 1;
    const outcome = deliveryOutcome(response, attempt, this.config.WEBHOOK_MAX_ATTEMPTS);
    const nextAttemptAt =
      outcome.status === 'PENDING'
        ? new Date(
            Date.now() + backoffDelayMs(attempt, this.config.WEBHOOK_RETRY_BASE_MS, this.config.WEBHOOK_RETRY_CAP_MS),
          )
        : null;
    return {
      delivery: d,
      attempt,
      ...outcome,
      statusCode: response.statusCode ?? null,
      durationMs: response.durationMs,
      attemptedAt,
      nextAttemptAt,
      error:
        response.error ??
        (outcome.status === 'DELIVERED' ? null : `the endpoint answered ${response.statusCode ?? 'nothing'}`),
    };
  }

  /**
   * Records attempts in one transaction: the deliveries' states and log lines, their events
   * (`notification.sent`, `webhook.delivery-failed`), the retries a success pulls forward and
   * the endpoints a failure disables. Attempts at deliveries this worker no longer holds (its
   * lease ran out and another took them) change nothing. If the transaction fails, each
   * attempt is recorded on its own, so one bad record never loses the others.
   */
  async record(attempts: DeliveryAttempt[]): Promise<string[]> {
    const disabled: DeliveryAttempt[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        disabled.length = 0;
        await this.recordIn(manager, attempts, disabled);
      });
    } catch (error) {
      if (attempts.length === 1) throw error;
      this.logger.warn(
        `${attempts.length} webhook attempts not recorded together (${error instanceof Error ? error.message : String(error)}); one by one`,
      );
      const each = await Promise.all(
        attempts.map((a) =>
          this.record([a]).catch((e: unknown) => {
            this.logger.warn(`delivery ${a.delivery.id}: ${e instanceof Error ? e.message : String(e)}`);
            return [];
          }),
        ),
      );
      return each.flat();
    }
    for (const a of disabled) this.logger.warn(`webhook endpoint ${a.delivery.endpoint_id} disabled: ${a.disable}`);
    return disabled.map((a) => a.delivery.endpoint_id);
  }

  private async recordIn(manager: EntityManager, attempts: DeliveryAttempt[], disabled: DeliveryAttempt[]) {
    const recorded = await this.webhooks.recordAttempts(
      manager,
      attempts.map((a) => ({
        id: a.delivery.id,
        attempts: a.delivery.attempts,
        status: a.status,
        statusCode: a.statusCode,
        error: a.error,
        nextAttemptAt: a.nextAttemptAt,
        durationMs: a.durationMs,
        attemptedAt: a.attemptedAt,
      })),
    );
    const held = attempts.filter((a) => recorded.has(a.delivery.id));
    const delivered = held.filter((a) => a.status === 'DELIVERED');
    // Receivers that answer: their deliveries waiting for a retry need not wait any longer
    // (each success pulls up to WEBHOOK_ENDPOINT_CONCURRENCY of them).
    const successes = new Map<string, number>();
    for (const a of delivered) successes.set(a.delivery.endpoint_id, (successes.get(a.delivery.endpoint_id) ?? 0) + 1);
    for (const [endpointId, n] of successes)
      await this.webhooks.pullForward(manager, endpointId, n * this.config.WEBHOOK_ENDPOINT_CONCURRENCY);
    await enqueueMany(
      manager,
      // A redelivered delivery succeeds again: each success is its own event (notificationId is the delivery).
      delivered.map(({ delivery: d }) =>
        createEvent(NotificationSent, {
          vendorId: d.vendor_id,
          subject: d.key_id ?? d.vendor_id,
          data: {
            notificationId: d.id,
            channel: 'WEBHOOK',
            type: d.event_type,
            recipient: d.url,
            causedByEventId: d.event_id,
          },
        }),
      ),
    );
    for (const a of held.filter((f) => f.status === 'FAILED')) {
      const d = a.delivery;
      const failed = createEvent(WebhookDeliveryFailed, {
        vendorId: d.vendor_id,
        subject: d.key_id ?? d.vendor_id,
        data: {
          deliveryId: d.id,
          endpointId: d.endpoint_id,
          eventId: d.event_id,
          attempts: a.attempt,
          lastError: a.error,
        },
      });
      await enqueue(manager, failed);
      // Only the transaction that disables the endpoint tells the owners: once per disable.
      if (a.disable && (await this.webhooks.disableEndpoint(manager, d.endpoint_id, a.disable))) {
        disabled.push(a);
        await this.emails.onEndpointDisabled(manager, {
          vendorId: d.vendor_id,
          url: d.url,
          cause: { id: failed.id, type: failed.type },
          gone: a.statusCode === 410,
          attempts: a.attempt,
          lastError: a.error,
        });
      }
    }
  }
}
