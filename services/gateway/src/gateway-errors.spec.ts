import { GraphQLError } from 'graphql';
import { formatGatewayError } from './gateway-errors';
import { batchRefusal } from './limits/batch';
import { stripSuggestions } from './limits/suggestions';

/** What @apollo/gateway makes of a subgraph's error (see downstreamServiceError). */
function downstream(wire: { message: string; extensions?: Record<string, unknown> }, serviceName = 'sessions') {
  return new GraphQLError(wire.message, {
    originalError: wire as unknown as Error,
    path: ['acquireLicense'],
    extensions: { ...wire.extensions, serviceName },
  });
}

function format(error: GraphQLError, production = false) {
  const masked: unknown[] = [];
  const result = formatGatewayError(
    { ...error.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', ...error.extensions } },
    error,
    { production, requestId: 'req-42', onInternalError: (e) => masked.push(e) },
  );
  return { result, masked };
}

describe('formatGatewayError', () => {
  it('keeps a subgraph domain error: message, code, licensingCode, field, path', () => {
    const { result, masked } = format(
      downstream({
        message: 'All seats are bound to other hosts',
        extensions: {
          code: 'NO_FREE_LICENSE',
          licensingCode: 1051,
          field: 'input.host',
          requestId: 'req-42',
          stacktrace: ['at x'],
        },
      }),
    );
    expect(result).toEqual({
      message: 'All seats are bound to other hosts',
      path: ['acquireLicense'],
      extensions: { code: 'NO_FREE_LICENSE', licensingCode: 1051, field: 'input.host', requestId: 'req-42' },
    });
    expect(masked).toEqual([]);
  });

  it('masks a subgraph error without a public code and reports it', () => {
    const { result, masked } = format(
      downstream({ message: 'connect ECONNREFUSED 10.0.0.5:5432', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    );
    expect(result.message).toBe('Internal server error (request id req-42)');
    expect(result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
    expect(JSON.stringify(result)).not.toContain('5432');
    expect(masked).toHaveLength(1);
    expect(
      format(downstream({ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } })).result.extensions?.[
        'code'
      ],
    ).toBe('INTERNAL_SERVER_ERROR');
  });

  it('masks errors thrown inside the gateway', () => {
    const error = new GraphQLError('socket hang up', { originalError: new Error('socket hang up') });
    expect(format(error).result.message).toBe('Internal server error (request id req-42)');
  });

  it('strips suggestions in production', () => {
    const error = new GraphQLError('Cannot query field "prodcts" on type "Query". Did you mean "products"?', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(format(error).result.message).toContain('Did you mean');
    expect(format(error, true).result.message).toBe('Cannot query field "prodcts" on type "Query".');
  });
});

describe('stripSuggestions', () => {
  it.each([
    ['Cannot query field "x" on type "Q". Did you mean "y" or "z"?', 'Cannot query field "x" on type "Q".'],
    [
      'Value "FOO" does not exist in "Kind" enum. Did you mean the enum value "FOOD"?',
      'Value "FOO" does not exist in "Kind" enum.',
    ],
    [
      'Unknown argument "frist" on field "Query.keys". Did you mean "first"?',
      'Unknown argument "frist" on field "Query.keys".',
    ],
    ['Field "x" is not defined by type "In".', 'Field "x" is not defined by type "In".'],
  ])('%s', (message, expected) => {
    expect(stripSuggestions(message)).toBe(expected);
  });
});

describe('batchRefusal', () => {
  it('refuses array bodies and lets single operations pass', () => {
    expect(batchRefusal([{ query: '{ a }' }])).toMatch(/one operation per HTTP request/);
    expect(batchRefusal([])).toBeDefined();
    expect(batchRefusal({ query: '{ a }' })).toBeUndefined();
    expect(batchRefusal(undefined)).toBeUndefined();
  });
});
