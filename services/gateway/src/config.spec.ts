import { ConfigValidationError, validateEnv } from '@licensing/config';
import { GatewayConfig } from './config';

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
});
