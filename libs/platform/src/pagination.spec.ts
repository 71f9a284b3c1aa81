import { assertPageSize, decodeCursor, encodeCursor, enumOf } from './pagination';

describe('pagination helpers', () => {
  it('round-trips a cursor of its own list', () => {
    expect(decodeCursor('k', encodeCursor('k', '12345'))).toBe('12345');
  });

  it('refuses another list’s cursor and anything that is not a cursor, naming the field', () => {
    for (const cursor of [
      encodeCursor('c', '1'),
      'bm90LWEtY3Vyc29y',
      '',
      encodeCursor('k', '-1'),
      encodeCursor('k', '1'.repeat(20)),
    ]) {
      expect(() => decodeCursor('k', cursor)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
      );
    }
  });

  it('accepts page sizes from 1 to the maximum only', () => {
    expect(() => assertPageSize(1, 100)).not.toThrow();
    expect(() => assertPageSize(100, 100)).not.toThrow();
    for (const bad of [0, 101, 1.5, -3])
      expect(() => assertPageSize(bad, 100)).toThrow(expect.objectContaining({ field: 'first' }));
  });

  it('makes GraphQL enum objects from value lists', () => {
    expect(enumOf(['A', 'B'] as const)).toEqual({ A: 'A', B: 'B' });
  });
});
