import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '@licensing/database';
import { generateCode, normalizeKeyCode } from '@licensing/domain';
import { CouponBatchGenerated, createEvent } from '@licensing/events';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { ActivationService } from '../activation/activation.service';
import { CouponBatchView } from '../coupon/coupon-batch.types';
import { CouponBatchRecord, StoredGrant } from '../coupon/coupon.entity';
import { CouponService } from '../coupon/coupon.service';
import { KnownKey } from '../read-model/read-model.entity';
import { ReadModelService } from '../read-model/read-model.service';
import { GenerateCouponsInput } from './dto/generate-coupons.input';

/**
 * Generates batches of coupons. Above both coupons and activations: an UPGRADE coupon can
 * be activated on its key in the transaction that generates it.
 */
@Injectable()
export class GenerationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly coupons: CouponService,
    private readonly activations: ActivationService,
    private readonly readModel: ReadModelService,
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
    const productCodes = input.products.map((p) => p.productCode);
    if (new Set(productCodes).size !== productCodes.length)
      throw new BadInputError('input.products', 'each product may be listed once');

    const prefix = await this.readModel.vendorPrefix(vendorId);
    if (!prefix) throw new NotFoundError('Vendor');
    const known = new Map((await this.readModel.findProductsByCode(vendorId, productCodes)).map((p) => [p.code, p]));
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
    if (input.distributorId && !(await this.readModel.distributorExists(vendorId, input.distributorId))) {
      throw new NotFoundError('Distributor', 'input.distributorId');
    }
    let upgradeKey: KnownKey | null = null;
    if (input.type === 'UPGRADE') {
      const keyCode = input.upgradeKeyCode ? normalizeKeyCode(input.upgradeKeyCode) : undefined;
      if (!keyCode) throw new BadInputError('input.upgradeKeyCode', 'UPGRADE needs the license key to upgrade');
      upgradeKey = await this.readModel.findLiveKeyByCode(keyCode);
      if (!upgradeKey || upgradeKey.vendorId !== vendorId)
        throw new NotFoundError('License key', 'input.upgradeKeyCode');
    }

    const batch: CouponBatchRecord = {
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
        const codes = Array.from({ length: count }, () => generateCode('coupon', prefix));
        await this.coupons.insertBatch(manager, batch, codes);
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
          const coupon = await this.coupons.findForActivation(manager, codes[0]!);
          if (!coupon) throw new Error(`the coupon just generated (${codes[0]}) is not there`);
          await this.activations.activateOn(manager, coupon, upgradeKey, 'VENDOR_CABINET');
        }
      });
    try {
      await write();
    } catch (error) {
      if (!isUniqueViolation(error, 'coupons_pkey')) throw error;
      await write(); // a drawn code existed already (see CouponRepository.copyCoupons): draw the batch again
    }
    const generated = await this.coupons.findBatchById(vendorId, batch.id);
    if (!generated) throw new Error(`the batch just generated (${batch.id}) is not there`);
    return generated;
  }
}
