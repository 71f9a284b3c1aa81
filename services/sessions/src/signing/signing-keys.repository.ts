import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { row, updated } from '@licensing/database';
import { SigningKeyRecord } from './signing-key.entity';

/** The vendors' signing keys; every query names the vendor. */
@Injectable()
export class SigningKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findActive(vendorId: string): Promise<SigningKeyRecord | null> {
    return this.dataSource.getRepository(SigningKeyRecord).findOneBy({ vendorId, status: 'ACTIVE' });
  }

  findByKid(vendorId: string, kid: string): Promise<SigningKeyRecord | null> {
    return this.dataSource.getRepository(SigningKeyRecord).findOneBy({ vendorId, kid });
  }

  /** The keys that verify (ACTIVE and PUBLISHED), oldest first. */
  findPublished(vendorId: string): Promise<SigningKeyRecord[]> {
    return this.dataSource
      .getRepository(SigningKeyRecord)
      .find({ where: { vendorId, status: In(['ACTIVE', 'PUBLISHED']) }, order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  /** The verifying keys of the vendor with this key-code prefix, oldest first. */
  findPublishedByPrefix(vendorPrefix: string): Promise<SigningKeyRecord[]> {
    return this.dataSource.getRepository(SigningKeyRecord).find({
      where: { vendorPrefix, status: In(['ACTIVE', 'PUBLISHED']) },
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
  }

  /**
   * Stores `key` as the vendor's ACTIVE key unless the vendor has one already (another
   * instance won the race); whether it was stored.
   */
  async insertActive(vendorId: string, key: NewSigningKey): Promise<boolean> {
    const { count } = await updated(
      this.dataSource.manager,
      `INSERT INTO signing_keys (kid, vendor_id, vendor_prefix, status, public_x, sealed_private_key)
       VALUES ($1, $2, $3, 'ACTIVE', $4, $5)
       ON CONFLICT (vendor_id) WHERE status = 'ACTIVE' DO NOTHING`,
      [key.kid, vendorId, key.vendorPrefix, key.publicX, key.sealedPrivateKey],
    );
    return count === 1;
  }

  /**
   * Makes `key` the vendor's ACTIVE key and its ACTIVE key (if any) PUBLISHED, in one
   * transaction under a lock per vendor, so concurrent rotations run one after the other.
   */
  async rotate(vendorId: string, key: NewSigningKey): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await row(manager, `SELECT pg_advisory_xact_lock(hashtext('signing-keys:' || $1::text))`, [vendorId]);
      await updated(
        manager,
        `UPDATE signing_keys SET status = 'PUBLISHED', rotated_at = now() WHERE vendor_id = $1 AND status = 'ACTIVE'`,
        [vendorId],
      );
      await updated(
        manager,
        `INSERT INTO signing_keys (kid, vendor_id, vendor_prefix, status, public_x, sealed_private_key)
         VALUES ($1, $2, $3, 'ACTIVE', $4, $5)`,
        [key.kid, vendorId, key.vendorPrefix, key.publicX, key.sealedPrivateKey],
      );
    });
  }

  /** Retires a PUBLISHED key of the vendor that stopped signing before `rotatedBefore`; the row, if it did. */
  async retire(vendorId: string, kid: string, rotatedBefore: Date): Promise<SigningKeyRecord | undefined> {
    const { rows } = await updated<{ kid: string }>(
      this.dataSource.manager,
      `UPDATE signing_keys SET status = 'RETIRED', retired_at = now()
       WHERE vendor_id = $1 AND kid = $2 AND status = 'PUBLISHED' AND rotated_at < $3
       RETURNING kid`,
      [vendorId, kid, rotatedBefore],
    );
    return rows[0] ? ((await this.findByKid(vendorId, kid)) ?? undefined) : undefined;
  }
}

/** A key about to be stored. */
export interface NewSigningKey {
  kid: string;
  vendorPrefix: string;
  publicX: string;
  sealedPrivateKey: string;
}
