import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Language } from '../settings/settings.entity';
import { EmailMessage } from './templates';

export const EMAIL_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * One e-mail: claimed once per (causing event, message, recipient) by a unique constraint, in
 * the transaction that records the event as processed, rendered then, and sent by the mail
 * worker. PENDING waits for its next attempt; SENDING is held by a worker until
 * next_attempt_at (its lease); SENT and FAILED are final.
 */
@Entity('emails')
export class EmailRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId!: string | null;

  @Column({ name: 'key_code', type: 'text', nullable: true })
  keyCode!: string | null;

  @Column({ type: 'text' })
  message!: EmailMessage;

  @Column({ name: 'caused_by_event_id', type: 'uuid' })
  causedByEventId!: string;

  @Column({ name: 'caused_by_event_type', type: 'text' })
  causedByEventType!: string;

  /** Lower case. */
  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'text' })
  language!: Language;

  @Column({ name: 'sender_name', type: 'text' })
  senderName!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'body_text', type: 'text' })
  bodyText!: string;

  @Column({ name: 'body_html', type: 'text' })
  bodyHtml!: string;

  @Column({ type: 'text' })
  status!: EmailStatus;

  @Column({ type: 'int' })
  attempts!: number;

  /** Attempts the SMTP server refused (an unreachable server does not count). */
  @Column({ type: 'int' })
  refusals!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
