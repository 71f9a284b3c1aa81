import { isUUID } from 'class-validator';
import { uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('is a version 7 UUID that starts with the time in milliseconds', () => {
    const at = Date.UTC(2026, 7, 7, 10, 30);
    const id = uuidv7(at);
    expect(isUUID(id, 7)).toBe(true);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by creation time and never repeats', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
