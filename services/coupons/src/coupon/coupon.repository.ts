import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { rows, transactionClient, updated } from '@licensing/database';
import { CouponType } from '@licensing/events';
import { CouponBatchRecord, CouponRecord, CouponStatus } from './coupon.entity';

export interface CouponFilterValues {
  batchId?: string | null;
  type?: CouponType | null;
  status?: CouponStatus | null;
  distributorId?: string | null;
}

export interface CouponStatisticRow {
  distributorId: string | null;
  productId: string;
  productCode: string;
  type: CouponType;
  generated: number;
  activated: number;
}

/**
 * Coupon batches and coupons. A coupon is always loaded with its batch's terms. Reads are
 * limited to one vendor, except a coupon by code for an activation, which finds the vendor.
 */
@Injectable()
export class CouponRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private coupons(manager?: EntityManager): SelectQueryBuilder<CouponRecord> {
    return (manager ?? this.dataSource.manager)
      .getRepository(CouponRecord)
      .createQueryBuilder('c')
      .innerJoinAndSelect('c.batch', 'b');
  }

  /** The batch row and its coupons, inside the caller's transaction. */
  async insertBatch(manager: EntityManager, batch: CouponBatchRecord, codes: readonly string[]): Promise<void> {
    await manager.getRepository(CouponBatchRecord).insert(batch);
    await this.copyCoupons(manager, batch, codes);
  }

  /**
   * Writes a batch's coupons with one COPY on the transaction's own connection: the
   * fastest way into Postgres, and still inside the transaction that writes the batch and
   * its event. COPY cannot skip a duplicate code; with 100 random bits a collision is about
   * 2^-100 per pair, and if one ever happens the transaction fails as a whole (unique
   * violation on coupons_pkey) and the caller draws a new batch.
   */
  private async copyCoupons(manager: EntityManager, batch: CouponBatchRecord, codes: readonly string[]): Promise<void> {
    const client = transactionClient(manager);
    const tail = `\t${batch.vendorId}\t${batch.id}\t${batch.createdAt.toISOString()}\n`;
    function* lines(): Generator<string> {
      let chunk = '';
      for (let i = 0; i < codes.length; i++) {
        chunk += `${codes[i]}\t${randomUUID()}${tail}`;
        if (i % 2000 === 1999) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(
      Readable.from(lines()),
      client.query(copyFrom('COPY coupons (code, id, vendor_id, batch_id, created_at) FROM STDIN')),
    );
  }

  findBatchById(vendorId: string, id: string): Promise<CouponBatchRecord | null> {
    return this.dataSource.getRepository(CouponBatchRecord).findOneBy({ vendorId, id });
  }

  /**
   * A coupon by its canonical code, of the vendor or (`vendorId` undefined, for an
   * activation) of any vendor. Not locked: its batch's terms never change, and whether a
   * single-use coupon is still free is decided by `take`, not by this read.
   */
  findByCode(vendorId: string | undefined, code: string, manager?: EntityManager): Promise<CouponRecord | null> {
    const query = this.coupons(manager).where('c.code = :code', { code });
    if (vendorId) query.andWhere('c.vendorId = :vendorId', { vendorId });
    return query.getOne();
  }

  /**
   * Takes a coupon: NEW becomes ACTIVATED in one conditional statement, so of any number of
   * concurrent activations exactly one finds it NEW (the others wait for its row lock, then
   * find it taken). False when it was taken already.
   */
  async take(manager: EntityManager, code: string): Promise<boolean> {
    const { count } = await updated(
      manager,
      `UPDATE coupons SET status = 'ACTIVATED' WHERE code = $1 AND status = 'NEW'`,
      [code],
    );
    return count > 0;
  }

  async markDeactivated(manager: EntityManager, code: string): Promise<void> {
    await manager.getRepository(CouponRecord).update({ code }, { status: 'DEACTIVATED' });
  }

  /**
   * A page in generation order after the coupon with insertion number `afterSeq` (one row
   * more than `first`, to tell whether another page follows), and the total.
   */
  async findPage(
    vendorId: string,
    filter: CouponFilterValues,
    first: number,
    afterSeq?: string,
  ): Promise<{ coupons: CouponRecord[]; total: number }> {
    // The batch filters are a subquery rather than a condition on the join, so the count
    // needs no join (and no count of distinct codes).
    const where = <T extends SelectQueryBuilder<CouponRecord>>(query: T): T => {
      query.where('c.vendorId = :vendorId', { vendorId });
      if (filter.batchId) query.andWhere('c.batchId = :batchId', { batchId: filter.batchId });
      if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
      if (filter.type || filter.distributorId) {
        const batches = query.subQuery().select('f.id').from(CouponBatchRecord, 'f').where('f.vendorId = :vendorId');
        if (filter.type) batches.andWhere('f.type = :type', { type: filter.type });
        if (filter.distributorId)
          batches.andWhere('f.distributorId = :distributorId', { distributorId: filter.distributorId });
        query.andWhere(`c.batchId IN ${batches.getQuery()}`);
      }
      return query;
    };
    const page = where(this.coupons());
    if (afterSeq) page.andWhere('c.seq > :afterSeq', { afterSeq });
    const [coupons, total] = await Promise.all([
      page
        .orderBy('c.seq')
        .limit(first + 1)
        .getMany(),
      where(this.dataSource.getRepository(CouponRecord).createQueryBuilder('c')).getCount(),
    ]);
    return { coupons, total };
  }

  /**
   * Generated coupons (by batch creation) and live activations in [from, to), per
   * distributor, product and type. A coupon granting two products counts for each.
   */
  findStatistics(vendorId: string, from: Date, to: Date): Promise<CouponStatisticRow[]> {
    return rows<CouponStatisticRow>(
      this.dataSource,
      `WITH generated AS (
         SELECT b.distributor_id, g->>'productId' AS product_id, g->>'productCode' AS product_code, b.type,
                sum(b.count)::int AS n
           FROM coupon_batches b CROSS JOIN jsonb_array_elements(b.grants) g
          WHERE b.vendor_id = $1 AND b.created_at >= $2 AND b.created_at < $3
          GROUP BY 1, 2, 3, 4
       ), activated AS (
         SELECT b.distributor_id, g->>'productId' AS product_id, g->>'productCode' AS product_code, b.type,
                count(*)::int AS n
           FROM activations a
           JOIN coupons c ON c.code = a.coupon_code
           JOIN coupon_batches b ON b.id = c.batch_id
           CROSS JOIN jsonb_array_elements(b.grants) g
          WHERE a.vendor_id = $1 AND a.activated_at >= $2 AND a.activated_at < $3 AND a.deactivated_at IS NULL
          GROUP BY 1, 2, 3, 4
       )
       SELECT coalesce(g.distributor_id, a.distributor_id) AS "distributorId",
              coalesce(g.product_id, a.product_id) AS "productId",
              coalesce(g.product_code, a.product_code) AS "productCode",
              coalesce(g.type, a.type) AS type,
              coalesce(g.n, 0) AS generated, coalesce(a.n, 0) AS activated
         FROM generated g
         FULL JOIN activated a
           ON coalesce(a.distributor_id::text, '') = coalesce(g.distributor_id::text, '') AND a.product_id = g.product_id AND a.type = g.type
        ORDER BY 1 NULLS FIRST, 2, 4`,
      [vendorId, from, to],
    );
  }
}
