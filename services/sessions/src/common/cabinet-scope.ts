import { ForbiddenError } from '@licensing/graphql';
import { Identity } from '@licensing/identity';

/**
 * What a cabinet caller may see and change: the vendor's keys, or (client cabinet) its one
 * key. Anything outside it is answered as if it did not exist.
 */
export interface CabinetScope {
  vendorId: string;
  /** Set for the client cabinet: only this key. */
  keyId?: string;
}

export function cabinetScope(identity: Identity): CabinetScope {
  switch (identity.kind) {
    case 'vendor':
    case 'staff':
      return { vendorId: identity.vendorId };
    case 'client':
      return { vendorId: identity.vendorId, keyId: identity.keyId };
    case 'operator':
    case 'application':
      throw new ForbiddenError('This operation is limited to a vendor or client cabinet');
    default: {
      const never: never = identity;
      return never;
    }
  }
}

/** Whether the scope covers a key of `vendorId`. */
export function covers(scope: CabinetScope, vendorId: string, keyId: string): boolean {
  return scope.vendorId === vendorId && (scope.keyId === undefined || scope.keyId === keyId);
}
