import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { UuidPipe } from '@licensing/platform';
import { NotFoundError } from '@licensing/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { Distributor } from '../distributor/distributor.entity';
import { KeyProductView, LicenseView } from '../license/license.types';
import { Staff } from '../staff/staff.entity';
import { Client } from './client.entity';
import {
  CreateLicenseKeyInput,
  LicenseKeyConnection,
  LicenseKeyFilter,
  UpdateLicenseKeyInput,
} from './dto/license-key.inputs';
import { LicenseKey } from './license-key.entity';
import { LicenseKeyService } from './license-key.service';

@Resolver(() => LicenseKey)
export class LicenseKeyResolver {
  constructor(private readonly keys: LicenseKeyService) {}

  @Allow('vendor')
  @Mutation(() => LicenseKey, { description: 'Issues a new key to a new client of the caller’s vendor.' })
  createLicenseKey(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: 'The client the key is for, and optionally its distributor, manager and a comment.' })
    input: CreateLicenseKeyInput,
  ): Promise<LicenseKey> {
    return this.keys.create(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Mutation(() => LicenseKey, { description: 'Edits the key card; see UpdateLicenseKeyInput for re-binding.' })
  updateLicenseKey(
    @CurrentIdentity() identity: Identity,
    @Args(
      'id',
      { type: () => ID, description: "Id of the key to change (one of the caller's vendor's keys)." },
      UuidPipe,
    )
    id: string,
    @Args('input', { description: 'The fields to change; the ones left out stay as they are.' })
    input: UpdateLicenseKeyInput,
  ): Promise<LicenseKey> {
    return this.keys.update(requireVendorId(identity), id, input);
  }

  @Allow('vendor')
  @Mutation(() => Boolean, {
    description: 'Deletes the key: its licenses stop validating, its bindings and sessions end.',
  })
  deleteLicenseKey(
    @CurrentIdentity() identity: Identity,
    @Args(
      'id',
      { type: () => ID, description: "Id of the key to delete (one of the caller's vendor's keys)." },
      UuidPipe,
    )
    id: string,
  ): Promise<boolean> {
    return this.keys.delete(requireVendorId(identity), id);
  }

  @Allow('vendor')
  @Query(() => LicenseKey, {
    description: 'The key card, by the key code as typed (any case, spaces, missing dashes).',
  })
  licenseKey(
    @CurrentIdentity() identity: Identity,
    @Args('code', {
      description: 'The key as typed: any case, with or without dashes and spaces, I and L read as 1, O as 0.',
    })
    code: string,
  ): Promise<LicenseKey> {
    return this.keys.getByCode(requireVendorId(identity), code);
  }

  @Allow('vendor')
  @Query(() => LicenseKeyConnection, { description: 'The caller vendor’s keys, newest first.' })
  licenseKeys(
    @CurrentIdentity() identity: Identity,
    @Args('filter', {
      type: () => LicenseKeyFilter,
      nullable: true,
      description: 'Conditions the keys must meet; all keys of the vendor when left out.',
    })
    filter?: LicenseKeyFilter,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 100 (default 20).' })
    first?: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; the first page when left out.',
    })
    after?: string,
  ): Promise<LicenseKeyConnection> {
    return this.keys.search(requireVendorId(identity), filter, first ?? undefined, after);
  }

  @Allow('client')
  @Query(() => LicenseKey, { description: 'Client cabinet: the key the client logged in with.' })
  async myLicenseKey(@CurrentIdentity() identity: Identity): Promise<LicenseKey> {
    if (identity.kind !== 'client') throw new NotFoundError('License key');
    const key = await this.keys.findById(identity.vendorId, identity.keyId);
    if (!key) throw new NotFoundError('License key');
    return key;
  }

  @ResolveField(() => Client, {
    description: 'The customer company the key belongs to; its contact data is shared by all its keys.',
  })
  client(@Parent() key: LicenseKey): Promise<Client> {
    return this.keys.getClient(key);
  }

  @ResolveField(() => Distributor, {
    nullable: true,
    description: 'The distributor the client buys through; null when none.',
  })
  distributor(@Parent() key: LicenseKey): Promise<Distributor | null> | null {
    return this.keys.distributorOf(key);
  }

  @ResolveField(() => Staff, { nullable: true, description: 'The responsible manager.' })
  manager(@Parent() key: LicenseKey): Promise<Staff | null> | null {
    return this.keys.managerOf(key);
  }

  @ResolveField(() => [LicenseView], {
    description: 'Every license on the key, oldest first, with whether it is in force now.',
  })
  licenses(@Parent() key: LicenseKey): Promise<LicenseView[]> {
    return this.keys.licensesOf(key);
  }

  @ResolveField(() => [KeyProductView], {
    description: 'One line per product on the key: in force, seats, until when.',
  })
  products(@Parent() key: LicenseKey): Promise<KeyProductView[]> {
    return this.keys.productsOf(key);
  }

  /** Other subgraphs reference keys by the ids they learnt from key events. */
  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<LicenseKey | null> {
    return this.keys.findById(undefined, ref.id);
  }
}
