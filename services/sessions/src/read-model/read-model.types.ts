import { Directive, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { LICENSE_KINDS } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { STANDING_REASONS } from './license-standing';

/*
 * The keys service's entities and vocabularies as this subgraph refers to them: entities by
 * id only, never copying the owner's fields.
 */

/** Owned by the keys service; referenced here by id. */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

/** Owned by the keys service; this subgraph adds its host bindings and live sessions. */
@ObjectType('LicenseKey')
@Directive('@key(fields: "id")')
export class LicenseKeyRef {
  @Field(() => ID)
  id!: string;
}

export const LicenseKindEnum = enumOf(LICENSE_KINDS);
registerEnumType(LicenseKindEnum, {
  name: 'LicenseKind',
  description: 'TRIAL never adds seats; MAIN carries seats; ADDITIONAL adds seats beside an active MAIN.',
});

export const StandingReasonEnum = enumOf(STANDING_REASONS);
registerEnumType(StandingReasonEnum, {
  name: 'LicenseUnavailableReason',
  description:
    'Why a product cannot be used on a key: why its licenses are not in force, NO_LICENSE (none of the product ' +
    'on the key) or KEY_DELETED.',
  valuesMap: {
    DEACTIVATED: {
      description: 'The license was switched off: replaced by an upgrade, retired by a MAIN license, or rolled back.',
    },
    NOT_STARTED: { description: 'The license term has not begun yet.' },
    EXPIRED: { description: 'The license term has ended; a renewal or a coupon brings it back.' },
    SUPERSEDED_BY_MAIN: { description: 'A trial while a MAIN license of the product is in force.' },
    NO_MAIN_LICENSE: { description: 'Only ADDITIONAL licenses, which need a MAIN license of the product in force.' },
    REQUIRED_PRODUCT_INACTIVE: {
      description: 'The product requires another product, and no license of that one is in force.',
    },
    NO_LICENSE: { description: 'The key has no license of the product at all (2008).' },
    KEY_DELETED: { description: 'The key was deleted by its vendor.' },
  },
});
