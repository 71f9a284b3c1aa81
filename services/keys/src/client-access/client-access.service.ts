import { Injectable } from '@nestjs/common';
import { parseCode } from '@licensing/domain';
import { BadInputError, DomainError, ErrorCode } from '@licensing/graphql';
import { issueAccessToken } from '@licensing/identity';
import { FailureThrottleService, ThrottleScope } from '../common/failure-throttle.service';
import { InjectKeysConfig, KeysConfig } from '../config';
import { CouponGrantsService } from '../coupon-grants/coupon-grants.service';
import { LicenseKeyService } from '../license-key/license-key.service';
import { ClientLoginPayload } from './dto/client-login.inputs';

/**
 * Client-cabinet login with the key itself, or with a coupon already activated on exactly
 * one key. Unknown codes are counted per client address and across all addresses, and
 * past either limit every attempt is refused until the window ends: with 100 random bits
 * per key guessing is hopeless anyway, and the throttle keeps it from costing anything.
 */
@Injectable()
export class ClientAccessService {
  constructor(
    private readonly keys: LicenseKeyService,
    private readonly couponGrants: CouponGrantsService,
    private readonly throttle: FailureThrottleService,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {}

  async login(typed: string, clientIp: string): Promise<ClientLoginPayload> {
    const scopes: ThrottleScope[] = [
      {
        name: `client-login:ip:${clientIp || 'unknown'}`,
        limit: this.config.CLIENT_LOGIN_FAILURES_PER_ADDRESS,
        windowSeconds: 900,
      },
      { name: 'client-login:all', limit: this.config.CLIENT_LOGIN_FAILURES_GLOBAL, windowSeconds: 60 },
    ];
    await this.throttle.assertAllowed(scopes);
    const parsed = parseCode(typed);
    if (!parsed) throw new BadInputError('input.code', 'code is neither a license key nor a coupon code');
    const key =
      parsed.kind === 'key'
        ? await this.keys.findByCode(parsed.code)
        : await this.couponGrants.keyOfActiveCoupon(parsed.code);
    if (!key) {
      await this.throttle.recordFailure(scopes);
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Unknown license key or coupon', 'input.code');
    }
    const { token, expiresAt } = issueAccessToken(
      this.config.ACCESS_TOKEN_SECRET,
      { kind: 'client', vendorId: key.vendorId, keyId: key.id, keyCode: key.code },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    return { token, expiresAt, licenseKey: key };
  }
}
