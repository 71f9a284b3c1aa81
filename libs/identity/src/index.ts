export type { Identity, IdentityKind, RequestContext, StaffRole } from './identity';
export { vendorIdOf, describeIdentity } from './identity';
export {
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
  IdentityHeaderError,
  signIdentityHeader,
  verifyIdentityHeader,
} from './identity-header';
export { issueAccessToken, verifyAccessToken, looksLikeJwt } from './access-token';
export type { AccessTokenSubject } from './access-token';
export { ruleAdmits, assertAdmitted, requireVendorId, vendorScope } from './access-rules';
export type { AccessRule } from './access-rules';
export {
  Allow,
  AccessGuard,
  CurrentIdentity,
  CurrentRequest,
  ACCESS_RULES,
  findOperationsWithoutAccessRules,
  requestContextOf,
} from './nest';
export type { LicensingRequest } from './nest';
