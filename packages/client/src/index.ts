export { LicensingClient, Lease, vendorPrefixOf, lostReasonOf } from './client';
export type {
  ClientOptions,
  CheckResult,
  LeaseEvents,
  LeaseState,
  LostEvent,
  LostReason,
  RenewedEvent,
  SessionDescription,
} from './client';
export { LicensingError, SdkErrorCode } from './errors';
export type { LicensingErrorDetails } from './errors';
export { describeHost, hostFingerprint, machineId, macAddresses } from './fingerprint';
export type { FingerprintOptions, FingerprintSource, HostDescription } from './fingerprint';
export { VendorKeys, LEASE_TYP, CHECK_TYP } from './verify';
export type { CheckClaims, Jwks, LeaseClaims } from './verify';
