import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// One Node line for everything (issue 13): package.json's engines, the client SDK's, the
// Node that scripts/node22.sh fetches and the version below which it does, the Docker image,
// .nvmrc, and the Node these tests run on. CI runs the README's test command, which runs on
// scripts/node22.sh's Node; a run on an older Node fails here instead of passing unnoticed.

const root = join(__dirname, '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

type Version = [number, number, number];
const parse = (text: string): Version => {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a version: ${text}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
};
const atLeast = (version: Version, floor: Version): boolean => {
  for (let i = 0; i < 3; i++) if (version[i] !== floor[i]) return version[i] > floor[i];
  return true;
};
/** The lower bound of an engines range that is a single `>=x.y` (anything else fails). */
const floorOf = (range: string): Version => {
  const match = /^>=(\d+\.\d+(?:\.\d+)?)$/.exec(range);
  if (!match) throw new Error(`engines.node should be one lower bound like ">=22.12", got "${range}"`);
  return parse(match[1]);
};

const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
const floor = floorOf(engines);
const node22 = read('scripts/node22.sh');

describe('the Node version', () => {
  it('is one lower bound on Node 22 in package.json, and the same for the client SDK', () => {
    expect(floor[0]).toBe(22);
    const client = JSON.parse(read('packages/client/package.json')) as { engines: { node: string } };
    expect(client.engines.node).toBe(engines);
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node: string } }> };
    expect(lock.packages['']?.engines?.node).toBe(engines);
  });

  it('fetched by scripts/node22.sh is a 22.x that satisfies engines, used below the engines floor', () => {
    const pinned = /^NODE22_VERSION=(\S+)$/m.exec(node22)?.[1];
    expect(pinned).toBeDefined();
    const version = parse(pinned ?? '');
    expect(version[0]).toBe(22);
    expect(atLeast(version, floor)).toBe(true);
    // The script's own threshold is the engines floor: 22 and at least minor floor[1].
    expect(node22).toContain(`[ "$major" -eq ${floor[0]} ] 2>/dev/null && [ "$minor" -ge ${floor[1]} ]`);
    expect(node22).toContain(`[ "$major" -gt ${floor[0]} ]`);
    for (const platform of ['linux_x64', 'linux_arm64']) {
      expect(node22).toMatch(new RegExp(`^NODE22_INTEGRITY_${platform}='sha512-[A-Za-z0-9+/]{86}=='$`, 'm'));
    }
  });

  it('of the Docker image and .nvmrc is the same major', () => {
    const from = [...read('deploy/docker/Dockerfile').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(from.length).toBeGreaterThan(0);
    for (const image of from) expect(image).toMatch(new RegExp(`^node:${floor[0]}(-|$)`));
    expect(read('.nvmrc').trim()).toBe(String(floor[0]));
  });

  it('runs these tests on a Node that satisfies engines (scripts/node22.sh where the machine has an older one)', () => {
    expect(`${process.version} satisfies >=${floor.join('.')}: ${atLeast(parse(process.version), floor)}`).toBe(
      `${process.version} satisfies >=${floor.join('.')}: true`,
    );
  });

  it('is fetched by the README test command that CI runs, and by npm run stack', () => {
    const readme = read('README.md');
    const blocks = [...readme.matchAll(/^```bash\n([^\n]+)\n```$/gm)].map((m) => m[1]);
    expect(blocks.slice(0, 2)).toEqual(['npm run stack', 'npm test']);
    const ci = read('.ci/run').trim().split('\n');
    expect(ci[ci.length - 1]).toBe('npm test');
    expect(JSON.parse(read('package.json')).scripts.test).toBe('bash scripts/test.sh');
    expect(read('scripts/test.sh')).toMatch(/^\. scripts\/node22\.sh$/m);
    expect(read('deploy/local/start.sh')).toMatch(/^\. scripts\/node22\.sh$/m);
  });
});
