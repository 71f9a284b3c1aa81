import { Injectable } from '@nestjs/common';
import { normalizeKeyCode } from '@licensing/domain';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { assertPageSize } from '@licensing/platform';
import { EmailService } from '../email/email.service';
import { Notification } from '../email/email.types';
import { ReadModelService } from '../read-model/read-model.service';
import { WebhookService } from '../webhook/webhook.service';

/**
 * Newest first. Equal times (to the millisecond: one fan-out writes many deliveries within
 * one) keep the order each list came in, newest first by its sequence (the sort is stable),
 * so a shorter page is always the start of a longer one.
 */
function newestFirst(a: Notification, b: Notification): number {
  return b.createdAt.getTime() - a.createdAt.getTime();
}

/**
 * What went out because of a vendor's events, for the key card and support: the e-mails and
 * the webhook deliveries in one list, newest first.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly emails: EmailService,
    private readonly webhooks: WebhookService,
    private readonly readModel: ReadModelService,
  ) {}

  /** The vendor's notifications, newest first; of one key's events when keyCode is given (as typed). */
  async list(vendorId: string, keyCode: string | null | undefined, first = 50): Promise<Notification[]> {
    assertPageSize(first, 200);
    let keyId: string | undefined;
    let code: string | null = null;
    if (keyCode !== null && keyCode !== undefined) {
      code = normalizeKeyCode(keyCode) ?? null;
      if (!code) throw new BadInputError('keyCode', 'keyCode is not a license key code');
      const key = await this.readModel.findKeyByCode(vendorId, code);
      if (!key) throw new NotFoundError('License key', 'keyCode');
      keyId = key.keyId;
    }
    // Each list is already newest first: the first `first` of both together are among them.
    const [emails, deliveries] = await Promise.all([
      this.emails.listOf(vendorId, keyId, first),
      this.webhooks.notificationsOf(vendorId, keyId, first),
    ]);
    const merged: Notification[] = [...emails, ...deliveries].sort(newestFirst).slice(0, first);
    // A delivery knows its key by id only: the code comes from the read model.
    const unnamed = deliveries.filter((d) => d.keyId !== null && merged.includes(d));
    const codes = code
      ? new Map(unnamed.map((d) => [d.keyId!, code]))
      : await this.readModel.keyCodes(vendorId, [...new Set(unnamed.map((d) => d.keyId!))]);
    for (const d of unnamed) d.keyCode = codes.get(d.keyId!) ?? null;
    return merged;
  }
}
