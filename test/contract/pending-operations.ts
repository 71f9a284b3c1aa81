/**
 * Contract operations that no issue has implemented yet. This is the only list of
 * exceptions the contract test accepts: every other operation must validate against the
 * composed supergraph and is exercised end to end. Each issue shrinks this list.
 */
export const PENDING_OPERATIONS: Readonly<Record<string, string>> = {
  // keys service (issue 3)
  CreateStaff: 'keys: staff',
  Login: 'keys: staff',
  CreateDistributor: 'keys: distributors',
  Distributors: 'keys: distributors',
  CreateLicenseKey: 'keys: license keys',
  UpdateLicenseKey: 'keys: license keys',
  DeleteLicenseKey: 'keys: license keys',
  LicenseKeyCard: 'keys + coupons + sessions: the key card',
  LicenseKeys: 'keys: key search',
  ClientLogin: 'keys: client cabinet',
  MyLicenseKey: 'keys + coupons + sessions: client cabinet',
  Register: 'keys: registration',
  ActivateTrial: 'keys: trials',
  // coupons service (issue 4)
  GenerateCoupons: 'coupons',
  Coupons: 'coupons',
  Coupon: 'coupons',
  ActivateCoupon: 'coupons',
  ActivateCouponFromApp: 'coupons',
  DeactivateActivation: 'coupons',
  CouponStatistics: 'coupons',
  // sessions service
  ResetBinding: 'sessions',
  ResetBindings: 'sessions',
  TerminateSession: 'sessions',
  LicenseCheck: 'sessions',
  AcquireLicense: 'sessions',
  Heartbeat: 'sessions',
  ReleaseLicense: 'sessions',
  CheckLicense: 'sessions',
  // notifications service
  CreateWebhookEndpoint: 'notifications',
  WebhookDeliveries: 'notifications',
  Notifications: 'notifications',
};
