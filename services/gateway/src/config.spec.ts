import { ConfigValidationError, validateEnv } from '@licensing/config';
import { GatewayConfig, trustProxySetting } from './config';

const REQUIRED = {
  OPERATOR_TOKEN: 'op_'.padEnd(30, 'x'),
  IDENTITY_SIGNING_SECRET: 's'.repeat(32),
  ACCESS_TOKEN_SECRET: 'a'.repeat(32),
};

describe('GatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = validateEnv(GatewayConfig, REQUIRED);
    expect(config).toMatchObject({
      PORT: 4000,
      KEYS_URL: 'http://127.0.0.1:4001/graphql',
      COUPONS_URL: 'http://127.0.0.1:4002/graphql',
      SESSIONS_URL: 'http://127.0.0.1:4003/graphql',
      NOTIFICATIONS_URL: 'http://127.0.0.1:4004/graphql',
      KEYS_INTERNAL_URL: 'http://127.0.0.1:4001',
      GRAPHQL_INTROSPECTION: 'false',
      MAX_QUERY_DEPTH: 12,
      MAX_QUERY_COST: 5000,
      MAX_ALIASES: 30,
      API_KEY_CACHE_TTL_MS: 30_000,
      APP_RATE_LIMIT_PER_MINUTE: 600,
      SUPERGRAPH_PATH: 'services/gateway/supergraph.graphql',
      TRUST_PROXY: '',
    });
  });

  it('requires the operator token and both secrets, naming each', () => {
    let error: unknown;
    try {
      validateEnv(GatewayConfig, { OPERATOR_TOKEN: 'too-short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    for (const name of ['OPERATOR_TOKEN', 'IDENTITY_SIGNING_SECRET', 'ACCESS_TOKEN_SECRET'])
      expect(problems).toContain(name);
  });

  it('converts numbers and refuses bad values', () => {
    expect(validateEnv(GatewayConfig, { ...REQUIRED, MAX_QUERY_COST: '15', PORT: '0' })).toMatchObject({
      MAX_QUERY_COST: 15,
      PORT: 0,
    });
    expect(() => validateEnv(GatewayConfig, { ...REQUIRED, GRAPHQL_INTROSPECTION: 'yes' })).toThrow(
      /GRAPHQL_INTROSPECTION/,
    );
    expect(() => validateEnv(GatewayConfig, { ...REQUIRED, KEYS_URL: 'keys:4001' })).toThrow(/KEYS_URL/);
    expect(() => validateEnv(GatewayConfig, { ...REQUIRED, MAX_ALIASES: 'many' })).toThrow(/MAX_ALIASES/);
  });

  describe('TRUST_PROXY', () => {
    it('trusts no proxy by default, nor with none or false', () => {
      for (const value of [undefined, '', 'none', 'false', ' , ']) {
        const config = validateEnv(GatewayConfig, { ...REQUIRED, TRUST_PROXY: value });
        expect(trustProxySetting(config.TRUST_PROXY)).toBe(false);
      }
    });

    it('trusts exactly the listed addresses and CIDR ranges, IPv4-mapped peers included', () => {
      const { TRUST_PROXY } = validateEnv(GatewayConfig, {
        ...REQUIRED,
        TRUST_PROXY: '10.0.0.5, 172.16.0.0/12,2001:db8::/48',
      });
      const trusted = trustProxySetting(TRUST_PROXY);
      if (!trusted) throw new Error('expected a list');
      for (const peer of ['10.0.0.5', '::ffff:10.0.0.5', '172.20.1.1', '2001:db8:0:1::7'])
        expect(trusted(peer)).toBe(true);
      for (const peer of ['10.0.0.6', '127.0.0.1', '::1', '192.168.1.1', 'fd00::1', '169.254.0.1', '2001:db9::1', '']) {
        expect(trusted(peer)).toBe(false);
      }
    });

    it('refuses hop counts, true and names, which would trust peers nobody listed', () => {
      for (const value of [
        '1',
        '2',
        'true',
        'loopback',
        'uniquelocal',
        '127.0.0.1, linklocal',
        '10.0.0.0/33',
        '::1/129',
        '10.0.0.0/8/1',
      ]) {
        expect(() => validateEnv(GatewayConfig, { ...REQUIRED, TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
      }
    });
  });
});
