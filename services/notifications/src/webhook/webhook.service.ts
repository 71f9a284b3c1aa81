import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventEnvelope, NotificationSent, WebhookDeliveryFailed } from '@licensing/events';
import { BadInputError, ConflictError, NotFoundError } from '@licensing/graphql';
import { ClaimedEvent } from '@licensing/kafka';
import { assertPageSize } from '@licensing/platform';
import { InjectNotificationsConfig, NotificationsConfig, webhookLoopbackAllowed } from '../config';
import { Notification } from '../email/email.types';
import { newWebhookSecret, SecretBox } from './secret-box';
import { WEBHOOK_PING, WebhookDeliveryRecord, WebhookEndpointRecord } from './webhook.entity';
import { DeliveryWithUrl, WebhookRepository } from './webhook.repository';
import { urlRefusal } from './webhook-sender';
import {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDelivery,
  WebhookEndpoint,
} from './webhook.types';

function toEndpoint(e: WebhookEndpointRecord, secret: string | null = null): WebhookEndpoint {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    secret,
    createdAt: e.createdAt,
  };
}

/** A delivery in the list of notifications: DELIVERED reads SENT, the recipient is the endpoint's URL. */
function toNotification(d: DeliveryWithUrl): Notification & { keyId: string | null } {
  return {
    id: d.id,
    channel: 'WEBHOOK',
    type: d.event_type,
    eventId: d.event_id,
    message: null,
    recipient: d.url,
    endpointId: d.endpoint_id,
    subject: null,
    keyCode: null,
    keyId: d.key_id,
    status: d.status === 'DELIVERED' ? 'SENT' : d.status,
    attempts: d.attempts,
    lastError: d.last_error,
    createdAt: d.created_at,
    sentAt: d.delivered_at,
  };
}

/** Whether an event goes to webhooks: all but this service's own reports about webhooks (they would feed themselves). */
export function fansOut(event: ClaimedEvent): boolean {
  if (event.type === WebhookDeliveryFailed.type) return false;
  return !(event.type === NotificationSent.type && (event.data as { channel?: unknown } | null)?.channel === 'WEBHOOK');
}

/**
 * Webhooks: the vendors' endpoints, their deliveries as the cabinet sees them (the log, a test
 * ping, a redelivery), and the fan-out of every event of a vendor to its endpoints (in the
 * transaction that records the event as processed). Sending is WebhookDeliveryService's.
 */
@Injectable()
export class WebhookService {
  private readonly allowLoopback: boolean;

  constructor(
    @InjectNotificationsConfig() config: NotificationsConfig,
    private readonly webhooks: WebhookRepository,
    private readonly secrets: SecretBox,
  ) {
    this.allowLoopback = webhookLoopbackAllowed(config);
  }

  private async assertUrl(url: string, field: string): Promise<void> {
    const refusal = await urlRefusal(url, this.allowLoopback);
    if (refusal) throw new BadInputError(field, refusal);
  }

  private async endpoint(vendorId: string, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.webhooks.findEndpoint(vendorId, id);
    if (!endpoint) throw new NotFoundError('Webhook endpoint', 'id');
    return endpoint;
  }

  async create(vendorId: string, input: CreateWebhookEndpointInput): Promise<WebhookEndpoint> {
    await this.assertUrl(input.url, 'input.url');
    const secret = newWebhookSecret();
    const saved = await this.webhooks.insertEndpoint({
      id: randomUUID(),
      vendorId,
      url: input.url,
      eventTypes: [...new Set(input.eventTypes ?? [])],
      secretSealed: this.secrets.seal(secret),
      enabled: true,
      disabledReason: null,
    });
    return toEndpoint(saved, secret);
  }

  async list(vendorId: string): Promise<WebhookEndpoint[]> {
    return (await this.webhooks.findEndpoints(vendorId)).map((e) => toEndpoint(e));
  }

  async update(vendorId: string, id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoint(vendorId, id);
    if (input.url !== undefined && input.url !== null) {
      await this.assertUrl(input.url, 'input.url');
      endpoint.url = input.url;
    }
    if (input.eventTypes !== undefined && input.eventTypes !== null)
      endpoint.eventTypes = [...new Set(input.eventTypes)];
    if (input.enabled !== undefined && input.enabled !== null) {
      endpoint.enabled = input.enabled;
      endpoint.disabledReason = input.enabled ? null : 'disabled by the vendor';
    }
    return toEndpoint(await this.webhooks.saveEndpoint(endpoint));
  }

