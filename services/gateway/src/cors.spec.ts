import { corsOrigins, DEVELOPMENT_ORIGINS } from './cors';
import { validateEnv } from '@licensing/config';
import { GatewayConfig } from './config';

describe('CORS_ORIGINS', () => {
  it('defaults to the cabinets local origins in development and to none elsewhere', () => {
    expect(corsOrigins('', 'development')).toEqual(DEVELOPMENT_ORIGINS);
    expect(DEVELOPMENT_ORIGINS).toEqual(expect.arrayContaining(['http://localhost:3000', 'http://localhost:5173']));
    expect(corsOrigins('', 'production')).toEqual([]);
    expect(corsOrigins('', 'test')).toEqual([]);
    expect(corsOrigins('none', 'development')).toEqual([]);
  });

  it('reads a comma list of exact origins', () => {
    expect(
      corsOrigins(' https://Cabinet.example.com , http://localhost:8080,https://[::1]:3000', 'production'),
    ).toEqual(['https://cabinet.example.com', 'http://localhost:8080', 'https://[::1]:3000']);
  });

  it.each([
    '*',
    'cabinet.example.com',
    'https://cabinet.example.com/',
    'https://a.example.com/path',
    'ftp://x.example',
  ])('refuses %s, naming the variable', (value) => {
    expect(() => corsOrigins(value, 'production')).toThrow(/is not an origin/);
    const env = {
      OPERATOR_TOKEN: 'o'.repeat(24),
      IDENTITY_SIGNING_SECRET: 's'.repeat(32),
      ACCESS_TOKEN_SECRET: 'a'.repeat(32),
      CORS_ORIGINS: value,
    };
    expect(() => validateEnv(GatewayConfig, env)).toThrow(/CORS_ORIGINS/);
  });
});
