import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updated } from '@licensing/database';
import { EmailRecord } from './email.entity';

export type NewEmail = Omit<
  EmailRecord,
  'seq' | 'status' | 'attempts' | 'refusals' | 'nextAttemptAt' | 'lastError' | 'createdAt' | 'sentAt'
>;

/** The columns of an e-mail as SQL returns them. */
interface EmailRow {
  id: string;
  seq: string;
  vendor_id: string;
  key_id: string | null;
  key_code: string | null;
  message: EmailRecord['message'];
  caused_by_event_id: string;
  caused_by_event_type: string;
  recipient: string;
  language: EmailRecord['language'];
  sender_name: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: EmailRecord['status'];
  attempts: number;
  refusals: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

function toRecord(r: EmailRow): EmailRecord {
  return Object.assign(new EmailRecord(), {
    id: r.id,
    seq: r.seq,
    vendorId: r.vendor_id,
    keyId: r.key_id,
    keyCode: r.key_code,
    message: r.message,
    causedByEventId: r.caused_by_event_id,
    causedByEventType: r.caused_by_event_type,
    recipient: r.recipient,
    language: r.language,
    senderName: r.sender_name,
    subject: r.subject,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    status: r.status,
    attempts: r.attempts,
    refusals: r.refusals,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  });
}

@Injectable()
export class EmailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims an e-mail in the caller's transaction: the unique (event, message, recipient)
   * makes a second claim (a redelivery, another instance) a no-op. True when this call claimed it.
   */
  async insert(manager: EntityManager, email: NewEmail): Promise<boolean> {
    const { count } = await updated(
      manager,
      `INSERT INTO emails (id, vendor_id, key_id, key_code, message, caused_by_event_id, caused_by_event_type,
                           recipient, language, sender_name, subject, body_text, body_html)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT ON CONSTRAINT emails_once_key DO NOTHING
       RETURNING id`,
      [
        email.id,
        email.vendorId,
        email.keyId,
        email.keyCode,
        email.message,
        email.causedByEventId,
        email.causedByEventType,
        email.recipient,
        email.language,
        email.senderName,
        email.subject,
        email.bodyText,
        email.bodyHtml,
      ],
    );
    return count > 0;
  }

  findByCause(
    vendorId: string,
    causedByEventId: string,
    message: EmailRecord['message'],
    recipient: string,
  ): Promise<EmailRecord | null> {
    return this.dataSource.getRepository(EmailRecord).findOneBy({ vendorId, causedByEventId, message, recipient });
  }

  findById(vendorId: string, id: string): Promise<EmailRecord | null> {
    return this.dataSource.getRepository(EmailRecord).findOneBy({ vendorId, id });
  }

  /** The vendor's e-mails, newest first; of one key when keyId is given. */
  findPage(vendorId: string, keyId: string | undefined, first: number): Promise<EmailRecord[]> {
    return this.dataSource.getRepository(EmailRecord).find({
      where: keyId ? { vendorId, keyId } : { vendorId },
      order: { seq: 'DESC' },
      take: first,
    });
  }

  /**
   * Takes up to `limit` e-mails that are due, for `leaseMs`: PENDING ones whose next attempt
   * has come, and SENDING ones whose worker's lease ran out (it died mid-send). Each taken row
   * counts an attempt; SKIP LOCKED lets instances take disjoint rows. The choice is a
   * materialized CTE, run once: as `id IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)` the
   * planner may run the subquery again per row, each run skipping the rows the statement has
   * locked already, and take more than `limit` (webhook.repository.ts met exactly that).
   */
  async takeDue(limit: number, leaseMs: number): Promise<EmailRecord[]> {
    const { rows } = await updated<EmailRow>(
      this.dataSource,
      `WITH due AS MATERIALIZED (
         SELECT id FROM emails
          WHERE status IN ('PENDING', 'SENDING') AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE emails e SET status = 'SENDING', attempts = e.attempts + 1,
              next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM due
        WHERE e.id = due.id
        RETURNING e.*`,
      [limit, leaseMs],
    );
    return rows.map(toRecord);
  }

  /** Marks a taken e-mail SENT, if this worker still holds it (same attempt). */
  async markSent(manager: EntityManager, id: string, attempt: number): Promise<boolean> {
    const { count } = await updated(
      manager,
      `UPDATE emails SET status = 'SENT', sent_at = now(), last_error = NULL
        WHERE id = $1 AND status = 'SENDING' AND attempts = $2
        RETURNING id`,
      [id, attempt],
    );
    return count > 0;
  }

  /** Puts a taken e-mail back for a later attempt, or records it FAILED for good; a refusal is counted. */
  async markFailed(
    id: string,
    attempt: number,
    failure: { error: string; refused: boolean; final: boolean; delayMs: number },
  ): Promise<void> {
    await updated(
      this.dataSource,
      `UPDATE emails SET status = $3, last_error = $4, next_attempt_at = now() + $5 * interval '1 millisecond',
              refusals = refusals + $6
        WHERE id = $1 AND status = 'SENDING' AND attempts = $2`,
      [
        id,
        attempt,
        failure.final ? 'FAILED' : 'PENDING',
        failure.error.slice(0, 2_000),
        failure.delayMs,
        failure.refused ? 1 : 0,
      ],
    );
  }
}
