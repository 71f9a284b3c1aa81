#!/usr/bin/env node
import { LicensingClient } from './client';
import { LicensingError } from './errors';

const USAGE = `Usage: licensing-client <command> [options]

Commands:
  check                 Ask whether the product is in force on the key; prints the request id
  acquire [--hold 60s]  Take a seat, keep it with heartbeats for the given time, release it

Options (or environment variables):
  --url URL             The runtime endpoint (LICENSING_URL, default http://127.0.0.1:4003)
  --key CODE            The license key (LICENSE_KEY)
  --product CODE        The product code (LICENSING_PRODUCT)
  --fingerprint TEXT    The host fingerprint (default: this machine's, salted for the vendor)
  --json                Print JSON

Exit status: 0 licensed, 2 not licensed (1051, 2008, inactive), 1 any other error.`;

/** Parses 60s, 2m, 1h, 500ms or a plain number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new TypeError(`Not a duration: ${text} (e.g. 60s, 2m, 500ms)`);
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Math.round(Number(m[1]) * factor);
}

interface Args {
  command?: string;
  flags: Record<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) args.flags[name] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) args.flags[name] = argv[++i]!;
      else args.flags[name] = true;
    } else if (!args.command) args.command = a;
    else throw new TypeError(`Unexpected argument: ${a}`);
  }
  return args;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { command, flags } = parseArgs(argv);
  if (!command || flags['help'] || (command !== 'check' && command !== 'acquire')) {
    console.log(USAGE);
    return command && !flags['help'] ? 1 : 0;
  }
  const text = (name: string, variable: string, fallback?: string): string => {
    const value = typeof flags[name] === 'string' ? (flags[name] as string) : (env[variable] ?? fallback);
    if (!value) throw new TypeError(`--${name} (or ${variable}) is required`);
    return value;
  };
  const json = flags['json'] === true;
  const print = (human: string, data: unknown) => console.log(json ? JSON.stringify(data) : human);
  const client = new LicensingClient({
    url: text('url', 'LICENSING_URL', 'http://127.0.0.1:4003'),
    keyCode: text('key', 'LICENSE_KEY'),
    productCode: text('product', 'LICENSING_PRODUCT'),
    ...(typeof flags['fingerprint'] === 'string' ? { host: { fingerprint: flags['fingerprint'] } } : {}),
  });
  try {
    if (command === 'check') {
      const c = await client.check();
      print(
        `${c.active ? 'active' : `not active (${c.reason})`}: ${c.message}\nrequest id: ${c.requestId}\nsignature: ${c.claims ? 'verified' : 'none'}`,
        { ...c, signatureVerified: Boolean(c.claims) },
      );
      return c.active ? 0 : 2;
    }
    const holdMs = parseDuration(typeof flags['hold'] === 'string' ? flags['hold'] : '0s');
    const lease = await client.acquire();
    print(
      `acquired session ${lease.sessionId}, heartbeat every ${lease.heartbeatIntervalSeconds} s, lease until ${lease.expiresAt.toISOString()}`,
      {
        event: 'acquired',
        sessionId: lease.sessionId,
        heartbeatIntervalSeconds: lease.heartbeatIntervalSeconds,
        expiresAt: lease.expiresAt,
        license: lease.license,
      },
    );
    lease.on('renewed', (r) => print(`renewed until ${r.expiresAt.toISOString()}`, { event: 'renewed', ...r }));
    lease.on('offline', (e) =>
      print(`offline (${e.code}): licensed until ${lease.expiresAt.toISOString()}`, { event: 'offline', code: e.code }),
    );
    lease.on('online', () => print('online', { event: 'online' }));
    lease.on('acquired', () =>
      print(`acquired again: session ${lease.sessionId}`, { event: 'acquired', sessionId: lease.sessionId }),
    );
    const outcome = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(0), holdMs);
      lease.on('lost', (e) => {
        print(`lost: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`, {
          event: 'lost',
          reason: e.reason,
          code: e.code,
          detail: e.detail,
        });
        if (!client.settings.reacquire || e.reason !== 'expired') {
          clearTimeout(timer);
          resolve(2);
        }
      });
    });
    await lease.release();
    print('released', { event: 'released', sessionId: lease.sessionId });
    return outcome;
  } catch (error) {
    if (error instanceof LicensingError) {
      const code = error.licensingCode ? `${error.licensingCode} ${error.code}` : error.code;
      console.error(`${code}: ${error.message}`);
      return error.licensingCode ? 2 : 1;
    }
    throw error;
  } finally {
    client.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
