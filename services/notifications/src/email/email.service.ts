import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  CouponActivatedData,
  createEvent,
  EventEnvelope,
  KeyRegisteredData,
  LicenseExpiryData,
  NotificationSent,
} from '@licensing/events';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { backoffDelayMs, enqueue } from '@licensing/kafka';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { ReadModelService } from '../read-model/read-model.service';
import { SettingsService } from '../settings/settings.service';
import { EmailRecord } from './email.entity';
import { EmailRepository } from './email.repository';
import { Notification } from './email.types';
import { Mailer, SendFailure } from './mailer';
import { Letter, renderEmail, UnsignedLetter } from './templates';

/** How long a worker holds an e-mail it took: longer than any SMTP conversation may last. */
const LEASE_FACTOR = 4;

interface Claim {
  vendorId: string;
  /** Who signs and sends it; the vendor's name unless given. */
  senderName?: string;
  keyId: string | null;
  keyCode: string | null;
  cause: { id: string; type: string };
  recipient: string;
  letter: UnsignedLetter;
}

export function toNotification(e: EmailRecord): Notification {
  return {
    id: e.id,
    channel: 'EMAIL',
    type: e.causedByEventType,
    eventId: e.causedByEventId,
    message: e.message,
    recipient: e.recipient,
    endpointId: null,
    subject: e.subject,
    keyCode: e.keyCode,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    createdAt: e.createdAt,
    sentAt: e.sentAt,
  };
}

/**
 * The e-mails to clients. Each letter is claimed once per (causing event, letter, recipient)
 * in the transaction that records the event as processed, rendered in the vendor's language
 * with the vendor's name as sender, and sent later by the mail worker (sendDue), which
 * retries with backoff; SENT and notification.sent commit together.
 */
