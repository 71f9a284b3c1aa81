import * as os from 'node:os';
import { describeHost, hostFingerprint, machineId } from './fingerprint';

describe('hostFingerprint', () => {
  it('is stable for a salt, differs between salts, and reveals none of its inputs', () => {
    const a = hostFingerprint({ salt: 'licensing:ACME' });
    expect(a).toMatch(/^v1\.[\w-]{43}$/);
    expect(hostFingerprint({ salt: 'licensing:ACME' })).toBe(a);
    expect(hostFingerprint({ salt: 'licensing:GLBX' })).not.toBe(a);
    expect(a).not.toContain(os.hostname());
    const id = machineId();
    if (id) expect(a).not.toContain(id);
  });

  it('changes with what goes in', () => {
    const base = hostFingerprint({ salt: 's' });
    expect(hostFingerprint({ salt: 's', extra: ['dongle-1'] })).not.toBe(base);
    expect(hostFingerprint({ salt: 's', sources: ['hostname'] })).not.toBe(base);
    expect(() => hostFingerprint({ salt: '' })).toThrow(/salt/);
  });

  it('describes the host for acquire within the endpoint’s limits', () => {
    const host = describeHost({ salt: 's' });
    expect(host.fingerprint).toBe(hostFingerprint({ salt: 's' }));
    expect(host.name).toBe(os.hostname());
    expect(host.os!.length).toBeLessThanOrEqual(256);
  });
});
