export {
  CODE_ALPHABET,
  CODE_GROUPS,
  CODE_GROUP_LENGTH,
  CODE_RANDOM_BITS,
  COUPON_MARK,
  generateCode,
  parseCode,
  normalizeKeyCode,
  normalizeCouponCode,
} from './codes';
export type { CodeKind, ParsedCode } from './codes';
export {
  evaluateKey,
  describeVerdict,
  addedLicenseKind,
  daysAfter,
  DAY_MS,
  INACTIVE_REASONS,
  TRIAL_SEATS,
} from './licenses';
export type { InactiveReason, KeyVerdict, LicenseFacts, LicenseKind, LicenseVerdict, ProductVerdict } from './licenses';
