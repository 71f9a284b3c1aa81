import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DAY_MS } from '@licensing/domain';
import {
  createEvent,
  EventDefinition,
  LicenseExpired,
  LicenseExpiringSoon,
  LicenseExpiryData,
} from '@licensing/events';
import { enqueueMany } from '@licensing/kafka';
import { InjectKeysConfig, KeysConfig } from '../config';
import { ExpiryRepository, NoticeKind } from './expiry.repository';

/** One kind of notice: its event and the days left it reports. */
interface Notice {
  name: string;
  kind: NoticeKind;
  event: EventDefinition<LicenseExpiryData>;
  daysLeft: (expiresAt: Date, now: Date) => number;
}

/** In this order: a license found with a day or less left gets only the one-day notice. */
const NOTICES: Notice[] = [
  { name: 'expiring in a day', kind: 'one-day', event: LicenseExpiringSoon, daysLeft: () => 1 },
  {
    name: 'expiring within 7 days',
    kind: 'seven-days',
    event: LicenseExpiringSoon,
    daysLeft: (expiresAt, now) => Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS),
  },
  { name: 'expired', kind: 'expired', event: LicenseExpired, daysLeft: () => 0 },
];

/**
 * Emits license.expiring-soon (7 days and 1 day before the end, once each) and
 * license.expired for active licenses of live keys. Each batch claims its rows with one
 * conditional statement and writes the events in the same transaction: any number of
 * instances can run it at once, and each notice goes out once. A license whose term
 * changes is re-armed (LicenseRepository.save clears the marks).
 */
@Injectable()
export class ExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ExpiryScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly expiry: ExpiryRepository,
    @InjectKeysConfig() private readonly config: KeysConfig,
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
        const sent = await this.dataSource.transaction((manager) => this.sendBatch(manager, notice, now, batchSize));
        counts[notice.name] += sent;
        if (sent < batchSize) break;
      }
    }
    return counts;
  }

  private async sendBatch(manager: EntityManager, notice: Notice, now: Date, batchSize: number): Promise<number> {
    const due = await this.expiry.claimDue(notice.kind, now, batchSize, manager);
    await enqueueMany(
      manager,
      due.map((r) =>
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
    return due.length;
  }
}
