import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LicenseCheckRecord } from './check.entity';

/** Recorded license checks; read by vendor only. */
@Injectable()
export class ChecksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The insert of several checks (a batch of ChecksService's group commit), for the caller to
   * run with their events: column arrays through unnest, so the statement's text is the same
   * for any batch size and no query builder runs per batch on the runtime's busiest write.
   */
  insertion(checks: readonly LicenseCheckRecord[]): { sql: string; params: unknown[] } {
    const column = <T>(pick: (c: LicenseCheckRecord) => T) => checks.map(pick);
    return {
      sql: `INSERT INTO license_checks (request_id, vendor_id, key_id, key_code, product_id, product_code, checked_at,
                                   active, valid_until, reason, message)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
                            $7::timestamptz[], $8::boolean[], $9::timestamptz[], $10::text[], $11::text[])`,
      params: [
        column((c) => c.requestId),
        column((c) => c.vendorId),
        column((c) => c.keyId),
        column((c) => c.keyCode),
        column((c) => c.productId),
        column((c) => c.productCode),
        column((c) => c.checkedAt.toISOString()),
        column((c) => c.active),
        column((c) => c.validUntil?.toISOString() ?? null),
        column((c) => c.reason),
        column((c) => c.message),
      ],
    };
  }

  findById(vendorId: string, requestId: string): Promise<LicenseCheckRecord | null> {
    return this.dataSource.getRepository(LicenseCheckRecord).findOneBy({ vendorId, requestId });
  }
}
