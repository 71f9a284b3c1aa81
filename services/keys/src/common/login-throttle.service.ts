import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '@licensing/graphql';
import { REDIS } from '@licensing/platform';
import { InjectKeysConfig, KeysConfig } from '../config';
import { throttleAddress } from './client-address';

/** Every counter lives 15 minutes from its first attempt. */
export const THROTTLE_WINDOW_SECONDS = 900;

/** How much longer each attempt on an account waits, per failure past LOGIN_SLOWDOWN_AFTER. */
export const SLOWDOWN_STEP_MS = 250;

/** A throttle that does not answer within this long lets the attempt through. */
const REDIS_TIMEOUT_MS = 500;

/** The counters, by the name they carry in Redis. */
export type ThrottleRule =
  'staff-address' | 'staff-account-address' | 'staff-account' | 'client-address' | 'client-code-address';

/** E-mails and codes (a code is a credential) reach Redis only as a digest. */
export function throttleDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);
}

/** The Redis key of one counter (rate-limiter-flexible adds `:<subject>` to its prefix). */
export function throttleKey(namespace: string, rule: ThrottleRule, subject: string): string {
  return `${namespace}:throttle:${rule}:${subject}`;
}

/** The subjects one attempt is counted under. */
export function throttleSubjects(kind: 'staff' | 'client', account: string, clientIp: string) {
  const address = throttleAddress(clientIp);
  const digest = throttleDigest(`${kind}:${account}`);
  return { address, account: digest, accountAtAddress: `${digest}@${address}` };
}

/** A login attempt that got past the throttle; settle it once the credential is checked. */
export interface LoginTicket {
  /** The credential was right: the attempt is taken back from every counter it was added to. */
  succeeded(): Promise<void>;
}

interface Counted {
  rule: ThrottleRule;
  subject: string;
}

