import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { KeyOrigin } from '@licensing/events';
import { Client } from './client.entity';

@ObjectType({ description: 'A license key (registration number) of a client: PPPP-XXXXX-XXXXX-XXXXX-XXXXX.' })
@Directive('@key(fields: "id")')
@Entity('license_keys')
export class LicenseKey {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order, for keyset pagination (newest first). */
  @Column({ type: 'bigint', insert: false, update: false, select: false })
  seq!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  /** Loaded with the key where a query joins it; the field resolver loads it otherwise. */
  @ManyToOne(() => Client)
  @JoinColumn({ name: 'client_id' })
  client?: Client;

  @Field({ description: 'Canonical form: upper case, with dashes.' })
  @Column({ type: 'text' })
  code!: string;

  @Column({ name: 'distributor_id', type: 'uuid', nullable: true })
  distributorId!: string | null;

  @Column({ name: 'manager_id', type: 'uuid', nullable: true })
  managerId!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'text' })
  origin!: KeyOrigin;

  /** Lower-case code (with and without dashes), company and e-mail, for substring search. */
  @Column({ type: 'text', select: false })
  search!: string;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true, select: false })
  deletedAt!: Date | null;
}

/** The text the search index holds for a key. */
export function searchTextOf(code: string, client: Pick<Client, 'company' | 'email'>): string {
  return [code, code.replace(/-/g, ''), client.company, client.email ?? ''].join(' ').toLowerCase();
}
