import { Inject } from '@nestjs/common';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ServiceConfig } from '@licensing/config';
import { SERVICE_CONFIG } from '@licensing/platform';

export class NotificationsConfig extends ServiceConfig {
  override PORT = 4004;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  override DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/licensing_notifications';

  /** The SMTP server e-mails go out through; the default is the local stack's mail catcher. */
  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'SMTP_HOST must be a host name or an address' })
  SMTP_HOST = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 1025;

  /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
  @IsIn(['true', 'false'], { message: 'SMTP_SECURE must be true or false' })
  SMTP_SECURE = 'false';

  /** With SMTP_PASSWORD, or neither (no authentication). */
  @IsOptional()
  @IsString()
  @ValidateIf((c: NotificationsConfig) => c.SMTP_PASSWORD !== '')
  @Matches(/^.+$/, { message: 'SMTP_USER must be set when SMTP_PASSWORD is' })
  SMTP_USER = '';

  @IsOptional()
  @IsString()
  @ValidateIf((c: NotificationsConfig) => c.SMTP_USER !== '')
  @Matches(/^.+$/, { message: 'SMTP_PASSWORD must be set when SMTP_USER is' })
  SMTP_PASSWORD = '';

  /** The sender address of every e-mail; the vendor's name is its display name. */
  @IsEmail({ require_tld: false }, { message: 'MAIL_FROM must be an e-mail address' })
  MAIL_FROM = 'no-reply@licensing.localhost';

  /** The sender name when the vendor's name is not known yet. */
  @IsString()
  @Matches(/^[^\r\n"<>]{1,100}$/, { message: 'MAIL_SENDER_NAME must be 1 to 100 characters, no quotes or brackets' })
  MAIL_SENDER_NAME = 'Licensing';

  /** Where clients log in with their key; named in the key letter. */
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: 'CLIENT_CABINET_URL must be an http(s) URL' })
  CLIENT_CABINET_URL = 'http://localhost:4000/cabinet';

  /** How often each instance looks for e-mails due; 0 turns the mail worker off on this instance. */
  @IsInt()
  @Min(0)
  MAIL_POLL_MS = 500;

  /** E-mails sent in parallel by one instance. */
  @IsInt()
  @Min(1)
  @Max(100)
  MAIL_CONCURRENCY = 5;

  /** Attempts at a message the SMTP server refuses before it is recorded as FAILED (an unreachable server never counts). */
  @IsInt()
  @Min(1)
  MAIL_MAX_ATTEMPTS = 10;

  /** Backoff between attempts: exponential from the base, capped, with jitter. */
  @IsInt()
  @Min(1)
  MAIL_RETRY_BASE_MS = 5_000;

  @IsInt()
  @Min(1)
  MAIL_RETRY_CAP_MS = 900_000;

  /** One SMTP conversation's time limit (connect, greeting, data). */
  @IsInt()
  @Min(100)
  MAIL_SEND_TIMEOUT_MS = 30_000;

  /**
   * The key webhook secrets are sealed with (AES-256-GCM): 32 bytes in base64. Required in
   * production; elsewhere, when empty, a key derived from IDENTITY_SIGNING_SECRET is used.
   */
  @ValidateIf((c: NotificationsConfig) => c.NODE_ENV === 'production' || c.WEBHOOK_SECRET_KEY !== '')
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'WEBHOOK_SECRET_KEY must be 32 bytes in base64 (required in production)',
  })
  WEBHOOK_SECRET_KEY = '';

  /**
   * Development only: lets webhook URLs be http and resolve to loopback (a receiver on this
   * machine). Private, link-local and metadata addresses stay refused. Refused in production.
   */
  @IsIn(['true', 'false'], { message: 'WEBHOOK_ALLOW_LOOPBACK must be true or false' })
  @ValidateIf((c: NotificationsConfig) => c.NODE_ENV === 'production')
  @Matches(/^false$/, { message: 'WEBHOOK_ALLOW_LOOPBACK cannot be true in production' })
  WEBHOOK_ALLOW_LOOPBACK = 'false';

  /** One delivery's time limit (connect to the last byte of the answer). */
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** How often each instance looks for deliveries due; 0 turns the webhook worker off on this instance. */
  @IsInt()
  @Min(0)
  WEBHOOK_POLL_MS = 200;

  /** Deliveries in flight on one instance, all endpoints together. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  WEBHOOK_CONCURRENCY = 50;

  /** Deliveries in flight to one endpoint, all instances together: a slow receiver holds no more. */
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_ENDPOINT_CONCURRENCY = 4;

  /** Attempts at a delivery before it fails and its endpoint is disabled (12 ≈ 24 h with the defaults below). */
  @IsInt()
  @Min(1)
  WEBHOOK_MAX_ATTEMPTS = 12;

  @IsInt()
  @Min(1)
  WEBHOOK_RETRY_BASE_MS = 60_000;

  @IsInt()
  @Min(1)
  WEBHOOK_RETRY_CAP_MS = 28_800_000;
}

/** Injects the NotificationsConfig that main.ts validated and SubgraphModule provides. */
export const InjectNotificationsConfig = () => Inject(SERVICE_CONFIG);

/** Whether webhooks may go to http and loopback addresses: the development setting, never in production. */
export function webhookLoopbackAllowed(
  config: Pick<NotificationsConfig, 'WEBHOOK_ALLOW_LOOPBACK' | 'NODE_ENV'>,
): boolean {
  return config.WEBHOOK_ALLOW_LOOPBACK === 'true' && config.NODE_ENV !== 'production';
}
