import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { rows } from '@licensing/database';
import { LicenseKind } from '@licensing/events';

/** A license a notice is due for, with what the notice tells. */
export interface DueLicense {
  id: string;
  vendor_id: string;
  key_id: string;
  code: string;
  product_code: string;
  kind: LicenseKind;
  expires_at: Date;
  email: string | null;
}

/** The notices, each with its condition on `l` ($1 = now) and the columns that record it was sent. */
const NOTICE_SQL = {
  // Claimed before the 7-day notice, so a license found with a day or less left gets only this one.
  'one-day': {
    due: `l.expires_at > $1::timestamptz AND l.expires_at <= $1::timestamptz + interval '1 day' AND l.reminded_1d_at IS NULL`,
    marks: 'reminded_1d_at = $1::timestamptz, reminded_7d_at = coalesce(l.reminded_7d_at, $1::timestamptz)',
  },
  'seven-days': {
    due: `l.expires_at > $1::timestamptz + interval '1 day' AND l.expires_at <= $1::timestamptz + interval '7 days' AND l.reminded_7d_at IS NULL`,
    marks: 'reminded_7d_at = $1::timestamptz',
  },
  expired: {
    due: `l.expires_at <= $1::timestamptz`,
    marks:
      'expired_notified_at = $1::timestamptz, reminded_1d_at = coalesce(l.reminded_1d_at, $1::timestamptz), reminded_7d_at = coalesce(l.reminded_7d_at, $1::timestamptz)',
  },
} as const;

export type NoticeKind = keyof typeof NOTICE_SQL;

/**
 * The expiry notices' claims over the licenses of live keys, across vendors (the scheduler
 * serves every vendor; each notice carries its license's vendor).
 */
@Injectable()
export class ExpiryRepository {
  /**
   * Claims up to `batchSize` active licenses a notice of this kind is due for: one
   * conditional UPDATE over rows locked with SKIP LOCKED, so instances scanning at the same
   * time claim different rows and each license once.
   */
  claimDue(kind: NoticeKind, now: Date, batchSize: number, manager: EntityManager): Promise<DueLicense[]> {
    const notice = NOTICE_SQL[kind];
    return rows<DueLicense>(
      manager,
      `WITH due AS (
         SELECT l.id FROM licenses l
           JOIN license_keys k ON k.id = l.key_id AND k.deleted_at IS NULL
          WHERE l.active AND l.expires_at IS NOT NULL AND l.expired_notified_at IS NULL AND ${notice.due}
          ORDER BY l.expires_at
          LIMIT $2
          FOR UPDATE OF l SKIP LOCKED
       ), claimed AS (
         UPDATE licenses l SET ${notice.marks} FROM due WHERE l.id = due.id
         RETURNING l.id, l.vendor_id, l.key_id, l.product_id, l.kind, l.expires_at
       )
       SELECT claimed.id, claimed.vendor_id, claimed.key_id, k.code, p.code AS product_code, claimed.kind,
              claimed.expires_at, c.email
         FROM claimed
         JOIN license_keys k ON k.id = claimed.key_id
         JOIN clients c ON c.id = k.client_id
         JOIN products p ON p.id = claimed.product_id`,
      [now, batchSize],
    );
  }
}
