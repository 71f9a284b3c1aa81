import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'A partner selling the vendor’s products; coupons and keys record it for statistics.' })
@Directive('@key(fields: "id")')
@Entity('distributors')
export class Distributor {
  @Field(() => ID, { description: 'Id of the distributor; keys, coupon batches and statistics refer to it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: 'Unique within the vendor, ignoring case.' })
  @Column({ type: 'text' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "The distributor's contact e-mail address; null when none was given.",
  })
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Field({ description: 'When the distributor was added.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
