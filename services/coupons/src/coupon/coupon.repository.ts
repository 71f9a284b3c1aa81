import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { CouponType } from '@licensing/events';
import { CouponBatchView, CouponStatus, CouponView, grantViews, StoredGrant } from './coupon.types';

export interface NewBatch {
  id: string;
  vendorId: string;
  type: CouponType;
  count: number;
  reusable: boolean;
  distributorId: string | null;
  comment: string | null;
  upgradeKeyId: string | null;
  grants: StoredGrant[];
  createdAt: Date;
}

export interface CouponFilterSql {
  batchId?: string | null;
  type?: CouponType | null;
  status?: CouponStatus | null;
  distributorId?: string | null;
}

/** A coupon with what its batch says about it, as activation needs it. */
export interface CouponForActivation {
  id: string;
  vendorId: string;
  code: string;
  status: CouponStatus;
  type: CouponType;
  reusable: boolean;
  distributorId: string | null;
  upgradeKeyId: string | null;
  grants: StoredGrant[];
}

interface CouponRow {
  id: string;
  seq: string;
  vendor_id: string;
  batch_id: string;
  code: string;
  status: CouponStatus;
  created_at: Date;
  type: CouponType;
  reusable: boolean;
  distributor_id: string | null;
  comment: string | null;
  upgrade_key_id: string | null;
  grants: StoredGrant[];
}

const COUPON_COLUMNS = `c.id, c.seq::text AS seq, c.vendor_id, c.batch_id, c.code, c.status, c.created_at,
  b.type, b.reusable, b.distributor_id, b.comment, b.upgrade_key_id, b.grants`;

function toView(r: CouponRow): CouponView {
  return {
    id: r.id,
    seq: r.seq,
    vendorId: r.vendor_id,
    batchId: r.batch_id,
    code: r.code,
    status: r.status,
    createdAt: r.created_at,
    type: r.type,
    reusable: r.reusable,
    comment: r.comment,
    distributor: r.distributor_id ? { id: r.distributor_id } : null,
    grants: grantViews(r.grants),
  };
}

