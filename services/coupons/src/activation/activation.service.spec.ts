import { channelOf } from './activation.service';

describe('activation channel', () => {
  it('is taken from the caller', () => {
    expect(channelOf({ kind: 'application' })).toBe('APPLICATION');
    expect(channelOf({ kind: 'client', vendorId: 'v', keyId: 'k', keyCode: 'c' })).toBe('CLIENT_CABINET');
    expect(channelOf({ kind: 'vendor', vendorId: 'v', apiKeyId: 'a' })).toBe('VENDOR_CABINET');
    expect(channelOf({ kind: 'staff', vendorId: 'v', staffId: 's', role: 'MANAGER' })).toBe('VENDOR_CABINET');
    expect(() => channelOf({ kind: 'operator' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
