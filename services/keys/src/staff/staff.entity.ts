import { Directive, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '@licensing/identity';

export const StaffRoleEnum = { OWNER: 'OWNER', MANAGER: 'MANAGER' } as const satisfies Record<StaffRole, StaffRole>;
registerEnumType(StaffRoleEnum, {
  name: 'StaffRole',
  description: 'OWNER manages staff and everything else; MANAGER works with keys, coupons and clients.',
  valuesMap: {
    OWNER: {
      description: "Everything in the cabinet, and adds staff and issues, lists and revokes the vendor's API keys.",
    },
    MANAGER: { description: 'Works with products, keys, clients and coupons; cannot add staff or manage API keys.' },
  },
});

@ObjectType({ description: 'A member of a vendor’s staff: cabinet user and responsible manager of keys.' })
@Directive('@key(fields: "id")')
@Entity('staff')
export class Staff {
  @Field(() => ID, { description: "Id of the staff member; a key's managerId refers to it." })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Field({ description: 'Lower case; the login name, unique across the platform.' })
  @Column({ type: 'text' })
  email!: string;

  @Field({ description: "The staff member's name as the cabinet shows it." })
  @Column({ type: 'text' })
  name!: string;

  @Field(() => StaffRoleEnum, { description: 'What the staff member may do in the cabinet.' })
  @Column({ type: 'text' })
  role!: StaffRole;

  /** argon2id; not a GraphQL field, and selected only by the login lookup. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash?: string;

  @Field({ description: 'When the staff member was added.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
