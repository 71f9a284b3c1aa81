import { Args, ID, Int, Mutation, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, vendorIdOf } from '@licensing/identity';
import { cabinetScope } from '../common/cabinet-scope';
import { LicenseKeyRef } from '../read-model/read-model.types';
import { BindingsService } from './bindings.service';
import { BindingView, bindingView } from './bindings.types';

@Resolver(() => BindingView)
export class BindingsResolver {
  constructor(private readonly bindingsService: BindingsService) {}

  @Allow('vendor', 'client')
  @Mutation(() => Boolean, {
    description: 'Resets a host binding: its seat is free for another host. The client cabinet resets its own key’s.',
  })
  resetBinding(
    @CurrentIdentity() identity: Identity,
    @Args('id', {
      type: () => ID,
      description: "Id of a binding on one of the caller's keys (LicenseKey.bindings lists them).",
    })
    id: string,
  ): Promise<boolean> {
    return this.bindingsService.reset(cabinetScope(identity), id);
  }

  @Allow('vendor', 'client')
  @Mutation(() => Int, { description: 'Resets every binding of a key (of one product, when given); how many.' })
  resetBindings(
    @CurrentIdentity() identity: Identity,
    @Args('keyCode', { description: 'The key as typed; a client may name only its own key.' }) keyCode: string,
    @Args('productCode', {
      type: () => String,
      nullable: true,
      description: "Only the bindings of this product; every product's when left out.",
    })
    productCode?: string | null,
  ): Promise<number> {
    return this.bindingsService.resetAll(cabinetScope(identity), keyCode, productCode);
  }
}

/** The keys service's LicenseKey, extended with its host bindings. */
@Resolver(() => LicenseKeyRef)
export class LicenseKeyBindingsResolver {
  constructor(private readonly bindingsService: BindingsService) {}

  @ResolveField(() => [BindingView], { description: 'Hosts bound to the key’s HOST_BINDING licenses, oldest first.' })
  async bindings(@Parent() key: LicenseKeyRef, @CurrentIdentity() identity: Identity): Promise<BindingView[]> {
    if (!vendorIdOf(identity)) return [];
    return (await this.bindingsService.findByKey(cabinetScope(identity), key.id)).map(bindingView);
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): LicenseKeyRef {
    return { id: ref.id };
  }
}
