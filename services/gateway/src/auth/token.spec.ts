import { sign } from 'jsonwebtoken';
import { bearerToken, classifyToken, InvalidTokenError, sameSecret } from './token';

const OPERATOR = 'op_0123456789abcdef0123456789abcdef';

describe('bearerToken', () => {
  it('reads a bearer token and treats a missing header as no token', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   xyz  ')).toBe('xyz');
  });

  it('refuses other schemes and empty headers rather than ignoring them', () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', '', 'Bearer a b', 'token']) {
      expect(() => bearerToken(header)).toThrow(InvalidTokenError);
    }
  });

  it('says nothing about the token in its error', () => {
    expect(() => bearerToken('Basic secret-value')).toThrow('The bearer token is not valid');
  });
});

describe('classifyToken', () => {
  it('recognises the operator token exactly', () => {
    expect(classifyToken(OPERATOR, OPERATOR)).toBe('operator');
    expect(classifyToken(`${OPERATOR}x`, OPERATOR)).toBe('api-key');
    expect(classifyToken(OPERATOR.slice(0, -1), OPERATOR)).toBe('api-key');
  });

  it('sends JWT-shaped tokens to the access-token verifier', () => {
    const jwt = sign({ typ: 'staff' }, 'a-secret-of-some-length-for-the-unit-test');
    expect(classifyToken(jwt, OPERATOR)).toBe('access-token');
    expect(classifyToken('a.b.c', OPERATOR)).toBe('access-token');
  });

  it('treats anything else of a plausible shape as a vendor API key', () => {
    expect(classifyToken('lk_acme_Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWprbA', OPERATOR)).toBe('api-key');
  });

  it('refuses without a lookup what cannot be an API key', () => {
    expect(classifyToken('short', OPERATOR)).toBe('malformed');
    expect(classifyToken('x'.repeat(201), OPERATOR)).toBe('malformed');
    expect(classifyToken('lk_acme_\u00e9t\u00e9-unicode', OPERATOR)).toBe('malformed');
  });
});

describe('sameSecret', () => {
  it('compares secrets of any length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', OPERATOR)).toBe(false);
  });
});