@Injectable()
export class EmailService {
  private readonly logger = new Logger('EmailService');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
    private readonly emails: EmailRepository,
    private readonly readModel: ReadModelService,
    private readonly settings: SettingsService,
    private readonly mailer: Mailer,
  ) {}

  /** key.registered: the key letter to the address the client registered with. */
  async onKeyRegistered(manager: EntityManager, event: EventEnvelope<KeyRegisteredData>): Promise<void> {
    const { data } = event;
    const names = await this.readModel.productNames(event.vendorId, [data.productCode], manager);
    await this.claim(manager, {
      vendorId: event.vendorId,
      keyId: data.keyId,
      keyCode: data.code,
      cause: event,
      recipient: data.email,
      letter: {
        message: 'KEY_LETTER',
        keyCode: data.code,
        company: data.company,
        contactName: data.contactName,
        productName: names.get(data.productCode) ?? data.productCode,
        trialEndsAt: new Date(data.trialExpiresAt),
        cabinetUrl: this.config.CLIENT_CABINET_URL,
      },
    });
  }

  /**
   * coupon.activated: what the coupon granted, to the key's client. A key this service has not
   * heard of yet (its events travel on another topic) fails the handler, so the consumer tries
   * again; a key without an e-mail address gets no letter.
   */
  async onCouponActivated(manager: EntityManager, event: EventEnvelope<CouponActivatedData>): Promise<void> {
    const { data } = event;
    const key = await this.readModel.findLiveKeyById(event.vendorId, data.keyId, manager);
    if (!key) throw new Error(`key ${data.keyId} is not in the read model yet`);
    if (!key.email) return;
    const names = await this.readModel.productNames(
      event.vendorId,
      data.grants.map((g) => g.productCode),
      manager,
    );
    await this.claim(manager, {
      vendorId: event.vendorId,
      keyId: key.keyId,
      keyCode: key.code,
      cause: event,
      recipient: key.email,
      letter: {
        message: 'COUPON_ACTIVATED',
        keyCode: key.code,
        couponCode: data.couponCode,
        activatedAt: new Date(event.time),
        grants: data.grants.map((g) => ({
          productName: names.get(g.productCode) ?? g.productCode,
          periodDays: g.periodDays,
          seats: g.seats,
          trialDays: g.trialDays,
        })),
      },
    });
  }

  /** license.expiring-soon (7 and 1 days before) and license.expired: to the key's client. */
  async onLicenseExpiry(
    manager: EntityManager,
    event: EventEnvelope<LicenseExpiryData>,
    expired: boolean,
  ): Promise<void> {
    const { data } = event;
    const key = await this.readModel.findLiveKeyById(event.vendorId, data.keyId, manager);
    const recipient = data.email ?? key?.email;
    if (!recipient) return;
    const names = await this.readModel.productNames(event.vendorId, [data.productCode], manager);
    const common = {
      keyCode: data.keyCode,
      productName: names.get(data.productCode) ?? data.productCode,
      trial: data.kind === 'TRIAL',
      expiresAt: new Date(data.expiresAt),
    };
    await this.claim(manager, {
      vendorId: event.vendorId,
      keyId: data.keyId,
      keyCode: data.keyCode,
      cause: event,
      recipient,
      letter: expired
        ? { message: 'LICENSE_EXPIRED', ...common }
        : { message: 'LICENSE_EXPIRING', ...common, daysLeft: data.daysLeft },
    });
  }

  /**
   * The vendor asks for the key letter of a key (one issued in the cabinet gets none by
   * itself). Its cause is the key's key.created event, so asking again for the same address
   * answers the letter already claimed instead of sending another.
   */
  async sendKeyLetter(vendorId: string, keyId: string): Promise<Notification> {
    const key = await this.readModel.findLiveKeyById(vendorId, keyId);
    if (!key) throw new NotFoundError('License key', 'keyId');
    if (!key.email) throw new BadInputError('keyId', 'the key’s client has no e-mail address; add one on the key card');
    const recipient = key.email.toLowerCase();
    const cause = { id: key.createdEventId ?? key.keyId, type: 'key.created' };
    await this.dataSource.transaction((manager) =>
      this.claim(manager, {
        vendorId,
        keyId: key.keyId,
        keyCode: key.code,
        cause,
        recipient,
        letter: {
          message: 'KEY_LETTER',
          keyCode: key.code,
          company: key.company,
          contactName: key.contactName,
          cabinetUrl: this.config.CLIENT_CABINET_URL,
        },
      }),
    );
    const claimed = await this.emails.findByCause(vendorId, cause.id, 'KEY_LETTER', recipient);
    if (!claimed) throw new Error('the key letter was claimed but cannot be read back');
    return toNotification(claimed);
  }

  /**
   * A webhook endpoint was disabled (410 Gone, or retries ran out): each of the vendor's owners
   * is told, from the platform, in the caller's transaction (the one that disabled it, so once
   * per disable). The cause is the webhook.delivery-failed event of that transaction. A vendor
   * without a known owner gets no letter.
   */
  async onEndpointDisabled(
    manager: EntityManager,
    disabled: {
      vendorId: string;
      url: string;
      cause: { id: string; type: string };
      gone: boolean;
      attempts: number;
      lastError: string | null;
    },
  ): Promise<number> {
    const owners = await this.readModel.findOwners(disabled.vendorId, manager);
    const vendor = await this.readModel.findVendor(disabled.vendorId, manager);
    for (const owner of owners) {
      await this.claim(manager, {
        vendorId: disabled.vendorId,
        senderName: this.config.MAIL_SENDER_NAME,
        keyId: null,
        keyCode: null,
        cause: disabled.cause,
        recipient: owner.email,
        letter: {
          message: 'WEBHOOK_ENDPOINT_DISABLED',
          ownerVendorName: vendor?.name ?? vendor?.prefix ?? disabled.vendorId,
          ownerName: owner.name,
          url: disabled.url,
          cause: disabled.gone ? 'GONE' : 'EXHAUSTED',
          attempts: disabled.attempts,
          lastError: disabled.lastError,
          disabledAt: new Date(),
        },
      });
    }
    return owners.length;
  }

  /** The vendor's e-mails, newest first; of one key when keyId is given. */
  async listOf(vendorId: string, keyId: string | undefined, first: number): Promise<Notification[]> {
    return (await this.emails.findPage(vendorId, keyId, first)).map(toNotification);
  }

  private async claim(manager: EntityManager, claim: Claim): Promise<void> {
    const vendor = claim.senderName ? null : await this.readModel.findVendor(claim.vendorId, manager);
    const vendorName = claim.senderName ?? vendor?.name ?? this.config.MAIL_SENDER_NAME;
    const language = await this.settings.language(claim.vendorId, manager);
    const rendered = renderEmail({ ...claim.letter, vendorName } as Letter, language);
    await this.emails.insert(manager, {
      id: randomUUID(),
      vendorId: claim.vendorId,
      keyId: claim.keyId,
      keyCode: claim.keyCode,
      message: claim.letter.message,
      causedByEventId: claim.cause.id,
      causedByEventType: claim.cause.type,
      recipient: claim.recipient.toLowerCase(),
      language,
      senderName: vendorName,
      subject: rendered.subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
    });
  }

  /**
   * One round of the mail worker: takes the e-mails that are due (at most MAIL_CONCURRENCY,
   * disjoint from other instances'), sends them in parallel and records each outcome. Returns
   * how many it took.
   */
  async sendDue(): Promise<number> {
    const taken = await this.emails.takeDue(
      this.config.MAIL_CONCURRENCY,
      this.config.MAIL_SEND_TIMEOUT_MS * LEASE_FACTOR,
    );
    await Promise.all(taken.map((email) => this.sendOne(email)));
    return taken.length;
  }

  private async sendOne(email: EmailRecord): Promise<void> {
    try {
      await this.mailer.send({
        id: email.id,
        senderName: email.senderName,
        recipient: email.recipient,
        subject: email.subject,
        text: email.bodyText,
        html: email.bodyHtml,
      });
    } catch (error) {
      const failure = error instanceof SendFailure ? error : new SendFailure(String(error), false);
      // An unreachable server is not the message's fault: it waits (capped backoff) and never fails for it.
      const final = !failure.outage && email.refusals + 1 >= this.config.MAIL_MAX_ATTEMPTS;
      const delayMs = backoffDelayMs(email.attempts, this.config.MAIL_RETRY_BASE_MS, this.config.MAIL_RETRY_CAP_MS);
      await this.emails.markFailed(email.id, email.attempts, {
        error: failure.message,
        refused: !failure.outage,
        final,
        delayMs,
      });
      if (final)
        this.logger.warn(`e-mail ${email.id} failed for good after ${email.attempts} attempts: ${failure.message}`);
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.emails.markSent(manager, email.id, email.attempts))) return;
      await enqueue(
        manager,
        createEvent(NotificationSent, {
          id: email.id,
          vendorId: email.vendorId,
          subject: email.keyId ?? email.vendorId,
          data: {
            notificationId: email.id,
            channel: 'EMAIL',
            type: email.causedByEventType,
            recipient: email.recipient,
            causedByEventId: email.causedByEventId,
          },
        }),
      );
    });
  }
}
