import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updated } from '@licensing/database';
import { BindingRecord } from './binding.entity';

export type NewBinding = Omit<BindingRecord, 'seq' | 'createdAt' | 'lastSeenAt'>;

/** What a reset tells: the binding that is gone. */
export type DeletedBinding = Pick<BindingRecord, 'id' | 'keyId' | 'productId' | 'hostFingerprint' | 'hostName'>;

/** Host bindings in Postgres. Every read and write is limited to one vendor. */
@Injectable()
export class BindingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * Serializes the seat decisions of one (key, product) until the transaction ends: the
   * count of its bindings cannot change under a decision. Unrelated pairs whose 64-bit
   * hashes collide only wait for each other.
   */
  async lockSeats(manager: EntityManager, keyId: string, productId: string): Promise<void> {
    await updated(manager, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `host-bindings:${keyId}:${productId}`,
    ]);
  }

  findByHost(
    vendorId: string,
    keyId: string,
    productId: string,
    hostFingerprint: string,
    manager?: EntityManager,
  ): Promise<BindingRecord | null> {
    return this.m(manager).getRepository(BindingRecord).findOneBy({ vendorId, keyId, productId, hostFingerprint });
  }

  findByProduct(vendorId: string, keyId: string, productId: string, manager?: EntityManager): Promise<BindingRecord[]> {
    return this.m(manager)
      .getRepository(BindingRecord)
      .find({ where: { vendorId, keyId, productId }, order: { seq: 'ASC' } });
  }

  findByKey(vendorId: string, keyId: string): Promise<BindingRecord[]> {
    return this.m()
      .getRepository(BindingRecord)
      .find({ where: { vendorId, keyId }, order: { seq: 'ASC' } });
  }

  /** Deletes one binding of the vendor (of one key, when given); what it deleted. */
  async deleteById(manager: EntityManager, vendorId: string, id: string, keyId?: string): Promise<DeletedBinding[]> {
    const { rows } = await updated<DeletedBinding>(
      manager,
      `DELETE FROM host_bindings WHERE vendor_id = $1 AND id = $2 AND ($3::uuid IS NULL OR key_id = $3)
       RETURNING id, key_id AS "keyId", product_id AS "productId", host_fingerprint AS "hostFingerprint",
                 host_name AS "hostName"`,
      [vendorId, id, keyId ?? null],
    );
    return rows;
  }

  /** Deletes every binding of a key (of one product, when given); what it deleted, oldest first. */
  async deleteByKey(
    manager: EntityManager,
    vendorId: string,
    keyId: string,
    productId: string | null,
  ): Promise<DeletedBinding[]> {
    const { rows } = await updated<DeletedBinding & { seq: string }>(
      manager,
      `DELETE FROM host_bindings WHERE vendor_id = $1 AND key_id = $2 AND ($3::uuid IS NULL OR product_id = $3)
       RETURNING id, seq, key_id AS "keyId", product_id AS "productId", host_fingerprint AS "hostFingerprint",
                 host_name AS "hostName"`,
      [vendorId, keyId, productId],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  /** Deletes the newest bindings of a (key, product) beyond the first `keep`; what it deleted. */
  async deleteNewestOver(
    manager: EntityManager,
    vendorId: string,
    keyId: string,
    productId: string,
    keep: number,
  ): Promise<DeletedBinding[]> {
    const { rows } = await updated<DeletedBinding & { seq: string }>(
      manager,
      `DELETE FROM host_bindings WHERE id IN (
         SELECT id FROM host_bindings WHERE vendor_id = $1 AND key_id = $2 AND product_id = $3
          ORDER BY seq OFFSET $4)
       RETURNING id, seq, key_id AS "keyId", product_id AS "productId", host_fingerprint AS "hostFingerprint",
                 host_name AS "hostName"`,
      [vendorId, keyId, productId, keep],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  countByProduct(vendorId: string, keyId: string, productId: string, manager: EntityManager): Promise<number> {
    return manager.getRepository(BindingRecord).countBy({ vendorId, keyId, productId });
  }

  async insert(manager: EntityManager, binding: NewBinding): Promise<BindingRecord> {
    await manager.getRepository(BindingRecord).insert(binding);
    return manager.getRepository(BindingRecord).findOneByOrFail({ vendorId: binding.vendorId, id: binding.id });
  }

  /** Moves lastSeenAt forward (never back) for many bindings in one statement. */
  async saveLastSeen(seen: ReadonlyMap<string, Date>): Promise<number> {
    if (!seen.size) return 0;
    const { count } = await updated(
      this.dataSource,
      `UPDATE host_bindings b SET last_seen_at = greatest(b.last_seen_at, s.at)
         FROM unnest($1::uuid[], $2::timestamptz[]) AS s(id, at)
        WHERE b.id = s.id`,
      [[...seen.keys()], [...seen.values()]],
    );
    return count;
  }
}