/**
 * The login throttles (rate-limiter-flexible on the service's Redis, shared by every
 * instance). Rules, all over 15 minutes:
 *
 * Staff login (`admitStaffLogin`):
 *  - per address: LOGIN_FAILURES_PER_ADDRESS attempts that were not successful logins; past
 *    it the address is refused, whatever the e-mail;
 *  - per (e-mail, address): LOGIN_FAILURES_PER_EMAIL; past it that e-mail is refused from
 *    that address only, so an attacker elsewhere cannot lock the owner out;
 *  - per e-mail from all addresses: never refused; past LOGIN_SLOWDOWN_AFTER every attempt
 *    on it waits 250 ms more per failure, up to LOGIN_SLOWDOWN_MAX_MS (the owner gets in,
 *    late; a distributed guess is slowed).
 *
 * Client login (`admitClientLogin`, the code being a license key or a coupon):
 *  - per (code, address): CLIENT_LOGIN_FAILURES_PER_CODE; past it that code is refused from
 *    that address;
 *  - per address: CLIENT_LOGIN_FAILURES_PER_ADDRESS different codes; retries of one code
 *    count only on the first rule, so a client retrying a deleted key does not lock its
 *    office out. There is no limit across addresses: it would let anyone lock every client
 *    out (the gateway limits requests per address, and codes carry 100 random bits).
 *
 * Counting is atomic: an attempt is consumed from each counter BEFORE the credential is
 * checked (one Redis INCR in a script per counter), and given back when it succeeds. The
 * alternative, counting after a failure, must read the counter first, and parallel
 * attempts would all read the same value and all be checked (the bug this replaces).
 * Consuming first means 50 parallel wrong passwords are 50 increments and exactly the
 * allowed number of them reach the password check. Counters are consumed in the order
 * above and an attempt refused by one is not added to the next (an attacker's refused
 * attempts do not slow the owner). A refused attempt still counts on the counter that
 * refused it, but does not move the end of its window.
 *
 * When Redis does not answer, attempts are let through and a warning is logged (at most
 * every few seconds): a login outage would be worse than a window without throttling.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger('LoginThrottle');
  private readonly limiters: Record<ThrottleRule, RateLimiterRedis>;
  private lastWarning = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {
    const limiter = (rule: ThrottleRule, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.THROTTLE_NAMESPACE}:throttle:${rule}`,
        points,
        duration: THROTTLE_WINDOW_SECONDS,
      });
    this.limiters = {
      'staff-address': limiter('staff-address', config.LOGIN_FAILURES_PER_ADDRESS),
      'staff-account-address': limiter('staff-account-address', config.LOGIN_FAILURES_PER_EMAIL),
      'staff-account': limiter('staff-account', config.LOGIN_SLOWDOWN_AFTER),
      'client-address': limiter('client-address', config.CLIENT_LOGIN_FAILURES_PER_ADDRESS),
      'client-code-address': limiter('client-code-address', config.CLIENT_LOGIN_FAILURES_PER_CODE),
    };
  }

  /** Counts a staff login attempt; throws RATE_LIMITED, or waits while the e-mail is slowed. */
  async admitStaffLogin(email: string, clientIp: string): Promise<LoginTicket> {
    const s = throttleSubjects('staff', email, clientIp);
    const counted: Counted[] = [];
    if (!(await this.take('staff-address', s.address, counted))) return this.ticket(counted);
    if (!(await this.take('staff-account-address', s.accountAtAddress, counted))) return this.ticket(counted);
    const onAccount = await this.consume('staff-account', s.account);
    if (onAccount) {
      counted.push({ rule: 'staff-account', subject: s.account });
      const delay = this.slowdownMs(onAccount.res.consumedPoints);
      if (delay > 0) await sleep(delay);
    }
    return this.ticket(counted);
  }

  /** Counts a client login attempt with a parsed code; throws RATE_LIMITED. */
  async admitClientLogin(code: string, clientIp: string): Promise<LoginTicket> {
    const s = throttleSubjects('client', code, clientIp);
    const counted: Counted[] = [];
    const onCode = await this.take('client-code-address', s.accountAtAddress, counted);
    if (!onCode) return this.ticket(counted);
    if (onCode.consumedPoints === 1) {
      // The first try of this code from here in the window: a new guess.
      await this.take('client-address', s.address, counted);
    } else {
      const seen = await this.peek('client-address', s.address);
      if (seen && seen.consumedPoints > this.limiters['client-address'].points)
        throw refusal(seen, this.limiters['client-address'].points);
    }
    return this.ticket(counted);
  }

  /** The wait before an attempt on an account with `attempts` counted attempts. */
  slowdownMs(attempts: number): number {
    const excess = attempts - this.config.LOGIN_SLOWDOWN_AFTER;
    return excess > 0 ? Math.min(excess * SLOWDOWN_STEP_MS, this.config.LOGIN_SLOWDOWN_MAX_MS) : 0;
  }

  /**
   * Consumes one attempt and throws RATE_LIMITED past the rule's limit. Returns the state of
   * the counter, or undefined when Redis did not answer (the caller stops counting).
   */
  private async take(rule: ThrottleRule, subject: string, counted: Counted[]): Promise<RateLimiterRes | undefined> {
    const result = await this.consume(rule, subject);
    if (!result) return undefined;
    if (result.refused) throw refusal(result.res, this.limiters[rule].points);
    counted.push({ rule, subject });
    return result.res;
  }

  private async consume(
    rule: ThrottleRule,
    subject: string,
  ): Promise<{ res: RateLimiterRes; refused: boolean } | undefined> {
    try {
      return { res: await this.redisCall(() => this.limiters[rule].consume(subject)), refused: false };
    } catch (error) {
      // rate-limiter-flexible rejects with the counter's state when it is over the limit.
      if (error instanceof RateLimiterRes) return { res: error, refused: true };
      this.warn(`throttle unavailable, attempt let through: ${String(error)}`);
      return undefined;
    }
  }

  private async peek(rule: ThrottleRule, subject: string): Promise<RateLimiterRes | null> {
    try {
      return await this.redisCall(() => this.limiters[rule].get(subject));
    } catch (error) {
      this.warn(`throttle unavailable, attempt let through: ${String(error)}`);
      return null;
    }
  }

  private ticket(counted: readonly Counted[]): LoginTicket {
    return {
      succeeded: async () => {
        await Promise.all(
          counted.map(({ rule, subject }) =>
            this.redisCall(() => this.limiters[rule].reward(subject, 1)).catch((error: unknown) =>
              this.warn(`throttle unavailable, successful login still counted: ${String(error)}`),
            ),
          ),
        );
      },
    };
  }

  /** Fails at once while Redis is known to be away, else when it does not answer in time. */
  private async redisCall<T>(operation: () => Promise<T>): Promise<T> {
    const { status } = this.redis;
    if (status === 'reconnecting' || status === 'close' || status === 'end') throw new Error(`Redis is ${status}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        operation(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 5_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

function refusal(res: RateLimiterRes, limit: number): RateLimitedError {
  return new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1000)), limit);
}
