import { Directive, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { LICENSE_MODELS, LicenseModel } from '@licensing/events';
import { enumOf } from '@licensing/platform';

export const LicenseModelEnum = enumOf(LICENSE_MODELS);
registerEnumType(LicenseModelEnum, {
  name: 'LicenseModel',
  description: 'How seats are counted: per bound host, per session, or per host with sessions sharing a seat.',
});

@ObjectType({ description: 'A product of a vendor catalogue.' })
@Directive('@key(fields: "id")')
@Entity('products')
@Index('products_vendor_code_key', ['vendorId', 'code'], { unique: true })
export class Product {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: 'Unique within the vendor; never changes.' })
  @Directive('@shareable') // the coupons service answers it too, from its read model
  @Column({ type: 'text' })
  code!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => LicenseModelEnum)
  @Column({ name: 'license_model', type: 'text' })
  licenseModel!: LicenseModel;

  @Field(() => Int)
  @Column({ name: 'trial_days', type: 'int', default: 30 })
  trialDays!: number;

  @Column({ name: 'requires_product_id', type: 'uuid', nullable: true })
  requiresProductId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
