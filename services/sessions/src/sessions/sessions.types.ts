import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { HostView } from '../common/host.types';
import { LicenseKeyRef, LicenseKindEnum, ProductRef } from '../read-model/read-model.types';
import type { LiveSession } from './sessions.repository';
import type { Lease, ProductHeartbeatInterval } from './sessions.service';

@ObjectType({ description: 'The license a lease uses: the product’s licenses in force on the key.' })
export class LeasedLicense {
  @Field(() => LicenseKindEnum, { description: 'MAIN (with any additional licenses) or TRIAL.' })
  kind!: 'MAIN' | 'TRIAL';

  @Field(() => Int, { description: 'Seats in force.' })
  seats!: number;

  @Field(() => Date, { nullable: true, description: 'When the license ends as things stand; null = perpetual.' })
  expiresAt!: Date | null;

  @Field(() => ProductRef)
  product!: ProductRef;
}

@ObjectType({ description: 'A seat held by a session, until expiresAt unless it heartbeats.' })
export class LicenseLease {
  @Field(() => ID, { description: 'Heartbeat and release with it; it is the credential of the session.' })
  sessionId!: string;

  @Field(() => Int, { description: 'How often to heartbeat; the server may change it on every heartbeat.' })
  heartbeatIntervalSeconds!: number;

  @Field({ description: 'The session ends then without a heartbeat (a grace of several intervals).' })
  expiresAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'A signed lease for offline verification: a compact EdDSA JWS (JWT) of the session, key, product, host and ' +
      'license, good until expiresAt; verify it with the vendor’s JWKS (docs/signing.md).',
  })
  token!: string | null;

  @Field(() => LeasedLicense)
  license!: LeasedLicense;
}

@ObjectType({ description: 'A session extended by a heartbeat.' })
export class SessionHeartbeat {
  @Field(() => ID)
  sessionId!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => Int, { description: 'When to heartbeat next.' })
  heartbeatIntervalSeconds!: number;

  @Field({
    description:
      'A fresh signed lease with the new expiry (as AcquireLicense’s token; the host is stated for bound hosts only).',
  })
  token!: string;
}

export function leaseView(lease: Lease): LicenseLease {
  const { standing } = lease;
  return {
    sessionId: lease.sessionId,
    heartbeatIntervalSeconds: lease.heartbeatIntervalSeconds,
    expiresAt: lease.expiresAt,
    token: lease.token,
    license: {
      kind: standing.kind ?? 'MAIN',
      seats: standing.seats,
      expiresAt: standing.validUntil,
      product: { id: standing.productId },
    },
  };
}

@ObjectType('LicenseSession', { description: 'A live session: where and by whom a license is in use now.' })
export class SessionView {
  @Field(() => ID)
  id!: string;

  @Field()
  startedAt!: Date;

  @Field()
  lastHeartbeatAt!: Date;

  @Field({ description: 'It ends then unless it heartbeats.' })
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  infobase!: string | null;

  @Field(() => String, { nullable: true })
  user!: string | null;

  @Field(() => String, { nullable: true })
  processId!: string | null;

  @Field(() => LicenseKeyRef)
  licenseKey!: LicenseKeyRef;

  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => HostView)
  host!: HostView;
}

export function sessionView(s: LiveSession): SessionView {
  return {
    id: s.sessionId,
    startedAt: s.startedAt,
    lastHeartbeatAt: s.lastHeartbeatAt,
    expiresAt: s.expiresAt,
    infobase: s.infobase || null,
    user: s.user || null,
    processId: s.processId || null,
    licenseKey: { id: s.keyId },
    product: { id: s.productId },
    host: {
      fingerprint: s.fp,
      name: s.hostName || null,
      os: s.hostOs || null,
      ip: s.hostIp || null,
      platformVersion: s.platformVersion || null,
    },
  };
}

@ObjectType({ description: 'How often the sessions of a product heartbeat.' })
export class ProductHeartbeatIntervalView {
  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => Int, {
    description:
      'Seconds between heartbeats as the vendor set it (or the default). The server returns it times its load ' +
      'factor; a session expires after a grace of missed intervals.',
  })
  heartbeatIntervalSeconds!: number;

  @Field({ description: 'True when the vendor set none and the service default applies.' })
  isDefault!: boolean;
}

export function heartbeatIntervalView(i: ProductHeartbeatInterval): ProductHeartbeatIntervalView {
  return { product: { id: i.productId }, heartbeatIntervalSeconds: i.seconds, isDefault: i.isDefault };
}
