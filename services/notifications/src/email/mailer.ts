import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';

/** What the mailer sends: one rendered e-mail. */
export interface OutgoingEmail {
  id: string;
  senderName: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Why a send failed: `outage` when the SMTP server could not be reached or the conversation
 * broke off (not the message's fault: it waits without counting against its attempts),
 * otherwise the server refused it.
 */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly outage: boolean,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

const OUTAGE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

/** Describes a nodemailer error without the message content (it never carries secrets). */
export function classifySendError(error: unknown): SendFailure {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown; response?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(error);
  const outage = responseCode === undefined && code !== undefined && OUTAGE_CODES.has(code);
  const label = responseCode ? `SMTP ${responseCode}` : (code ?? 'error');
  return new SendFailure(`${label}: ${text}`.slice(0, 1_000), outage);
}

/**
 * nodemailer over the SMTP server the environment names, pooled. The Message-ID derives from
 * the e-mail's id, so a copy sent again after a crash mid-send is recognisable as the same.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@InjectNotificationsConfig() private readonly config: NotificationsConfig) {
    this.transport = createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE === 'true',
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
      pool: true,
      maxConnections: config.MAIL_CONCURRENCY,
      connectionTimeout: config.MAIL_SEND_TIMEOUT_MS,
      greetingTimeout: config.MAIL_SEND_TIMEOUT_MS,
      socketTimeout: config.MAIL_SEND_TIMEOUT_MS,
      // A local catcher offers STARTTLS with a self-signed certificate; production verifies.
      tls: { rejectUnauthorized: config.NODE_ENV === 'production' },
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: { name: email.senderName, address: this.config.MAIL_FROM },
        to: email.recipient,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.id}@notifications.licensing>`,
        headers: { 'X-Licensing-Notification': email.id },
      });
    } catch (error) {
      throw classifySendError(error);
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
