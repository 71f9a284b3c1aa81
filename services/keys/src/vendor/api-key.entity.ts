import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A vendor API key. Only a SHA-256 of the key is stored; the key is shown once. The row is
 * also the GraphQL type: its hash is no field and is never selected but by the lookup.
 */
@ObjectType({ description: 'An API key of a vendor: what identifies it, never the key or its hash.' })
@Entity('api_keys')
export class ApiKey {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** The first characters of the key, so a vendor can tell its keys apart. */
  @Field({ name: 'prefix', description: 'The first characters of the key (lk_ and the vendor prefix, then 4 more).' })
  @Column({ name: 'display_prefix', type: 'text' })
  displayPrefix!: string;

  @Column({ name: 'key_hash', type: 'char', length: 64, unique: true, select: false })
  keyHash!: string;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the gateway last resolved the key; updated at most once a minute.',
  })
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Set once revoked: from then on every request with it is refused.',
  })
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
