import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
// Placeholders only: docker-compose refuses the file without them (`${VAR:?...}`).
const env = {
  ...process.env,
  OPERATOR_TOKEN: 'placeholder',
  IDENTITY_SIGNING_SECRET: 'placeholder',
  ACCESS_TOKEN_SECRET: 'placeholder',
  POSTGRES_PASSWORD: 'placeholder',
};

function compose(file: string, ...args: string[]) {
  return spawnSync('docker-compose', ['-f', file, ...args], { cwd: root, env, encoding: 'utf8' });
}

describe('docker-compose.yml', () => {
  beforeAll(() => {
    const tools = spawnSync('bash', ['deploy/local/ensure-tools.sh'], { cwd: root, encoding: 'utf8' });
    expect(tools.status).toBe(0);
  });

  it('is accepted by docker-compose and runs the infrastructure and the five services', () => {
    const file = join(root, 'docker-compose.yml');
    const check = compose(file, 'config', '-q');
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    const services = compose(file, 'config', '--services').stdout.trim().split('\n').sort();
    expect(services).toEqual(['coupons', 'gateway', 'kafka', 'keys', 'notifications', 'postgres', 'redis', 'sessions']);
  });

  it('refuses to run without its secrets, and a broken copy is refused too', () => {
    const file = join(root, 'docker-compose.yml');
    const withoutSecrets = spawnSync('docker-compose', ['-f', file, 'config', '-q'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    expect(withoutSecrets.status).not.toBe(0);
    expect(withoutSecrets.stderr).toMatch(/IDENTITY_SIGNING_SECRET|OPERATOR_TOKEN|ACCESS_TOKEN_SECRET|POSTGRES_PASSWORD/);

    const broken = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(broken, readFileSync(file, 'utf8').replace('healthcheck:', 'healthcheck: [not, a, mapping]\n    bogus:'));
    expect(compose(broken, 'config', '-q').status).not.toBe(0);
  });
});
