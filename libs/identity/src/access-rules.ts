import { ForbiddenError, UnauthenticatedError } from '@licensing/graphql';
import { Identity } from './identity';

/**
 * Who may call an operation:
 *  - `operator`      the platform operator
 *  - `vendor`        a vendor API key or any staff member of the vendor
 *  - `vendor-owner`  a vendor API key or an OWNER (creating staff, say)
 *  - `client`        a client-cabinet token (its own key only)
 *  - `application`   no token: the license key in the input is the credential
 *  - `public`        anyone, token or not (login, clientLogin)
 */
export type AccessRule = 'operator' | 'vendor' | 'vendor-owner' | 'client' | 'application' | 'public';

export function ruleAdmits(rule: AccessRule, identity: Identity): boolean {
  switch (rule) {
    case 'public':
      return true;
    case 'operator':
      return identity.kind === 'operator';
    case 'vendor':
      return identity.kind === 'vendor' || identity.kind === 'staff';
    case 'vendor-owner':
      return identity.kind === 'vendor' || (identity.kind === 'staff' && identity.role === 'OWNER');
    case 'client':
      return identity.kind === 'client';
    case 'application':
      return identity.kind === 'application';
    default: {
      const never: never = rule;
      return never;
    }
  }
}

/** Throws the error that tells an anonymous caller to log in, and others that they may not. */
export function assertAdmitted(rules: readonly AccessRule[], identity: Identity, operation: string): void {
  if (rules.some((r) => ruleAdmits(r, identity))) return;
  if (identity.kind === 'application') throw new UnauthenticatedError(`${operation} needs a token`);
  throw new ForbiddenError(`${operation} is not allowed for this caller`);
}

/**
 * The vendor every query of this caller is limited to. Throws for callers that act for no
 * vendor; the operator passes an explicit vendor id where an operation is vendor-specific.
 */
export function requireVendorId(identity: Identity): string {
  switch (identity.kind) {
    case 'vendor':
    case 'staff':
    case 'client':
      return identity.vendorId;
    default:
      throw new ForbiddenError('This operation is limited to a vendor');
  }
}

/** A vendor id filter for repositories: undefined means "every vendor" (operator only). */
export function vendorScope(identity: Identity): string | undefined {
  return identity.kind === 'operator' ? undefined : requireVendorId(identity);
}
