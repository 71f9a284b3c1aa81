import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { KeyOrigin } from '@licensing/events';
import { Client } from './client.entity';

@ObjectType({ description: 'A license key (registration number) of a client: PPPP-XXXXX-XXXXX-XXXXX-XXXXX.' })
@Directive('@key(fields: "id")')
@Entity('license_keys')
export class LicenseKey {
  @Field(() => ID, { description: 'Id of the key; every event about the key carries it as its subject.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order, for keyset pagination (newest first); read only by the page query. */
  @Column({ type: 'bigint', insert: false, update: false, select: false })
  seq?: string;

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

  @Field(() => String, {
    nullable: true,
    description: "The vendor's note on the key, seen only in the cabinets; null when none.",
  })
  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'text' })
  origin!: KeyOrigin;

  /** Lower-case code (with and without dashes), company and e-mail, for substring search; never loaded. */
  @Column({ type: 'text', select: false })
  search?: string;

  @Field({ description: 'When the key was issued.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Never loaded: every query but a rollback's leaves deleted keys out. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true, select: false })
  deletedAt?: Date | null;
}

/**
 * The text the search index holds for a key: the code without the vendor prefix (with and
 * without dashes), the company and the e-mail, lower case. The prefix is the same on every
 * key of the vendor, so it would only make every trigram lookup scan all of them; a search
 * that starts with it is matched without it (see searchTermOf).
 */
export function searchTextOf(code: string, client: Pick<Client, 'company' | 'email'>): string {
  const body = code.slice(code.indexOf('-') + 1);
  return [body, body.replace(/-/g, ''), client.company, client.email ?? ''].join(' ').toLowerCase();
}

/**
 * What to look for in the search text: the term in lower case, without the vendor's prefix
 * when the term is the start of a key code ("acme-7k3", "ACME7K3"). Undefined when nothing
 * of the code is left to look for.
 */
export function searchTermOf(term: string, vendorPrefix: string): string | undefined {
  const lower = term.trim().toLowerCase();
  const prefix = vendorPrefix.toLowerCase();
  if (!prefix || !lower.startsWith(prefix) || !/^[a-z]{4}-?[0-9a-z-]*$/.test(lower)) return lower;
  const rest = lower.slice(prefix.length).replace(/^-/, '');
  return rest.length >= 3 ? rest : undefined;
}
