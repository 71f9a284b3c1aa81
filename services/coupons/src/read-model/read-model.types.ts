import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';

/*
 * The keys service's entities as this subgraph refers to them: by id only, never copying
 * the owner's fields.
 */

/**
 * Owned by the keys service; referenced here by id. Its code is also answered here (a
 * product's code never changes, and every coupon grant stores it), so a coupon answer that
 * names its products does not depend on the keys service being up.
 */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Unique within the vendor; never changes.' })
  @Directive('@shareable')
  code!: string;
}

/** Owned by the keys service; referenced here by id. */
@ObjectType('Distributor')
@Directive('@key(fields: "id", resolvable: false)')
export class DistributorRef {
  @Field(() => ID, { description: 'Id of the distributor; keys, coupon batches and statistics refer to it.' })
  id!: string;
}

/** Owned by the keys service; this subgraph adds its coupon activations. */
@ObjectType('LicenseKey')
@Directive('@key(fields: "id")')
export class LicenseKeyRef {
  @Field(() => ID)
  id!: string;
}
