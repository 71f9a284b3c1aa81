import { parse } from 'graphql';
import { findMalformedText, textProblem } from './text-boundary';

describe('the text boundary', () => {
  it.each(['plain', 'Ünïcödé ООО «Ромашка»', 'emoji 🎉 pair', '', 'tab\tand\nnewline'])('accepts %j', (text) => {
    expect(textProblem(text)).toBeUndefined();
  });

  it.each([
    ['x\u0000y', 'NUL'],
    ['\udc00', 'unpaired'],
    ['end \ud83d', 'unpaired'],
    ['\ude00 start', 'unpaired'],
  ])('refuses %j', (text, word) => {
    expect(textProblem(text)).toContain(word);
  });

  it('names the variable path of a malformed value', () => {
    const found = findMalformedText(undefined, { input: { client: { emails: ['ok', 'a\u0000b'] } } });
    expect(found).toEqual({ field: '$input.client.emails.1', problem: expect.stringContaining('NUL') });
  });

  it('names the argument path of a malformed literal', () => {
    const doc = parse('mutation { createVendor(input: { prefix: "KUOL", name: "x\\u0000" }) { id } }');
    expect(findMalformedText(doc, {})).toEqual({ field: 'input.name', problem: expect.stringContaining('NUL') });
  });

  it('passes a well-formed request', () => {
    const doc = parse('query($q: String) { keys(filter: { search: "ромашка" }) { id } }');
    expect(findMalformedText(doc, { q: 'Ромашка GmbH' })).toBeUndefined();
  });

  it("walks a document once, and still checks every request's variables against it", () => {
    const doc = parse('mutation($n: String) { a(name: $n) b(name: "x\\u0000") }');
    const first = findMalformedText(doc, { n: 'fine' });
    expect(first).toEqual({ field: 'name', problem: expect.stringContaining('NUL') });
    // The same document again (Apollo's cache hands out the same object): the same answer,
    // and a malformed variable is still found first, as on the first walk.
    expect(findMalformedText(doc, { n: 'fine' })).toEqual(first);
    expect(findMalformedText(doc, { n: '\udc00' })).toEqual({
      field: '$n',
      problem: expect.stringContaining('unpaired'),
    });
    const clean = parse('mutation($n: String) { a(name: $n) }');
    expect(findMalformedText(clean, { n: 'fine' })).toBeUndefined();
    expect(findMalformedText(clean, { n: 'a\u0000' })).toEqual({
      field: '$n',
      problem: expect.stringContaining('NUL'),
    });
  });

  it('refuses a value nested too deep without walking it (20,000 levels)', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(findMalformedText(undefined, { input: deep })).toMatchObject({ problem: expect.stringContaining('deeper') });
  });
});
