import { buildSchema, parse } from 'graphql';
import { cachedSchemaFieldFacts, DEFAULT_LIST_SIZE, measureOperation, schemaFieldFacts } from './operation-analysis';

const schema = buildSchema(`
  type Query {
    products: [Product!]!
    product(code: String!): Product
    licenseKeys(first: Int, after: String): LicenseKeyConnection!
    coupons(count: Int = 25): [Coupon!]!
    node: Node
  }
  type Product { code: String! name: String! requires: [Product!]! tags: [String!]! }
  type LicenseKeyConnection { totalCount: Int! edges: [LicenseKeyEdge!]! pageInfo: PageInfo! }
  type LicenseKeyEdge { cursor: String! node: LicenseKey! }
  type LicenseKey { id: ID! code: String! licenses: [License!]! }
  type License { id: ID! seats: Int! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Coupon { code: String! }
  type Node { id: ID! child: Node }
`);

function measure(query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  const doc = parse(query);
  return measureOperation(doc, operationName, variables, schemaFieldFacts(schema, doc));
}

const chain = (n: number) => `{ node { ${'child { '.repeat(n)}id${' }'.repeat(n)} } }`;

describe('measureOperation: depth', () => {
  it('counts root fields as depth 1 and nested fields below them', () => {
    expect(measure('{ product(code: "A") { code } }').depth).toBe(2);
    expect(measure(chain(10)).depth).toBe(12);
  });

  it('follows named and inline fragments', () => {
    const q = `
      query Q { products { ...P } }
      fragment P on Product { code requires { ... on Product { requires { code } } } }
    `;
    expect(measure(q, {}, 'Q').depth).toBe(4);
  });

  it('measures only the selected operation', () => {
    const q = `query Shallow { products { code } } query Deep ${chain(20).slice(0)}`;
    expect(measure(q, {}, 'Shallow').depth).toBe(2);
    expect(measure(q, {}, 'Deep').depth).toBe(22);
  });

  it('leaves introspection fields out of depth and cost, but reports them', () => {
    const q = '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }';
    expect(measure(q)).toEqual({ depth: 0, cost: 0, aliases: 0, introspection: true });
    expect(measure('{ __type(name: "Product") { name } }').introspection).toBe(true);
    expect(measure('{ __typename products { __typename code } }').introspection).toBe(false);
  });

  it('finds introspection hidden in a fragment', () => {
    expect(measure('{ ...F } fragment F on Query { __schema { queryType { name } } }').introspection).toBe(true);
  });

  it('survives a fragment cycle (validation refuses it) without looping', () => {
    const m = measure('query Q { products { ...A } } fragment A on Product { requires { ...A } }', {}, 'Q');
    expect(m.depth).toBeLessThan(5);
  });

  it('stays fast when fragments fan out exponentially', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on Product { code }`
        : `fragment F${i} on Product { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const started = Date.now();
    const m = measure(`{ product(code: "A") { ...F0 } } ${fragments}`);
    expect(Date.now() - started).toBeLessThan(500);
    // 2^39 copies of one field: an enormous cost, refused by the cost limit.
    expect(m.cost).toBeGreaterThan(1e11);
  });
});

describe('measureOperation: cost', () => {
  it('costs one per field and multiplies list selections by the default size', () => {
    expect(measure('{ product(code: "A") { code name } }').cost).toBe(3);
    expect(measure('{ products { code } }').cost).toBe(1 + DEFAULT_LIST_SIZE);
    expect(measure('{ products { code requires { code } } }').cost).toBe(
      1 + DEFAULT_LIST_SIZE * (1 + 1 + DEFAULT_LIST_SIZE),
    );
  });

  it('uses page sizes from literals, variables, variable defaults and schema defaults', () => {
    const q = 'query Q($n: Int = 3) { licenseKeys(first: $n) { edges { node { code } } } }';
    const small = measure(q, { n: 5 }, 'Q').cost;
    const large = measure(q, { n: 500 }, 'Q').cost;
    expect(large).toBeGreaterThan(small * 50);
    expect(measure(q, {}, 'Q').cost).toBe(measure('{ licenseKeys(first: 3) { edges { node { code } } } }').cost);
    expect(measure('{ coupons { code } }').cost).toBe(1 + 25);
    expect(measure('{ coupons(count: 2) { code } }').cost).toBe(1 + 2);
  });

  it("sizes a connection's edges by the connection's page argument, not by the default", () => {
    // licenseKeys(1) + [edges(1) + 100 × (node(1) + code(1))] + totalCount(1)
    expect(measure('{ licenseKeys(first: 100) { totalCount edges { node { code } } } }').cost).toBe(
      1 + 1 + 1 + 100 * 2,
    );
  });

  it('multiplies nested lists', () => {
    const q = '{ licenseKeys(first: 50) { edges { node { licenses { seats } } } } }';
    // licenses has no page argument: 10 per key, 50 keys
    expect(measure(q).cost).toBe(1 + 1 + 50 * (1 + 1 + DEFAULT_LIST_SIZE * 1));
  });

  it('does not multiply lists of scalars', () => {
    expect(measure('{ product(code: "A") { tags } }').cost).toBe(2);
  });
});

describe('measureOperation: aliases', () => {
  it('counts aliases, including those inside fragments and on __typename', () => {
    const q =
      'query Q { a: __typename b: __typename ...F } fragment F on Query { c: __typename x: products { y: code } }';
    expect(measure(q, {}, 'Q').aliases).toBe(5);
  });

  it('counts a fragment as often as it is spread', () => {
    const q = '{ products { ...F } product(code: "A") { ...F } } fragment F on Product { a: code b: name }';
    expect(measure(q).aliases).toBe(4);
  });
});

describe('cachedSchemaFieldFacts', () => {
  const query = 'query($n: Int) { licenseKeys(first: $n) { edges { node { licenses { id } } } } }';

  it('walks a document once per schema and measures each request with its own variables', () => {
    const doc = parse(query);
    const first = cachedSchemaFieldFacts(schema, doc);
    expect(cachedSchemaFieldFacts(schema, doc)).toBe(first);
    const small = measureOperation(doc, undefined, { n: 2 }, cachedSchemaFieldFacts(schema, doc));
    const large = measureOperation(doc, undefined, { n: 50 }, cachedSchemaFieldFacts(schema, doc));
    expect(large.cost).toBeGreaterThan(small.cost);
    expect(small).toEqual(measureOperation(doc, undefined, { n: 2 }, schemaFieldFacts(schema, doc)));
  });

  it('walks again for another schema (a supergraph update) and for another document', () => {
    const doc = parse(query);
    const before = cachedSchemaFieldFacts(schema, doc);
    const updated = buildSchema(`
      type Query { licenseKeys(first: Int): LicenseKeyConnection! }
      type LicenseKeyConnection { edges: [LicenseKeyEdge!]! }
      type LicenseKeyEdge { node: LicenseKey! }
      type LicenseKey { licenses: License! }
      type License { id: ID! }
    `);
    const after = cachedSchemaFieldFacts(updated, doc);
    expect(after).not.toBe(before);
    // In the updated schema `licenses` is no longer a list, so it no longer multiplies.
    expect(measureOperation(doc, undefined, { n: 5 }, after).cost).toBeLessThan(
      measureOperation(doc, undefined, { n: 5 }, before).cost,
    );
    expect(cachedSchemaFieldFacts(schema, parse(query))).not.toBe(before);
  });
});
