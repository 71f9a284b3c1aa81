import { Directive, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { LICENSE_MODELS, LicenseModel } from '@licensing/events';
import { enumOf } from '@licensing/platform';

export const LicenseModelEnum = enumOf(LICENSE_MODELS);
registerEnumType(LicenseModelEnum, {
  name: 'LicenseModel',
  description: 'How seats are counted: per bound host, per session, or per host with sessions sharing a seat.',
  valuesMap: {
    HOST_BINDING: {
      description:
        'A seat per computer: a host is bound on its first acquire and keeps the seat until a cabinet resets the binding; any number of sessions on it share that seat.',
    },
    CONCURRENT_SESSIONS: { description: 'A seat per live session, freed when the session is released or expires.' },
    CONCURRENT_HOSTS: {
      description:
        'A seat per computer with live sessions: all sessions of one host share one seat, freed when its last session ends.',
    },
  },
});

@ObjectType({ description: 'A product of a vendor catalogue.' })
@Directive('@key(fields: "id")')
@Entity('products')
@Index('products_vendor_code_key', ['vendorId', 'code'], { unique: true })
export class Product {
  @Field(() => ID, { description: 'Id of the product; it stays the same when the product changes.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: 'Unique within the vendor; never changes.' })
  @Directive('@shareable') // the coupons service answers it too, from its read model
  @Column({ type: 'text' })
  code!: string;

  @Field({ description: "The product's name as the cabinets and e-mails show it." })
  @Column({ type: 'text' })
  name!: string;

  @Field(() => LicenseModelEnum, { description: "How the product's seats are counted." })
  @Column({ name: 'license_model', type: 'text' })
  licenseModel!: LicenseModel;

  @Field(() => Int, {
    description: 'Length in days of a trial of the product (1-365); a change applies to trials issued afterwards.',
  })
  @Column({ name: 'trial_days', type: 'int', default: 30 })
  trialDays!: number;

  @Column({ name: 'requires_product_id', type: 'uuid', nullable: true })
  requiresProductId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
