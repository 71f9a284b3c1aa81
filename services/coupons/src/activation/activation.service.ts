import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { claimIdempotencyKey, isUniqueViolation } from '@licensing/database';
import { normalizeCouponCode, normalizeKeyCode } from '@licensing/domain';
import { ActivationChannel, CouponActivated, CouponDeactivated, createEvent } from '@licensing/events';
import {
  BadInputError,
  ConflictError,
  DomainError,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
} from '@licensing/graphql';
import { Identity, vendorIdOf } from '@licensing/identity';
import { enqueue } from '@licensing/kafka';
import { Metrics } from '@licensing/platform';
import type { Counter } from 'prom-client';
import { CouponRecord } from '../coupon/coupon.entity';
import { CouponService } from '../coupon/coupon.service';
import { CouponView } from '../coupon/coupon.types';
import { KnownKey } from '../read-model/read-model.entity';
import { ReadModelService } from '../read-model/read-model.service';
import { ActivationRepository } from './activation.repository';
import { ActivationView, activationView } from './activation.types';

/** The channel of an activation is who asks: an application, the client cabinet, or the vendor. */
export function channelOf(identity: Identity): ActivationChannel {
  switch (identity.kind) {
    case 'application':
      return 'APPLICATION';
    case 'client':
      return 'CLIENT_CABINET';
    case 'vendor':
    case 'staff':
      return 'VENDOR_CABINET';
    case 'operator':
      throw new ForbiddenError('The operator does not activate coupons');
    default: {
      const never: never = identity;
      return never;
    }
  }
}

function needsKey(message: string): DomainError {
  return new DomainError(ErrorCode.COUPON_NEEDS_KEY, message, 'input.keyCode');
}

/**
 * Coupon activation and deactivation (docs/domain.md#coupons). Race-free by construction:
 * a single-use coupon is taken by one conditional UPDATE, and the unique (coupon, key)
 * constraint keeps any coupon to once per key. The activation row and coupon.activated
 * (with the grants, which the keys service applies) commit together.
 */
