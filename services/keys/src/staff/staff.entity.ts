import { Directive, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '@licensing/identity';

export const StaffRoleEnum = { OWNER: 'OWNER', MANAGER: 'MANAGER' } as const satisfies Record<StaffRole, StaffRole>;
registerEnumType(StaffRoleEnum, {
  name: 'StaffRole',
  description: 'OWNER manages staff and everything else; MANAGER works with keys, coupons and clients.',
});

@ObjectType({ description: 'A member of a vendor’s staff: cabinet user and responsible manager of keys.' })
@Directive('@key(fields: "id")')
@Entity('staff')
export class Staff {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: 'Lower case; the login name, unique across the platform.' })
  @Column({ type: 'text' })
  email!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => StaffRoleEnum)
  @Column({ type: 'text' })
  role!: StaffRole;

  /** argon2id; not a GraphQL field, and selected only by the login lookup. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash?: string;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
