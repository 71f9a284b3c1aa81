import { Injectable } from '@nestjs/common';
import { parseCode } from '@licensing/domain';
import { BadInputError, DomainError, ErrorCode } from '@licensing/graphql';
import { issueAccessToken } from '@licensing/identity';
import { LoginThrottleService } from '../common/login-throttle.service';
import { InjectKeysConfig, KeysConfig } from '../config';
import { CouponGrantsService } from '../coupon-grants/coupon-grants.service';
import { LicenseKeyService } from '../license-key/license-key.service';
import { ClientLoginPayload } from './dto/client-login.inputs';

/**
 * Client-cabinet login with the key itself, or with a coupon already activated on exactly
 * one key. Malformed input is refused before anything is counted; every other attempt is
 * counted per (code, address) and, once per code, per address (LoginThrottleService), and
 * given back when the code is known. With 100 random bits per code guessing is hopeless
 * anyway; the throttle keeps it from costing anything.
 */
@Injectable()
export class ClientAccessService {
  constructor(
    private readonly keys: LicenseKeyService,
    private readonly couponGrants: CouponGrantsService,
    private readonly throttle: LoginThrottleService,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {}

  async login(typed: string, clientIp: string): Promise<ClientLoginPayload> {
    const parsed = parseCode(typed);
    if (!parsed) throw new BadInputError('input.code', 'code is neither a license key nor a coupon code');
    const attempt = await this.throttle.admitClientLogin(parsed.code, clientIp);
    const key =
      parsed.kind === 'key'
        ? await this.keys.findByCode(parsed.code)
        : await this.couponGrants.keyOfActiveCoupon(parsed.code);
    if (!key) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Unknown license key or coupon', 'input.code');
    await attempt.succeeded();
    const { token, expiresAt } = issueAccessToken(
      this.config.ACCESS_TOKEN_SECRET,
      { kind: 'client', vendorId: key.vendorId, keyId: key.id, keyCode: key.code },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    return { token, expiresAt, licenseKey: key };
  }
}
