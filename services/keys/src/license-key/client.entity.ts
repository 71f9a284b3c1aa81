import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@ObjectType({ description: 'The customer company a license key is issued to.' })
@Entity('clients')
export class Client {
  @Field(() => ID, { description: 'Id of the client; the key card can move a key to it (clientId).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: "The client's company name, unique among the vendor's clients ignoring case." })
  @Column({ type: 'text' })
  company!: string;

  @Field(() => String, { nullable: true, description: "The client's contact person; null when none was given." })
  @Column({ name: 'contact_name', type: 'text', nullable: true })
  contactName!: string | null;

  @Field(() => String, { nullable: true, description: "The client's phone number; null when none was given." })
  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The client's e-mail address, stored lower case; null when none was given.",
  })
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
