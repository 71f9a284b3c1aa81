import { parse } from 'graphql';
import { DEFAULT_LIST_SIZE, measureOperation } from './operation-analysis';

const lists = (f: { name: { value: string } }) => ['products', 'edges', 'licenses'].includes(f.name.value);

describe('measureOperation', () => {
  it('measures depth through fragments and inline fragments', () => {
    const doc = parse(`
      query Q { products { ...P } }
      fragment P on Product { code requires { ... on Product { requires { code } } } }
    `);
    expect(measureOperation(doc, 'Q', {}, lists).depth).toBe(4);
  });

  it('multiplies nested costs by page sizes from literals and variables', () => {
    const doc = parse('query Q($n: Int) { licenseKeys(first: $n) { edges { node { code licenses { seats } } } } }');
    const small = measureOperation(doc, 'Q', { n: 5 }, lists).cost;
    const large = measureOperation(doc, 'Q', { n: 500 }, lists).cost;
    expect(large).toBeGreaterThan(small * 50);
  });

  it('assumes a default size for list fields without a page argument', () => {
    const doc = parse('{ products { code } }');
    expect(measureOperation(doc, undefined, {}, lists).cost).toBe(1 + DEFAULT_LIST_SIZE);
  });

  it('counts aliases, including those inside fragments', () => {
    const doc = parse('query Q { a: __typename b: __typename ...F } fragment F on Query { c: __typename }');
    expect(measureOperation(doc, 'Q').aliases).toBe(3);
  });

  it('survives a fragment cycle (graphql-js reports it) without looping', () => {
    const doc = parse('query Q { products { ...A } } fragment A on Product { requires { ...A } }');
    expect(measureOperation(doc, 'Q', {}, lists).depth).toBeLessThan(5);
  });
});