/** Coupon batches and coupons; every read is limited to one vendor. */
@Injectable()
export class CouponRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertBatch(manager: EntityManager, b: NewBatch): Promise<void> {
    await manager.query(
      `INSERT INTO coupon_batches (id, vendor_id, type, count, reusable, distributor_id, comment, upgrade_key_id, grants, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        b.id,
        b.vendorId,
        b.type,
        b.count,
        b.reusable,
        b.distributorId,
        b.comment,
        b.upgradeKeyId,
        JSON.stringify(b.grants),
        b.createdAt,
      ],
    );
  }

  /**
   * Writes a batch's coupons with one COPY on the transaction's own connection: the
   * fastest way into Postgres, and still inside the transaction that writes the batch and
   * its event. COPY cannot skip a duplicate code; with 100 random bits a collision is about
   * 2^-100 per pair, and if one ever happens the transaction fails as a whole (unique
   * violation on coupons_pkey) and the caller draws a new batch.
   */
  async copyCoupons(manager: EntityManager, batch: NewBatch, codes: readonly string[]): Promise<void> {
    const connection = (manager.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)
      ?.databaseConnection;
    if (!connection || !manager.queryRunner?.isTransactionActive)
      throw new Error('copyCoupons needs the connection of an open transaction');
    const head = `\t${batch.vendorId}\t${batch.id}\t${batch.createdAt.toISOString()}\n`;
    function* lines(): Generator<string> {
      let chunk = '';
      for (let i = 0; i < codes.length; i++) {
        chunk += `${codes[i]}\t${randomUUID()}${head}`;
        if (i % 2000 === 1999) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(
      Readable.from(lines()),
      connection.query(copyFrom('COPY coupons (code, id, vendor_id, batch_id, created_at) FROM STDIN')),
    );
  }

  async batch(vendorId: string, id: string): Promise<CouponBatchView | null> {
    const rows = (await this.dataSource.query(
      `SELECT id, vendor_id, type, count, reusable, distributor_id, comment, grants, created_at FROM coupon_batches WHERE vendor_id = $1 AND id = $2`,
      [vendorId, id],
    )) as {
      id: string;
      vendor_id: string;
      type: CouponType;
      count: number;
      reusable: boolean;
      distributor_id: string | null;
      comment: string | null;
      grants: StoredGrant[];
      created_at: Date;
    }[];
    const r = rows[0];
    return r
      ? {
          id: r.id,
          vendorId: r.vendor_id,
          type: r.type,
          count: r.count,
          reusable: r.reusable,
          comment: r.comment,
          createdAt: r.created_at,
          distributor: r.distributor_id ? { id: r.distributor_id } : null,
          grants: grantViews(r.grants),
        }
      : null;
  }

  async byCode(vendorId: string, code: string, manager?: EntityManager): Promise<CouponView | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id
        WHERE c.code = $1 AND c.vendor_id = $2`,
      [code, vendorId],
    )) as CouponRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The coupon by code for an activation, locked until the transaction ends. */
  async forActivation(manager: EntityManager, code: string): Promise<CouponForActivation | null> {
    const rows = (await manager.query(
      `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id WHERE c.code = $1`,
      [code],
    )) as CouponRow[];
    const r = rows[0];
    return r
      ? {
          id: r.id,
          vendorId: r.vendor_id,
          code: r.code,
          status: r.status,
          type: r.type,
          reusable: r.reusable,
          distributorId: r.distributor_id,
          upgradeKeyId: r.upgrade_key_id,
          grants: r.grants,
        }
      : null;
  }

  /**
   * Takes a single-use coupon: one conditional statement, so of any number of concurrent
   * activations exactly one finds it NEW. False when it was taken already.
   */
  async take(manager: EntityManager, code: string): Promise<boolean> {
    const rows = (await manager.query(
      `UPDATE coupons SET status = 'ACTIVATED' WHERE code = $1 AND status = 'NEW' RETURNING code`,
      [code],
    )) as [unknown[], number];
    return rows[1] > 0;
  }

  async markUsed(manager: EntityManager, code: string): Promise<void> {
    await manager.query(`UPDATE coupons SET status = 'ACTIVATED' WHERE code = $1 AND status = 'NEW'`, [code]);
  }

  async markDeactivated(manager: EntityManager, code: string): Promise<void> {
    await manager.query(`UPDATE coupons SET status = 'DEACTIVATED' WHERE code = $1`, [code]);
  }

  /** A page in generation order after the coupon with insertion number `afterSeq`, and the total. */
  async page(
    vendorId: string,
    filter: CouponFilterSql,
    first: number,
    afterSeq?: string,
  ): Promise<{ coupons: CouponView[]; total: number }> {
    const params: unknown[] = [vendorId];
    const where = ['c.vendor_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.batchId) add('c.batch_id = ?', filter.batchId);
    if (filter.status) add('c.status = ?', filter.status);
    if (filter.type) add('b.type = ?', filter.type);
    if (filter.distributorId) add('b.distributor_id = ?', filter.distributorId);
    const from = `FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id WHERE ${where.join(' AND ')}`;
    const pageParams = [...params, afterSeq ?? null, first + 1];
    const [rows, counted] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COUPON_COLUMNS} ${from} AND ($${pageParams.length - 1}::bigint IS NULL OR c.seq > $${pageParams.length - 1}::bigint)
          ORDER BY c.seq LIMIT $${pageParams.length}`,
        pageParams,
      ) as Promise<CouponRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total ${from}`, params) as Promise<{ total: number }[]>,
    ]);
    return { coupons: rows.map(toView), total: counted[0]!.total };
  }

  /**
   * Generated coupons (by batch creation) and live activations in [from, to), per
   * distributor, product and type. A coupon granting two products counts for each.
   */
  async statistics(
    vendorId: string,
    from: Date,
    to: Date,
  ): Promise<
    { distributorId: string | null; productId: string; type: CouponType; generated: number; activated: number }[]
  > {
    return (await this.dataSource.query(
      `WITH generated AS (
         SELECT b.distributor_id, g->>'productId' AS product_id, b.type, sum(b.count)::int AS n
           FROM coupon_batches b CROSS JOIN jsonb_array_elements(b.grants) g
          WHERE b.vendor_id = $1 AND b.created_at >= $2 AND b.created_at < $3
          GROUP BY 1, 2, 3
       ), activated AS (
         SELECT b.distributor_id, g->>'productId' AS product_id, b.type, count(*)::int AS n
           FROM activations a
           JOIN coupons c ON c.code = a.coupon_code
           JOIN coupon_batches b ON b.id = c.batch_id
           CROSS JOIN jsonb_array_elements(b.grants) g
          WHERE a.vendor_id = $1 AND a.activated_at >= $2 AND a.activated_at < $3 AND a.deactivated_at IS NULL
          GROUP BY 1, 2, 3
       )
       SELECT coalesce(g.distributor_id, a.distributor_id) AS "distributorId",
              coalesce(g.product_id, a.product_id) AS "productId",
              coalesce(g.type, a.type) AS type,
              coalesce(g.n, 0) AS generated, coalesce(a.n, 0) AS activated
         FROM generated g
         FULL JOIN activated a
           ON coalesce(a.distributor_id::text, '') = coalesce(g.distributor_id::text, '') AND a.product_id = g.product_id AND a.type = g.type
        ORDER BY 1 NULLS FIRST, 2, 3`,
      [vendorId, from, to],
    )) as { distributorId: string | null; productId: string; type: CouponType; generated: number; activated: number }[];
  }
}
