import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { formatGatewayError } from '../gateway-errors';
import { QueryLimits, queryLimitsPlugin } from './limits.plugin';

const schema = buildSchema(`
  type Query { products(first: Int): [Product!]! node: Node }
  type Product { code: String! name: String! }
  type Node { id: ID! child: Node }
`);

const LIMITS: QueryLimits = { maxDepth: 5, maxCost: 100, maxAliases: 3, introspection: false };

/** An Apollo Server with the gateway's limit plugin and error formatting, executed in memory. */
async function server(limits: Partial<QueryLimits> = {}, production = false) {
  const s = new ApolloServer({
    schema,
    introspection: true,
    hideSchemaDetailsFromClientErrors: production,
    formatError: (formatted, error) => formatGatewayError(formatted, error, { production, requestId: 'req-unit-1' }),
    plugins: [queryLimitsPlugin({ ...LIMITS, ...limits })],
    rootValue: { products: () => [], node: () => null },
  });
  await s.start();
  return s;
}

async function run(query: string, limits: Partial<QueryLimits> = {}, production = false) {
  const s = await server(limits, production);
  try {
    const res = await s.executeOperation({ query });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return { status: res.http.status, ...res.body.singleResult };
  } finally {
    await s.stop();
  }
}

describe('queryLimitsPlugin', () => {
  it('lets operations within every limit through', async () => {
    const res = await run('{ products(first: 5) { code name } a: __typename }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ products: [], a: 'Query' });
  });

  it('refuses too deep an operation with QUERY_TOO_COMPLEX and the limit', async () => {
    const res = await run('{ node { child { child { child { child { child { id } } } } } } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      depth: 7,
      limit: 5,
      requestId: 'req-unit-1',
    });
    expect(res.data).toBeUndefined();
  });

  it('refuses an operation over the cost limit', async () => {
    const res = await run('{ products(first: 60) { code name } }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 121, limit: 100 });
  });

  it('refuses more aliases than allowed', async () => {
    const res = await run('{ a: __typename b: __typename c: __typename d: __typename }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', aliases: 4, limit: 3 });
  });

  it('refuses introspection with FORBIDDEN unless it is enabled', async () => {
    const query = '{ __schema { queryType { name } } }';
    const refused = await run(query);
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const hidden = await run('query { ...F } fragment F on Query { __type(name: "Product") { name } }');
    expect(hidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const allowed = await run(query, { introspection: true });
    expect(allowed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('does not hold a full introspection query to the depth limit when introspection is on', async () => {
    const deep = '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }';
    expect((await run(deep, { introspection: true })).errors).toBeUndefined();
  });

  it('strips "Did you mean" suggestions in production only', async () => {
    const typo = '{ prodcts { code } }';
    const dev = await run(typo);
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean "products"\?/);
    const prod = await run(typo, {}, true);
    expect(prod.errors?.[0]?.message).toBe('Cannot query field "prodcts" on type "Query".');
    expect(prod.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: 'req-unit-1' });
  });
});
