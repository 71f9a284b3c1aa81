import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { DomainError } from '@licensing/graphql';
import { TestDatabase, testInfrastructure } from '@licensing/testing';
import { ClientAccessModule } from '../src/client-access/client-access.module';
import { ClientAccessService } from '../src/client-access/client-access.service';
import { throttleKey, ThrottleRule, throttleSubjects } from '../src/common/login-throttle.service';
import { LicenseKeyService } from '../src/license-key/license-key.service';
import { StaffModule } from '../src/staff/staff.module';
import { StaffService } from '../src/staff/staff.service';
import { VendorService } from '../src/vendor/vendor.service';
import { compileFeatures, migratedDatabase, testConfig } from './support';

const PASSWORD = 'correct horse battery';

/** The error code of a rejected login, or 'OK'. */
async function outcome(login: Promise<unknown>): Promise<string> {
  try {
    await login;
    return 'OK';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

/** A code of the right shape that no key has. */
const unknownCode = (i: number) => `THRT-22222-22222-22222-${String(i).padStart(5, '3')}`;

/**
 * The login throttles against real Redis (and a real database for the credentials), through
 * the staff and client-access feature modules: the counts in Redis after parallel attempts,
 * who is refused and who is not.
 */
describe('login throttles', () => {
  const namespace = `throttle-test-${randomUUID()}`;
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let staff: StaffService;
  let clients: ClientAccessService;
  let keys: LicenseKeyService;
  let redis: Redis;
  let vendorId: string;

  /** The count one rule holds in Redis for (account, address); 0 when it has none. */
  async function count(rule: ThrottleRule, account: string, clientIp: string): Promise<number> {
    const kind = rule.startsWith('staff') ? 'staff' : 'client';
    const s = throttleSubjects(kind, account, clientIp);
    const subject =
      rule.endsWith('account-address') || rule.endsWith('code-address')
        ? s.accountAtAddress
        : rule.endsWith('account')
          ? s.account
          : s.address;
    return Number((await redis.get(throttleKey(namespace, rule, subject))) ?? 0);
  }

  const login = (email: string, password: string, ip: string) => staff.login({ email, password }, ip);

  async function owner(email: string): Promise<void> {
    await staff.create(vendorId, { email, name: email, role: 'OWNER', password: PASSWORD });
  }

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase('keys_login_throttle'));
    const config = testConfig({
      THROTTLE_NAMESPACE: namespace,
      LOGIN_FAILURES_PER_EMAIL: '10',
      LOGIN_FAILURES_PER_ADDRESS: '50',
      LOGIN_SLOWDOWN_AFTER: '20',
      LOGIN_SLOWDOWN_MAX_MS: '1500',
      CLIENT_LOGIN_FAILURES_PER_ADDRESS: '20',
      CLIENT_LOGIN_FAILURES_PER_CODE: '10',
    });
    const compiled = await compileFeatures(dataSource, [StaffModule, ClientAccessModule], config);
    close = compiled.close;
    staff = compiled.moduleRef.get(StaffService);
    clients = compiled.moduleRef.get(ClientAccessService);
    keys = compiled.moduleRef.get(LicenseKeyService);
    vendorId = (await compiled.moduleRef.get(VendorService).create({ prefix: 'THRT', name: 'Throttled' })).vendor.id;
    redis = new Redis((await testInfrastructure()).redisUrl);
  });

  afterAll(async () => {
    const counters = await redis?.keys(`${namespace}:*`);
    if (counters?.length) await redis.del(...counters);
    redis?.disconnect();
    await close?.();
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('staff login', () => {
    it('counts 50 parallel wrong passwords for one account, every one of them', async () => {
      await owner('parallel@throttle.test');
      const ip = '203.0.113.10';
      const codes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => outcome(login('parallel@throttle.test', `wrong ${i}`, ip))),
      );
      // 10 reach the password check; the other 40 are refused, though all 50 started together.
      expect(tally(codes)).toEqual({ UNAUTHENTICATED: 10, RATE_LIMITED: 40 });
      expect(await count('staff-address', 'parallel@throttle.test', ip)).toBe(50);
      expect(await count('staff-account-address', 'parallel@throttle.test', ip)).toBe(50);
      // Only the attempts that got past the address rules count on the account.
      expect(await count('staff-account', 'parallel@throttle.test', ip)).toBe(10);

      // The 51st, with the right password, meets the address's limit.
      const refused = await login('parallel@throttle.test', PASSWORD, ip).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      const retryAfter = Number((refused as DomainError).details?.['retryAfterSeconds']);
      expect(retryAfter).toBeGreaterThan(850);
      expect(retryAfter).toBeLessThanOrEqual(900);
    });

    it('lets the owner in from another address after an attacker tripped every limit that applies to the attacker', async () => {
      await owner('target@throttle.test');
      const attacker = '198.51.100.20';
      const codes = await Promise.all(
        Array.from({ length: 60 }, (_, i) => outcome(login('target@throttle.test', `guess ${i}`, attacker))),
      );
      expect(tally(codes)).toEqual({ UNAUTHENTICATED: 10, RATE_LIMITED: 50 });
      expect(await outcome(login('target@throttle.test', PASSWORD, attacker))).toBe('RATE_LIMITED');
      expect(await outcome(login('someone-else@throttle.test', 'x', attacker))).toBe('RATE_LIMITED');

      const atHome = await login('target@throttle.test', PASSWORD, '192.0.2.30');
      expect(atHome.staff.email).toBe('target@throttle.test');
    });

    it('refuses an e-mail only from the address that failed on it: other accounts from there log in', async () => {
      await Promise.all([owner('victim@throttle.test'), owner('colleague@throttle.test')]);
      const office = '192.0.2.40';
      for (let i = 0; i < 10; i++) await outcome(login('victim@throttle.test', `wrong ${i}`, office));
      expect(await outcome(login('victim@throttle.test', PASSWORD, office))).toBe('RATE_LIMITED');
      expect(await outcome(login('colleague@throttle.test', PASSWORD, office))).toBe('OK');
      expect(await outcome(login('victim@throttle.test', PASSWORD, '192.0.2.41'))).toBe('OK');
    });

    it('slows an account attacked from many addresses instead of locking it', async () => {
      await owner('popular@throttle.test');
      // 5 addresses × 10 failures: 50 on the account, 30 past LOGIN_SLOWDOWN_AFTER.
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          outcome(login('popular@throttle.test', `guess ${i}`, `198.51.100.${50 + (i % 5)}`)),
        ),
      );
      expect(await count('staff-account', 'popular@throttle.test', '')).toBe(50);
      const started = Date.now();
      const owned = await login('popular@throttle.test', PASSWORD, '192.0.2.50');
      expect(owned.staff.email).toBe('popular@throttle.test');
      // Slowed by LOGIN_SLOWDOWN_MAX_MS (1.5 s here), not refused.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    });

    it('takes a successful attempt back from every counter', async () => {
      await owner('typo@throttle.test');
      const ip = '192.0.2.60';
      for (let i = 0; i < 3; i++) await outcome(login('typo@throttle.test', `wrong ${i}`, ip));
      await login('typo@throttle.test', PASSWORD, ip);
      expect(await count('staff-address', 'typo@throttle.test', ip)).toBe(3);
      expect(await count('staff-account-address', 'typo@throttle.test', ip)).toBe(3);
      expect(await count('staff-account', 'typo@throttle.test', ip)).toBe(3);
    });
  });

  describe('client login', () => {
    let code: string;

    beforeAll(async () => {
      code = (await keys.create(vendorId, { client: { company: 'Throttle Client' } })).code;
    });

    it('counts retries of one unknown code on that code only, not on the address', async () => {
      const ip = '203.0.113.70';
      const codes = await Promise.all(Array.from({ length: 25 }, () => outcome(clients.login(unknownCode(1), ip))));
      expect(tally(codes)).toEqual({ UNAUTHENTICATED: 10, RATE_LIMITED: 15 });
      expect(await count('client-code-address', unknownCode(1), ip)).toBe(25);
      expect(await count('client-address', unknownCode(1), ip)).toBe(1);
      expect(await outcome(clients.login(unknownCode(2), ip))).toBe('UNAUTHENTICATED');
      expect(await outcome(clients.login(code, ip))).toBe('OK');
    });

    it('refuses an address that tried 20 different unknown codes, and only that address (an IPv6 /64)', async () => {
      const ip = '2001:db8:70:1::1';
      const codes = await Promise.all(
        Array.from({ length: 30 }, (_, i) => outcome(clients.login(unknownCode(100 + i), ip))),
      );
      expect(tally(codes)).toEqual({ UNAUTHENTICATED: 20, RATE_LIMITED: 10 });
      expect(await count('client-address', '', ip)).toBe(30);
      // The same /64 is the same subscriber; even a known code is refused there.
      expect(await outcome(clients.login(unknownCode(1), '2001:db8:70:1:ffff::2'))).toBe('RATE_LIMITED');
      expect(await outcome(clients.login(code, '2001:db8:70:1::3'))).toBe('RATE_LIMITED');
      expect(await outcome(clients.login(code, '2001:db8:70:2::1'))).toBe('OK');
    });

    it('has no limit across addresses: guesses from many addresses lock nobody out', async () => {
      const codes = await Promise.all(
        Array.from({ length: 60 }, (_, i) => outcome(clients.login(unknownCode(200 + i), `198.18.0.${i + 1}`))),
      );
      expect(tally(codes)).toEqual({ UNAUTHENTICATED: 60 });
      expect(await outcome(clients.login(code, '198.18.1.1'))).toBe('OK');
    });

    it('counts nothing for malformed input', async () => {
      expect(await outcome(clients.login('hello', '203.0.113.80'))).toBe('BAD_USER_INPUT');
      expect(await redis.keys(throttleKey(namespace, 'client-address', '203.0.113.80'))).toEqual([]);
    });
  });

  it('lets attempts through when Redis is down, and says so in the log', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    const down = await compileFeatures(
      dataSource,
      [StaffModule],
      testConfig({ THROTTLE_NAMESPACE: namespace }),
      'redis://127.0.0.1:1',
    );
    try {
      const offline = down.moduleRef.get(StaffService);
      await offline.create(vendorId, { email: 'offline@throttle.test', name: 'O', role: 'OWNER', password: PASSWORD });
      expect(await outcome(offline.login({ email: 'offline@throttle.test', password: 'wrong' }, '192.0.2.90'))).toBe(
        'UNAUTHENTICATED',
      );
      const started = Date.now();
      expect(await outcome(offline.login({ email: 'offline@throttle.test', password: PASSWORD }, '192.0.2.90'))).toBe(
        'OK',
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(warnings.some((w) => w.startsWith('throttle unavailable, attempt let through'))).toBe(true);
    } finally {
      warn.mockRestore();
      await down.close();
    }
  });
});
