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

  it('refuses a value nested too deep without walking it (20,000 levels)', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(findMalformedText(undefined, { input: deep })).toMatchObject({ problem: expect.stringContaining('deeper') });
  });
});
