import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { SigningKeyRecord } from './signing-key.entity';
import { publicJwk } from './jwks';

export enum SigningKeyStatusEnum {
  ACTIVE = 'ACTIVE',
  PUBLISHED = 'PUBLISHED',
  RETIRED = 'RETIRED',
}
registerEnumType(SigningKeyStatusEnum, {
  name: 'SigningKeyStatus',
  description: 'ACTIVE signs (one per vendor); PUBLISHED only verifies (rotated out); RETIRED neither.',
});

@ObjectType({
  description:
    'A public Ed25519 key that verifies the vendor’s signed leases and checks: a JWK (RFC 8037) with its status. ' +
    '{ kty, crv, x, kid, alg, use } of each key is the JWKS entry.',
})
export class SigningKey {
  @Field(() => ID, { description: 'The JWK `kid`, also in the header of everything the key signs.' })
  kid!: string;

  @Field({ description: 'Always OKP.' })
  kty!: string;

  @Field({ description: 'Always Ed25519.' })
  crv!: string;

  @Field({ description: 'The public key: 32 bytes, base64url.' })
  x!: string;

  @Field({ description: 'Always EdDSA.' })
  alg!: string;

  @Field({ description: 'Always sig.' })
  use!: string;

  @Field(() => SigningKeyStatusEnum)
  status!: SigningKeyStatusEnum;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stopped signing; null while ACTIVE.' })
  rotatedAt!: Date | null;
}

@ObjectType({ description: 'The public keys that verify a vendor’s signed leases and checks (its JWKS).' })
export class SigningKeySet {
  @Field(() => String, {
    nullable: true,
    description: 'The `iss` of the vendor’s signatures; null until the vendor has a key (made on first need).',
  })
  issuer!: string | null;

  @Field(() => [SigningKey], {
    description: 'The keys that verify (ACTIVE and PUBLISHED), oldest first; empty until the first signature.',
  })
  keys!: SigningKey[];
}

export function signingKeyView(record: SigningKeyRecord): SigningKey {
  return {
    ...publicJwk(record),
    status: record.status as SigningKeyStatusEnum,
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
  };
}
