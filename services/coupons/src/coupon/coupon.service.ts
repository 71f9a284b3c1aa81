import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { generateCode, normalizeCouponCode, normalizeKeyCode } from '@licensing/domain';
import { CouponBatchGenerated, createEvent } from '@licensing/events';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { isUniqueViolation } from '@licensing/database';
import { enqueue } from '@licensing/kafka';
import { assertPageSize, decodeCursor, encodeCursor } from '@licensing/platform';
import { ActivationService } from '../activation/activation.service';
import { KnownKey, ReadModelRepository } from '../read-model/read-model.repository';
import { CouponRepository, NewBatch } from './coupon.repository';
import { CouponBatchView, CouponConnection, CouponStatisticView, CouponView, StoredGrant } from './coupon.types';
import { CouponFilter, GenerateCouponsInput } from './dto/coupon.inputs';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 500;

@Injectable()
export class CouponService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly coupons: CouponRepository,
    private readonly model: ReadModelRepository,
    private readonly activations: ActivationService,
  ) {}

  /**
   * Generates a batch: the batch row, its coupons in bulk and one coupon.batch-generated
   * event, in one transaction. An UPGRADE coupon with activateImmediately is activated on
   * its key in the same transaction (channel VENDOR_CABINET).
   */
  async generate(vendorId: string, input: GenerateCouponsInput): Promise<CouponBatchView> {
    const count = input.count ?? 1;
    const reusable = input.reusable ?? false;
    if (reusable && input.type !== 'EXTEND_TRIAL')
      throw new BadInputError('input.reusable', 'only EXTEND_TRIAL coupons can be reusable');
    if (input.type === 'EXTEND_TRIAL' && !input.trialDays)
      throw new BadInputError('input.trialDays', 'EXTEND_TRIAL needs trialDays');
    if (input.type !== 'EXTEND_TRIAL' && input.trialDays)
      throw new BadInputError('input.trialDays', `trialDays is for EXTEND_TRIAL, not ${input.type}`);
    if (input.type !== 'UPGRADE' && (input.upgradeKeyCode || input.activateImmediately)) {
      throw new BadInputError(
        input.upgradeKeyCode ? 'input.upgradeKeyCode' : 'input.activateImmediately',
        `only UPGRADE coupons name a key`,
      );
    }
    if (input.type === 'UPGRADE' && count !== 1)
      throw new BadInputError('input.count', 'an UPGRADE coupon is generated one at a time');
    const codes = input.products.map((p) => p.productCode);
    if (new Set(codes).size !== codes.length)
      throw new BadInputError('input.products', 'each product may be listed once');

    const prefix = await this.model.prefixOf(vendorId);
    if (!prefix) throw new NotFoundError('Vendor');
    const known = new Map((await this.model.productsByCode(vendorId, codes)).map((p) => [p.code, p]));
    const grants: StoredGrant[] = input.products.map((p, i) => {
      const product = known.get(p.productCode);
      if (!product) throw new NotFoundError(`Product ${p.productCode}`, `input.products[${i}].productCode`);
      return input.type === 'EXTEND_TRIAL'
        ? {
            productId: product.productId,
            productCode: product.code,
            periodDays: null,
            seats: null,
            trialDays: input.trialDays!,
          }
        : {
            productId: product.productId,
            productCode: product.code,
            periodDays: p.periodDays ?? null,
            seats: p.seats ?? 1,
            trialDays: null,
          };
    });
    if (input.distributorId && !(await this.model.distributorExists(vendorId, input.distributorId))) {
      throw new NotFoundError('Distributor', 'input.distributorId');
    }
    let upgradeKey: KnownKey | undefined;
    if (input.type === 'UPGRADE') {
      const keyCode = input.upgradeKeyCode ? normalizeKeyCode(input.upgradeKeyCode) : undefined;
      if (!keyCode) throw new BadInputError('input.upgradeKeyCode', 'UPGRADE needs the license key to upgrade');
      upgradeKey = await this.model.liveKeyByCode(keyCode);
      if (!upgradeKey || upgradeKey.vendorId !== vendorId)
        throw new NotFoundError('License key', 'input.upgradeKeyCode');
    }

    const batch: NewBatch = {
      id: randomUUID(),
      vendorId,
      type: input.type,
      count,
      reusable,
      distributorId: input.distributorId ?? null,
      comment: input.comment ?? null,
      upgradeKeyId: upgradeKey?.keyId ?? null,
      grants,
      createdAt: new Date(),
    };
    const write = () =>
      this.dataSource.transaction(async (manager) => {
        await this.coupons.insertBatch(manager, batch);
        const codes = Array.from({ length: count }, () => generateCode('coupon', prefix));
        await this.coupons.copyCoupons(manager, batch, codes);
        await enqueue(
          manager,
          createEvent(CouponBatchGenerated, {
            vendorId,
            subject: batch.id,
            data: {
              batchId: batch.id,
              type: batch.type,
              count,
              reusable,
              distributorId: batch.distributorId,
              comment: batch.comment,
              upgradeKeyCode: upgradeKey?.code ?? null,
              grants,
            },
          }),
        );
        if (upgradeKey && input.activateImmediately) {
          const coupon = await this.coupons.forActivation(manager, codes[0]!);
          await this.activations.activateOn(manager, coupon!, upgradeKey, 'VENDOR_CABINET');
        }
      });
    try {
      await write();
    } catch (error) {
      if (!isUniqueViolation(error, 'coupons_pkey')) throw error;
      await write(); // a drawn code existed already (see copyCoupons): draw the batch again
    }
    return (await this.coupons.batch(vendorId, batch.id))!;
  }

  async page(
    vendorId: string,
    filter: CouponFilter | undefined,
    first = DEFAULT_PAGE,
    after?: string | null,
  ): Promise<CouponConnection> {
    assertPageSize(first, MAX_PAGE);
    const { coupons, total } = await this.coupons.page(
      vendorId,
      filter ?? {},
      first,
      after ? decodeCursor('c', after) : undefined,
    );
    const edges = coupons.slice(0, first).map((node) => ({ cursor: encodeCursor('c', node.seq), node }));
    return {
      totalCount: total,
      edges,
      pageInfo: { hasNextPage: coupons.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  async byCode(vendorId: string, typed: string): Promise<CouponView> {
    const code = normalizeCouponCode(typed);
    if (!code) throw new BadInputError('code', 'code is not a well-formed coupon (PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX)');
    const coupon = await this.coupons.byCode(vendorId, code);
    if (!coupon) throw new NotFoundError('Coupon', 'code');
    return coupon;
  }

  async statistics(vendorId: string, from: Date, to: Date): Promise<CouponStatisticView[]> {
    if (!(from < to)) throw new BadInputError('to', 'to must be after from');
    return (await this.coupons.statistics(vendorId, from, to)).map((r) => ({
      distributor: r.distributorId ? { id: r.distributorId } : null,
      product: { id: r.productId },
      type: r.type,
      generated: r.generated,
      activated: r.activated,
    }));
  }
}
