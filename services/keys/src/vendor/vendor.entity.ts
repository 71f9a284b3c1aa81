import { Field, ID, ObjectType, Directive } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'A software vendor selling through the platform.' })
@Directive('@key(fields: "id")')
@Entity('vendors')
export class Vendor {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Four Latin letters, upper case; starts every key and coupon of the vendor.' })
  @Column({ type: 'char', length: 4, unique: true })
  prefix!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
