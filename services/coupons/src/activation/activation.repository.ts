import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, SelectQueryBuilder } from 'typeorm';
import { ActivationRecord } from './activation.entity';

export type NewActivation = Pick<ActivationRecord, 'id' | 'vendorId' | 'couponCode' | 'keyId' | 'channel'>;

/** Activations of coupons on keys, each read with its coupon and batch; every read is limited to one vendor. */
@Injectable()
export class ActivationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private activations(manager?: EntityManager): SelectQueryBuilder<ActivationRecord> {
    return (manager ?? this.dataSource.manager)
      .getRepository(ActivationRecord)
      .createQueryBuilder('a')
      .innerJoinAndSelect('a.coupon', 'c')
      .innerJoinAndSelect('c.batch', 'b');
  }

  /**
   * The activation row (its time from the database), without its coupon; the unique
   * (coupon, key) constraint refuses a second one.
   */
  async insert(manager: EntityManager, activation: NewActivation): Promise<Omit<ActivationRecord, 'coupon'>> {
    const repository = manager.getRepository(ActivationRecord);
    const record = repository.create({ ...activation, deactivatedAt: null });
    await repository.insert(record);
    return record;
  }

  findById(vendorId: string, id: string, manager?: EntityManager): Promise<ActivationRecord | null> {
    return this.activations(manager).where('a.vendorId = :vendorId AND a.id = :id', { vendorId, id }).getOne();
  }

  /** Oldest first. */
  findByKey(vendorId: string, keyId: string): Promise<ActivationRecord[]> {
    return this.oldestFirst('a.keyId = :keyId', { vendorId, keyId });
  }

  /** Oldest first. */
  findByCoupon(vendorId: string, couponCode: string): Promise<ActivationRecord[]> {
    return this.oldestFirst('a.couponCode = :couponCode', { vendorId, couponCode });
  }

  private oldestFirst(
    condition: string,
    parameters: { vendorId: string } & Record<string, string>,
  ): Promise<ActivationRecord[]> {
    return this.activations()
      .where(`a.vendorId = :vendorId AND ${condition}`, parameters)
      .orderBy('a.activatedAt')
      .addOrderBy('a.id')
      .getMany();
  }

  /** Marks a live activation deactivated; false when there is none (unknown, or deactivated before). */
  async deactivate(manager: EntityManager, vendorId: string, id: string): Promise<boolean> {
    const result = await manager
      .getRepository(ActivationRecord)
      .update({ vendorId, id, deactivatedAt: IsNull() }, { deactivatedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }
}
