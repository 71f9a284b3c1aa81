import { GraphQLError } from 'graphql';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';
import { formatGraphQLError } from './format-error';

function format(error: unknown, extensions?: Record<string, unknown>) {
  const gql =
    error instanceof GraphQLError ? error : new GraphQLError('boom', { originalError: error as Error, extensions });
  const internal: unknown[] = [];
  const result = formatGraphQLError(gql.toJSON(), gql, {
    requestId: 'req-9',
    onInternalError: (e) => internal.push(e),
  });
  return { result, internal };
}

describe('formatGraphQLError', () => {
  it('keeps a domain error code, its licensing number and the field', () => {
    const { result } = format(
      new DomainError(ErrorCode.NO_FREE_LICENSE, 'All seats are bound to other hosts', 'input.host'),
    );
    expect(result).toMatchObject({
      message: 'All seats are bound to other hosts',
      extensions: { code: 'NO_FREE_LICENSE', licensingCode: 1051, field: 'input.host', requestId: 'req-9' },
    });
  });

  it.each([
    ['COUPON_NEEDS_KEY', 1003],
    ['ALREADY_REGISTERED', 1059],
    ['LICENSE_NOT_ON_KEY', 2008],
    ['EMAIL_HAS_KEY_FOR_OTHER_COMPANY', 2022],
    ['HOST_REGISTERED_WITH_OTHER_DETAILS', 2051],
  ] as const)('%s carries licensingCode %i', (code, number) => {
    expect(format(new DomainError(code, 'x')).result.extensions?.['licensingCode']).toBe(number);
  });

  it('masks anything unexpected to a message with the request id, and reports it', () => {
    const secret = new Error('duplicate key value violates unique constraint "api_keys_key_hash_key"');
    const { result, internal } = format(secret);
    expect(result.message).toBe('Internal server error (request id req-9)');
    expect(JSON.stringify(result)).not.toContain('api_keys');
    expect(result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-9' });
    expect(internal).toEqual([secret]);
  });

  it('passes errors that already carry a public code (from a subgraph, through the gateway)', () => {
    const downstream = new GraphQLError('products needs a token', { extensions: { code: 'UNAUTHENTICATED' } });
    expect(format(downstream).result.extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: 'req-9' });
    const fake = new GraphQLError('x', { extensions: { code: 'SOMETHING_INTERNAL' } });
    expect(format(fake).result.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('formatGraphQLError and the database', () => {
  it.each([
    ['22P02', 'invalid input syntax for type uuid: "nope"'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22003', 'value "99999999999" is out of range for type integer'],
  ])('maps data exception %s to BAD_USER_INPUT without the database message', (code, message) => {
    const driverError = Object.assign(new Error(message), { code });
    const queryFailed = Object.assign(new Error(message), { driverError });
    const { result, internal } = format(queryFailed);
    expect(result.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'req-9' });
    expect(result.message).not.toContain(message);
    expect(internal).toEqual([]);
  });

  it('still masks other database failures', () => {
    const driverError = Object.assign(new Error('connection terminated'), { code: '57P01' });
    const { result } = format(Object.assign(new Error('x'), { driverError }));
    expect(result.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
  });
});
