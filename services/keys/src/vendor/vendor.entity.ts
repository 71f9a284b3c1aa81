import { Field, ID, ObjectType, Directive } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'A software vendor selling through the platform.' })
@Directive('@key(fields: "id")')
@Entity('vendors')
export class Vendor {
  @Field(() => ID, { description: 'Id of the vendor; every event of the vendor carries it as vendorId.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Four Latin letters, upper case; starts every key and coupon of the vendor.' })
  @Column({ type: 'char', length: 4, unique: true })
  prefix!: string;

  @Field({ description: "The vendor's name as the cabinets and e-mails show it." })
  @Column({ type: 'text' })
  name!: string;

  @Field({ description: 'When the operator created the vendor.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
