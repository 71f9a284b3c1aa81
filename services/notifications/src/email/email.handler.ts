import { Injectable } from '@nestjs/common';
import { CouponActivated, KeyRegistered, LicenseExpired, LicenseExpiringSoon } from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { EmailService } from './email.service';

/** The events that cause e-mails to clients; each becomes one claim in the consumer's transaction. */
@Injectable()
export class EmailHandler implements EventHandlerRegistry {
  constructor(private readonly emails: EmailService) {}

  register(consumer: EventConsumer): void {
    consumer
      .on(KeyRegistered, (e, m) => this.emails.onKeyRegistered(m, e))
      .on(CouponActivated, (e, m) => this.emails.onCouponActivated(m, e))
      .on(LicenseExpiringSoon, (e, m) => this.emails.onLicenseExpiry(m, e, false))
      .on(LicenseExpired, (e, m) => this.emails.onLicenseExpiry(m, e, true));
  }
}
