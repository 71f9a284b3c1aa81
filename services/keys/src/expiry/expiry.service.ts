import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  createEvent,
  EventDefinition,
  LicenseExpired,
  LicenseExpiringSoon,
  LicenseExpiryData,
  LicenseKind,
} from '@licensing/events';
import { enqueueMany } from '@licensing/kafka';
import { KeysConfig } from '../config';
import { DAY_MS } from '../license/license.service';

interface Due {
  id: string;
  vendor_id: string;
  key_id: string;
  code: string;
  product_code: string;
  kind: LicenseKind;
  expires_at: Date;
  email: string | null;
}

/** One kind of notice: which licenses are due, and which columns record that it was sent. */
interface Notice {
  name: string;
  event: EventDefinition<LicenseExpiryData>;
  /** Condition on `l` with $1 = now. */
  due: string;
  marks: string;
  daysLeft: (expiresAt: Date, now: Date) => number;
}

const NOTICES: Notice[] = [
  {
    // Runs before the 7-day notice, so a license found with a day or less left gets only this one.
    name: 'expiring in a day',
    event: LicenseExpiringSoon,
    due: `l.expires_at > $1::timestamptz AND l.expires_at <= $1::timestamptz + interval '1 day' AND l.reminded_1d_at IS NULL`,
    marks: 'reminded_1d_at = $1::timestamptz, reminded_7d_at = coalesce(l.reminded_7d_at, $1::timestamptz)',
    daysLeft: () => 1,
  },
  {
    name: 'expiring within 7 days',
    event: LicenseExpiringSoon,
    due: `l.expires_at > $1::timestamptz + interval '1 day' AND l.expires_at <= $1::timestamptz + interval '7 days' AND l.reminded_7d_at IS NULL`,
    marks: 'reminded_7d_at = $1::timestamptz',
    daysLeft: (expiresAt, now) => Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS),
  },
  {
    name: 'expired',
    event: LicenseExpired,
    due: `l.expires_at <= $1::timestamptz`,
    marks:
      'expired_notified_at = $1::timestamptz, reminded_1d_at = coalesce(l.reminded_1d_at, $1::timestamptz), reminded_7d_at = coalesce(l.reminded_7d_at, $1::timestamptz)',
    daysLeft: () => 0,
  },
];

/**
 * Emits license.expiring-soon (7 days and 1 day before the end, once each) and
 * license.expired for active licenses of live keys. Each batch claims its rows with one
 * conditional UPDATE over rows locked with SKIP LOCKED, and writes the events in the same
 * transaction: any number of instances can run it at once, and each notice goes out once.
 * A license whose term changes is re-armed (LicenseRepository.update clears the marks).
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ExpiryScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: KeysConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.EXPIRY_SCAN_MS <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error: unknown) => this.logger.error(`expiry scan failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, this.config.EXPIRY_SCAN_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every notice; returns how many events of each it wrote. */
  async runOnce(now = new Date(), batchSize = 500): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const notice of NOTICES) {
      counts[notice.name] = 0;
      for (;;) {
        const sent = await this.dataSource.transaction((manager) => this.claimBatch(manager, notice, now, batchSize));
        counts[notice.name] += sent;
        if (sent < batchSize) break;
      }
    }
    return counts;
  }

  private async claimBatch(manager: EntityManager, notice: Notice, now: Date, batchSize: number): Promise<number> {
    const rows = (await manager.query(
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
    )) as Due[];
    await enqueueMany(
      manager,
      rows.map((r) =>
        createEvent(notice.event, {
          vendorId: r.vendor_id,
          subject: r.key_id,
          data: {
            licenseId: r.id,
            keyId: r.key_id,
            keyCode: r.code,
            productCode: r.product_code,
            kind: r.kind,
            expiresAt: new Date(r.expires_at).toISOString(),
            daysLeft: notice.daysLeft(new Date(r.expires_at), now),
            email: r.email,
          },
        }),
      ),
    );
    return rows.length;
  }
}