@Injectable()
export class ActivationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly coupons: CouponService,
    private readonly activations: ActivationRepository,
    private readonly readModel: ReadModelService,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.activated = metrics.counter<'channel'>({
      name: 'coupon_activations_total',
      help: 'Coupons activated (committed, replays not counted), by channel',
      labelNames: ['channel'],
    });
  }

  private readonly activated: Counter<'channel'>;

  async findByKey(identity: Identity, keyId: string): Promise<ActivationView[]> {
    const vendorId = vendorIdOf(identity);
    if (!vendorId || (identity.kind === 'client' && identity.keyId !== keyId)) return [];
    return (await this.activations.findByKey(vendorId, keyId)).map(activationView);
  }

  async findByCoupon(vendorId: string, couponCode: string): Promise<ActivationView[]> {
    return (await this.activations.findByCoupon(vendorId, couponCode)).map(activationView);
  }

  /** The activated coupon as it is now. */
  findCoupon(activation: ActivationView): Promise<CouponView> {
    return this.coupons.findByCode(activation.vendorId, activation.couponCode);
  }

  async activate(
    identity: Identity,
    input: { keyCode: string; couponCode: string; idempotencyKey?: string | null },
  ): Promise<ActivationView> {
    const channel = channelOf(identity);
    const couponCode = normalizeCouponCode(input.couponCode);
    if (!couponCode)
      throw new BadInputError(
        'input.couponCode',
        'couponCode is not a well-formed coupon (PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX)',
      );
    const keyCode = input.keyCode.trim() ? normalizeKeyCode(input.keyCode) : undefined;
    if (!keyCode)
      throw needsKey('A coupon can be activated only with a registration number: enter the license key first');
    if (identity.kind === 'client' && identity.keyCode !== keyCode) {
      throw new ForbiddenError('The client cabinet activates coupons on its own key only');
    }
    const callerVendor = vendorIdOf(identity);
    let fresh = false;
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        // A retry of an activation that committed gets that activation, not COUPON_USED.
        const claim = input.idempotencyKey
          ? await claimIdempotencyKey<{ vendorId: string; activationId: string }>(
              manager,
              'activateCoupon',
              input.idempotencyKey,
              { keyCode, couponCode, channel },
            )
          : undefined;
        if (claim?.state === 'reused') {
          throw new ConflictError('idempotencyKey was used before with another input', 'input.idempotencyKey');
        }
        if (claim?.state === 'replay') {
          const earlier = await this.activations.findById(claim.result.vendorId, claim.result.activationId, manager);
          if (!earlier) throw new NotFoundError('Activation');
          return activationView(earlier);
        }
        const key = await this.readModel.findLiveKeyByCode(keyCode, manager);
        if (!key || (callerVendor && key.vendorId !== callerVendor)) {
          throw needsKey('This license key is not registered: register first, then activate the coupon');
        }
        const coupon = await this.coupons.findForActivation(manager, couponCode);
        if (!coupon || (callerVendor && coupon.vendorId !== callerVendor))
          throw new NotFoundError('Coupon', 'input.couponCode');
        const activation = await this.activateOn(manager, coupon, key, channel);
        await claim?.complete({ vendorId: activation.vendorId, activationId: activation.id });
        fresh = true;
        return activation;
      });
      if (fresh) this.activated.inc({ channel });
      return result;
    } catch (error) {
      if (isUniqueViolation(error, 'activations_coupon_key_key')) {
        throw new DomainError(
          ErrorCode.COUPON_USED_BY_KEY,
          'This key has activated this coupon already',
          'input.couponCode',
        );
      }
      throw error;
    }
  }

  /** Activates a coupon on a key inside the caller's transaction (also used at generation). */
  async activateOn(
    manager: EntityManager,
    coupon: CouponRecord,
    key: KnownKey,
    channel: ActivationChannel,
  ): Promise<ActivationView> {
    const { batch } = coupon;
    if (coupon.vendorId !== key.vendorId) {
      throw new DomainError(
        ErrorCode.COUPON_OF_OTHER_VENDOR,
        'This coupon is not for keys of this vendor',
        'input.couponCode',
      );
    }
    if (batch.type === 'UPGRADE' && batch.upgradeKeyId !== key.keyId) {
      throw new DomainError(
        ErrorCode.COUPON_FOR_OTHER_KEY,
        'This upgrade coupon was generated for another key',
        'input.couponCode',
      );
    }
    // A reusable coupon is marked used by its first activation; a single-use one must be taken.
    if (!(await this.coupons.take(manager, coupon.code)) && !batch.reusable) {
      throw new DomainError(ErrorCode.COUPON_USED, 'This coupon has been activated already', 'input.couponCode');
    }
    const activation = await this.activations.insert(manager, {
      id: randomUUID(),
      vendorId: key.vendorId,
      couponCode: coupon.code,
      keyId: key.keyId,
      channel,
    });
    await enqueue(
      manager,
      createEvent(CouponActivated, {
        vendorId: key.vendorId,
        subject: key.keyId,
        data: {
          activationId: activation.id,
          couponId: coupon.id,
          couponCode: coupon.code,
          couponType: batch.type,
          keyId: key.keyId,
          keyCode: key.code,
          channel,
          distributorId: batch.distributorId,
          grants: batch.grants,
        },
      }),
    );
    return activationView({ ...activation, coupon });
  }

  /**
   * Rolls an activation back: marked deactivated, and coupon.deactivated tells the keys
   * service to restore the key. A single-use coupon stays used (DEACTIVATED). A second
   * deactivation is refused, not rolled back again.
   */
  async deactivate(vendorId: string, id: string): Promise<ActivationView> {
    return this.dataSource.transaction(async (manager) => {
      const deactivated = await this.activations.deactivate(manager, vendorId, id);
      const activation = await this.activations.findById(vendorId, id, manager);
      if (!activation) throw new NotFoundError('Activation', 'id');
      if (!deactivated) throw new ConflictError('This activation was deactivated already', 'id');
      const { coupon } = activation;
      if (!coupon.batch.reusable) await this.coupons.markDeactivated(manager, coupon.code);
      const key = await this.readModel.findKeyById(vendorId, activation.keyId, manager);
      await enqueue(
        manager,
        createEvent(CouponDeactivated, {
          vendorId,
          subject: activation.keyId,
          data: {
            activationId: activation.id,
            couponId: coupon.id,
            couponCode: coupon.code,
            couponType: coupon.batch.type,
            keyId: activation.keyId,
            keyCode: key?.code ?? '',
          },
        }),
      );
      return activationView(activation);
    });
  }
}
