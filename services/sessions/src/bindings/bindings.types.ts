import { Field, ID, ObjectType } from '@nestjs/graphql';
import { HostView } from '../common/host.types';
import { LicenseKeyRef, ProductRef } from '../read-model/read-model.types';
import { BindingRecord } from './binding.entity';

@ObjectType('HostBinding', {
  description: 'A host holding a seat of a HOST_BINDING license until a cabinet resets it.',
})
export class BindingView {
  @Field(() => ID, { description: 'Id of the binding; resetBinding takes it.' })
  id!: string;

  @Field({ description: 'When the host was bound: its first acquire of the product with this key.' })
  createdAt!: Date;

  @Field({ description: 'From heartbeats, written in batches: it may lag by a few seconds.' })
  lastSeenAt!: Date;

  @Field(() => LicenseKeyRef, { description: 'The key whose seat the host holds.' })
  licenseKey!: LicenseKeyRef;

  @Field(() => ProductRef, { description: 'The product (of the HOST_BINDING model) whose seat the host holds.' })
  product!: ProductRef;

  @Field(() => HostView, { description: 'The bound computer.' })
  host!: HostView;
}

export function bindingView(b: BindingRecord): BindingView {
  return {
    id: b.id,
    createdAt: b.createdAt,
    lastSeenAt: b.lastSeenAt,
    licenseKey: { id: b.keyId },
    product: { id: b.productId },
    host: {
      fingerprint: b.hostFingerprint,
      name: b.hostName,
      os: b.hostOs,
      ip: b.hostIp,
      platformVersion: b.hostPlatformVersion,
    },
  };
}
