import { UuidPipe } from './uuid.pipe';

describe('UuidPipe', () => {
  const pipe = new UuidPipe();
  const meta = { type: 'custom', data: 'id' } as const;

  it('passes a UUID, lower case, and leaves absent optional ids alone', () => {
    expect(pipe.transform('0192FC91-2524-431C-AEF7-3FB67443FD12', meta)).toBe('0192fc91-2524-431c-aef7-3fb67443fd12');
    expect(pipe.transform(null, meta)).toBeNull();
    expect(pipe.transform(undefined, meta)).toBeUndefined();
  });

  it.each(['nope', '', '0192fc91-2524-431c-aef7-3fb67443fd1', "1' OR '1'='1", '0192fc91252443 1caef73fb67443fd12'])(
    'refuses %j naming the argument',
    (value) => {
      expect(() => pipe.transform(value, meta)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'id', message: 'id must be a UUID' }),
      );
    },
  );
});
