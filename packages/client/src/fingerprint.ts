import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** The machine identifiers a fingerprint may be made of. */
export type FingerprintSource = 'machineId' | 'hostname' | 'macs';

export interface FingerprintOptions {
  /**
   * A vendor-specific secret-ish salt (e.g. the vendor's prefix and product, or a constant
   * the vendor ships): the fingerprint is HMAC-SHA256(salt, identifiers), so two vendors see
   * unrelated values for one machine and neither learns the identifiers themselves.
   */
  salt: string;
  /**
   * What goes in, default `['machineId', 'hostname']`; `macs` is added by itself when the
   * machine has no machine id. MAC addresses change with VPNs, containers and docks, so they
   * are not in the default.
   */
  sources?: FingerprintSource[];
  /** Identifiers of the vendor's own to mix in (a dongle serial, a licence file's id). */
  extra?: string[];
}

/**
 * The operating system's id of this installation: /etc/machine-id (or D-Bus's copy) on Linux,
 * IOPlatformUUID on macOS, MachineGuid on Windows; undefined when none can be read.
 */
export function machineId(): string | undefined {
  try {
    switch (process.platform) {
      case 'linux':
      case 'freebsd':
      case 'openbsd':
        for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id', '/etc/hostid']) {
          const id = readQuietly(file);
          if (id) return id;
        }
        return undefined;
      case 'darwin': {
        const out = execFileSync('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice'], quiet());
        return /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(out)?.[1];
      }
      case 'win32': {
        const out = execFileSync(
          'reg',
          ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid'],
          quiet(),
        );
        return /MachineGuid\s+REG_SZ\s+(\S+)/i.exec(out)?.[1];
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** MAC addresses of the external network interfaces, lower case, sorted, without duplicates. */
export function macAddresses(): string[] {
  const macs = new Set<string>();
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (!a.internal && a.mac && a.mac !== '00:00:00:00:00:00') macs.add(a.mac.toLowerCase());
    }
  }
  return [...macs].sort();
}

/**
 * A stable, privacy-preserving fingerprint of this machine: `v1.` and the base64url of
 * HMAC-SHA256 under `salt` of the chosen identifiers (FingerprintOptions.sources). The same
 * machine gives the same value for the same salt; nothing of the identifiers can be read back.
 */
export function hostFingerprint(options: FingerprintOptions): string {
  if (!options.salt) throw new TypeError('hostFingerprint needs a vendor-specific salt');
  const sources = options.sources ?? ['machineId', 'hostname'];
  const id = sources.includes('machineId') ? machineId() : undefined;
  const parts: string[] = [];
  if (id) parts.push(`machineId=${id}`);
  if (sources.includes('hostname')) parts.push(`hostname=${os.hostname().toLowerCase()}`);
  if (sources.includes('macs') || (sources.includes('machineId') && !id))
    parts.push(`macs=${macAddresses().join(',')}`);
  for (const e of options.extra ?? []) parts.push(`extra=${e}`);
  return `v1.${createHmac('sha256', options.salt).update(parts.join('\n')).digest('base64url')}`;
}

/** The host as the acquire request describes it: the fingerprint and what the sessions monitor shows. */
export interface HostDescription {
  fingerprint: string;
  name?: string | null;
  os?: string | null;
  ip?: string | null;
  platformVersion?: string | null;
}

/** This machine: the fingerprint under `salt`, the host name and the operating system. */
export function describeHost(options: FingerprintOptions): HostDescription {
  return {
    fingerprint: hostFingerprint(options),
    name: os.hostname().slice(0, 256),
    os: `${os.type()} ${os.release()}`.slice(0, 256),
  };
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function quiet() {
  return {
    encoding: 'utf8' as const,
    stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
    timeout: 5_000,
  };
}
