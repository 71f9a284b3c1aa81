/**
 * Who is calling. The gateway resolves it from the bearer token and passes it to the
 * subgraphs in a signed header; subgraphs never look at tokens themselves.
 */
export type StaffRole = 'OWNER' | 'MANAGER';

export type Identity =
  | { kind: 'operator' }
  /** A vendor API key: full rights over one vendor. */
  | { kind: 'vendor'; vendorId: string; apiKeyId: string }
  | { kind: 'staff'; vendorId: string; staffId: string; role: StaffRole }
  /** Client cabinet: sees only its own license key. */
  | { kind: 'client'; vendorId: string; keyId: string; keyCode: string }
  /** No token: a protected application, whose license key is the credential. */
  | { kind: 'application' };

export type IdentityKind = Identity['kind'];

/** What a subgraph knows about the request besides the identity. */
export interface RequestContext {
  identity: Identity;
  requestId: string;
  /** The caller's address as the gateway saw it, for throttling. */
  clientIp: string;
}

/** The vendor the caller acts for, or undefined for the operator and applications. */
export function vendorIdOf(identity: Identity): string | undefined {
  switch (identity.kind) {
    case 'vendor':
    case 'staff':
    case 'client':
      return identity.vendorId;
    case 'operator':
    case 'application':
      return undefined;
    default: {
      const never: never = identity;
      return never;
    }
  }
}

export function describeIdentity(identity: Identity): string {
  switch (identity.kind) {
    case 'operator':
      return 'operator';
    case 'vendor':
      return `vendor ${identity.vendorId} (api key ${identity.apiKeyId})`;
    case 'staff':
      return `staff ${identity.staffId} (${identity.role}) of vendor ${identity.vendorId}`;
    case 'client':
      return `client of key ${identity.keyCode}`;
    case 'application':
      return 'application';
    default: {
      const never: never = identity;
      return never;
    }
  }
}
