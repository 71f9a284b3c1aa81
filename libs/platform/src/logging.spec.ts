import { Writable } from 'node:stream';
import pino from 'pino';
import { runWithRequestId } from '@licensing/telemetry';
import { operationNameOf, pinoOptions, safeError } from './logging';

/** A pino logger with the services' options, writing into an array of parsed lines. */
function capture(level = 'log') {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, any>),
      );
      done();
    },
  });
  return { logger: pino(pinoOptions('coupons', { LOG_LEVEL: level }), sink), lines };
}

describe('logging', () => {
  it('writes one JSON line with UTC time, level name, service and the current request id', () => {
    const { logger, lines } = capture();
    logger.info('outside');
    runWithRequestId('req-12345678', () => logger.warn({ code: 'COUPON_USED' }, 'refused'));
    expect(lines[0]).toMatchObject({ level: 'info', service: 'coupons', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('requestId');
    expect(lines[1]).toMatchObject({ level: 'warn', requestId: 'req-12345678', code: 'COUPON_USED', msg: 'refused' });
    expect(lines[1]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('maps LOG_LEVEL onto pino levels', () => {
    const { logger, lines } = capture('warn');
    logger.info('dropped');
    logger.warn('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });

  it('redacts credentials, codes and variables wherever a caller puts them at the top or in input', () => {
    const { logger, lines } = capture();
    logger.info({
      password: 'hunter2-secret',
      authorization: 'Bearer tok',
      variables: { input: { keyCode: 'ACME-1' } },
      input: { keyCode: 'ACME-2', couponCode: 'ACMEUPD-3', password: 'p' },
      headers: { cookie: 'c' },
      code: 'BAD_USER_INPUT',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['hunter2-secret', 'Bearer tok', 'ACME-1', 'ACME-2', 'ACMEUPD-3', '"c"']) {
      expect(text).not.toContain(secret);
    }
    // An error code is not a secret.
    expect(lines[0]!.code).toBe('BAD_USER_INPUT');
  });

  it('serializes an error as type, message, code and stack, never its other fields (a query’s parameters)', () => {
    const error = Object.assign(new Error('duplicate key'), {
      code: '23505',
      parameters: ['owner@acme.test', 'hash'],
      query: 'INSERT …',
    });
    const { logger, lines } = capture();
    logger.error({ err: error }, 'internal error');
    expect(lines[0]!.err).toEqual({ type: 'Error', message: 'duplicate key', code: '23505', stack: error.stack });
    expect(safeError({ message: 'from a subgraph', extensions: { secret: 1 } })).toEqual({
      message: 'from a subgraph',
    });
  });

  it('names the operation from the body, never quoting anything else of it', () => {
    expect(operationNameOf({ operationName: 'Login', query: 'mutation Login { x }' })).toBe('Login');
    expect(operationNameOf({ query: '  mutation ActivateCoupon($input: X!) { a }' })).toBe('ActivateCoupon');
    expect(operationNameOf({ query: '{ keysInfo { service } }' })).toBeUndefined();
    expect(operationNameOf('not an object')).toBeUndefined();
  });
});