  async delete(vendorId: string, id: string): Promise<boolean> {
    if (!(await this.webhooks.deleteEndpoint(vendorId, id))) throw new NotFoundError('Webhook endpoint', 'id');
    return true;
  }

  /** A new secret, shown once; deliveries from now on are signed with it. */
  async rotateSecret(vendorId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoint(vendorId, id);
    const secret = newWebhookSecret();
    endpoint.secretSealed = this.secrets.seal(secret);
    return toEndpoint(await this.webhooks.saveEndpoint(endpoint), secret);
  }

  /** Queues a `webhook.ping` envelope to one endpoint. */
  async ping(vendorId: string, id: string): Promise<WebhookDelivery> {
    const endpoint = await this.endpoint(vendorId, id);
    if (!endpoint.enabled) throw new ConflictError('the endpoint is disabled; enable it first', 'id');
    const eventId = randomUUID();
    const deliveryId = randomUUID();
    await this.webhooks.insertDelivery({
      id: deliveryId,
      vendorId,
      endpointId: id,
      eventId,
      eventType: WEBHOOK_PING,
      payload: {
        id: eventId,
        type: WEBHOOK_PING,
        source: 'notifications',
        time: new Date().toISOString(),
        vendorId,
        subject: id,
        dataVersion: 1,
        data: { endpointId: id },
      },
    });
    return this.delivery(vendorId, deliveryId);
  }

  /** Sends a delivery again (its log goes on); one whose attempt is under way gets no second one. */
  async redeliver(vendorId: string, deliveryId: string): Promise<WebhookDelivery> {
    if (!(await this.webhooks.requeue(vendorId, deliveryId))) throw new NotFoundError('Webhook delivery', 'id');
    return this.delivery(vendorId, deliveryId);
  }

  async deliveries(vendorId: string, endpointId: string, first = 50): Promise<WebhookDelivery[]> {
    assertPageSize(first, 200);
    await this.endpoint(vendorId, endpointId).catch(() => {
      throw new NotFoundError('Webhook endpoint', 'endpointId');
    });
    return this.withLogs(await this.webhooks.findDeliveries(vendorId, endpointId, first));
  }

  /**
   * The vendor's deliveries of events as notifications (newest first; of one key's events when
   * keyId is given), with the key's id for the caller to name; keyCode is left null.
   */
  async notificationsOf(
    vendorId: string,
    keyId: string | undefined,
    first: number,
  ): Promise<(Notification & { keyId: string | null })[]> {
    return (await this.webhooks.findEventDeliveries(vendorId, keyId, first)).map(toNotification);
  }

  private async delivery(vendorId: string, id: string): Promise<WebhookDelivery> {
    const found = await this.webhooks.findDelivery(vendorId, id);
    if (!found) throw new NotFoundError('Webhook delivery', 'id');
    return (await this.withLogs([found]))[0]!;
  }

  private async withLogs(deliveries: WebhookDeliveryRecord[]): Promise<WebhookDelivery[]> {
    const attempts = await this.webhooks.findAttempts(deliveries.map((d) => d.id));
    return deliveries.map((d) => ({
      id: d.id,
      endpointId: d.endpointId,
      eventId: d.eventId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      lastStatusCode: d.lastStatusCode,
      nextAttemptAt: d.status === 'PENDING' ? d.nextAttemptAt : null,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
      log: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({
          attemptedAt: a.attemptedAt,
          statusCode: a.statusCode,
          durationMs: a.durationMs,
          error: a.error,
          nextAttemptAt: a.nextAttemptAt,
        })),
    }));
  }

  /** Fans events out to their vendors' endpoints that take them, in the consumer's transaction. */
  async fanOut(manager: EntityManager, events: EventEnvelope<object>[]): Promise<void> {
    await this.webhooks.fanOut(
      manager,
      events.filter(fansOut).map((event) => {
        const keyId = (event.data as { keyId?: unknown }).keyId;
        return {
          id: event.id,
          type: event.type,
          vendorId: event.vendorId,
          keyId: typeof keyId === 'string' ? keyId : null,
          payload: event,
        };
      }),
    );
  }
}
