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

  @Field(() => ProductRef, { description: 'The product the seat is of.' })
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

  @Field(() => LeasedLicense, { description: 'The license the seat comes from, as it stood when the seat was taken.' })
  license!: LeasedLicense;
}

@ObjectType({ description: 'A session extended by a heartbeat.' })
export class SessionHeartbeat {
  @Field(() => ID, { description: 'The session that was extended (the one the heartbeat named).' })
  sessionId!: string;

  @Field({ description: 'The new end of the session; it ends then unless the application heartbeats again.' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'When to heartbeat next.' })
  heartbeatIntervalSeconds!: number;

  // Signed only when selected (the resolver asks), so never null where it is read.
  @Field(() => String, {
    description:
      'A fresh signed lease with the new expiry (as AcquireLicense’s token; the host is stated for bound hosts only).',
  })
  token!: string | null;
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
  @Field(() => ID, { description: 'Id of the session; terminateSession takes it.' })
  id!: string;

  @Field({ description: 'When the application acquired the seat.' })
  startedAt!: Date;

  @Field({ description: 'When the application last heartbeated (or acquired, if it has not heartbeated yet).' })
  lastHeartbeatAt!: Date;

  @Field({ description: 'It ends then unless it heartbeats.' })
  expiresAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The database (infobase) the application works in, as it reported it; null when not given.',
  })
  infobase!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The user working in the application, as it reported them; null when not given.',
  })
  user!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The application's process id on the host, as it reported it; null when not given.",
  })
  processId!: string | null;

  @Field(() => LicenseKeyRef, { description: 'The key whose seat the session holds.' })
  licenseKey!: LicenseKeyRef;

  @Field(() => ProductRef, { description: 'The product whose seat the session holds.' })
  product!: ProductRef;

  @Field(() => HostView, { description: 'The computer the session runs on.' })
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
