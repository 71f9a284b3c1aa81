import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// docker-compose.yml cannot be started here (no Docker engine), so this checks what can be
// checked without one: Debian's docker-compose 1.29 accepts the file, it runs the expected
// services wired together with health checks, and it refuses broken copies and missing secrets.

const root = join(__dirname, '..', '..');
const composeFile = join(root, 'docker-compose.yml');
const tmp = mkdtempSync(join(tmpdir(), 'compose-spec-'));
// An empty env file, so a developer's own .env never changes what these tests see.
const emptyEnvFile = join(tmp, 'empty.env');
writeFileSync(emptyEnvFile, '');

// Placeholders only (docker-compose refuses the file without them: `${VAR:?...}`).
const secrets = {
  OPERATOR_TOKEN: 'placeholder-operator-token-000000',
  IDENTITY_SIGNING_SECRET: 'placeholder-identity-signing-secret-0000000',
  ACCESS_TOKEN_SECRET: 'placeholder-access-token-secret-000000000000',
  SIGNING_KEY_ENCRYPTION_KEY: 'cGxhY2Vob2xkZXItc2lnbmluZy1rZXkta2VrLTAwMDA=',
};
const baseEnv = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: tmp };

function compose(
  file: string,
  args: string[],
  env: Record<string, string> = { ...baseEnv, ...secrets },
): SpawnSyncReturns<string> {
  return spawnSync('docker-compose', ['--env-file', emptyEnvFile, '--project-directory', root, '-f', file, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** A copy of docker-compose.yml with one edit, in a temporary folder. */
function brokenCopy(name: string, edit: (text: string) => string): string {
  const original = readFileSync(composeFile, 'utf8');
  const edited = edit(original);
  if (edited === original) throw new Error(`the edit "${name}" changed nothing`);
  const file = join(tmp, `${name}.yml`);
  writeFileSync(file, edited);
  return file;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | { published?: number | string; target?: number; host_ip?: string })[];
}

/** `docker-compose config` output as an object (python3-yaml comes with docker-compose). */
function resolvedConfig(): { services: Record<string, ComposeService> } {
  const config = compose(composeFile, ['config']);
  expect(config.status).toBe(0);
  const json = spawnSync(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: config.stdout, encoding: 'utf8', timeout: 30_000 },
  );
  expect(json.status).toBe(0);
  return JSON.parse(json.stdout) as { services: Record<string, ComposeService> };
}

const infrastructure = ['kafka', 'postgres', 'redis'];
const subgraphs = { keys: 4001, coupons: 4002, sessions: 4003, notifications: 4004 };
const apps = { ...subgraphs, gateway: 4000 };
const monitoring = ['grafana', 'prometheus'];

describe('docker-compose.yml', () => {
  beforeAll(() => {
    const tools = spawnSync('bash', [join(root, 'deploy/local/ensure-tools.sh')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect({ status: tools.status, stderr: tools.stderr }).toEqual({ status: 0, stderr: '' });
  }, 660_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is accepted by docker-compose and runs the infrastructure, the five services and their monitoring', () => {
    const check = compose(composeFile, ['config', '-q']);
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });

    const listed = compose(composeFile, ['config', '--services']);
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(
      [...infrastructure, ...Object.keys(apps), ...monitoring].sort(),
    );
  });

  it('builds every service from the one Dockerfile, with health checks and healthy dependencies', () => {
    const { services } = resolvedConfig();
    expect(services['postgres']?.image).toBe('postgres:15');
    expect(services['redis']?.image).toBe('redis:7');
    expect(services['kafka']?.image).toBe('apache/kafka:3.9.1');
    for (const name of infrastructure) {
      const test = services[name]?.healthcheck?.test ?? [];
      expect({ name, healthcheck: test.length > 0 }).toEqual({ name, healthcheck: true });
    }
    expect(services['kafka']?.healthcheck?.test.join(' ')).toContain('kafka-broker-api-versions');

    for (const [name, port] of Object.entries(apps)) {
      const service = services[name];
      expect({ name, dockerfile: service?.build?.dockerfile, command: service?.command }).toEqual({
        name,
        dockerfile: 'deploy/docker/Dockerfile',
        command: [name],
      });
      expect({ name, port: Number(service?.environment?.['PORT']) }).toEqual({ name, port });
      expect(service?.healthcheck?.test.join(' ')).toContain(`:${port}/health`);
      const conditions = Object.values(service?.depends_on ?? {}).map((d) => d.condition);
      expect(conditions.length).toBeGreaterThan(0);
      expect(new Set(conditions)).toEqual(new Set(['service_healthy']));
    }

    for (const name of Object.keys(subgraphs)) {
      const env = services[name]?.environment ?? {};
      expect({ name, db: String(env['DATABASE_URL']).replace(/:[^:@/]+@/, ':***@') }).toEqual({
        name,
        db: `postgres://postgres:***@postgres:5432/licensing_${name}`,
      });
      expect(env).toMatchObject({
        REDIS_URL: 'redis://redis:6379',
        KAFKA_BROKERS: 'kafka:9092',
        MIGRATE_ON_BOOT: 'true',
        IDENTITY_SIGNING_SECRET: secrets.IDENTITY_SIGNING_SECRET,
      });
      expect(Object.keys(services[name]?.depends_on ?? {}).sort()).toEqual(infrastructure);
    }

    expect(services['gateway']?.environment).toMatchObject({
      OPERATOR_TOKEN: secrets.OPERATOR_TOKEN,
      KEYS_URL: 'http://keys:4001/graphql',
      COUPONS_URL: 'http://coupons:4002/graphql',
      SESSIONS_URL: 'http://sessions:4003/graphql',
      NOTIFICATIONS_URL: 'http://notifications:4004/graphql',
    });
    expect(Object.keys(services['gateway']?.depends_on ?? {})).toEqual(expect.arrayContaining(Object.keys(subgraphs)));
    // Only the sessions service signs (and seals its signing keys under this key).
    expect(services['sessions']?.environment?.['SIGNING_KEY_ENCRYPTION_KEY']).toBe(secrets.SIGNING_KEY_ENCRYPTION_KEY);
    expect(services['keys']?.environment).not.toHaveProperty('SIGNING_KEY_ENCRYPTION_KEY');

    const init = readFileSync(join(root, 'deploy/docker/postgres-init.sql'), 'utf8');
    for (const name of Object.keys(subgraphs)) {
      expect(init).toMatch(new RegExp(`CREATE DATABASE licensing_${name};`));
    }
  });

  it('runs Prometheus on the scrape config of all five processes and Grafana with its provisioned dashboard', () => {
    const { services } = resolvedConfig();
    const mounts = (name: string) =>
      (services[name]?.volumes ?? []).map((v) =>
        typeof v === 'string' ? v : `${String(v.source)}:${String(v.target)}`,
      );
    expect(services['prometheus']?.image).toMatch(/^prom\/prometheus:v\d/);
    expect(services['grafana']?.image).toMatch(/^grafana\/grafana:\d/);
    expect(mounts('prometheus').join('\n')).toContain(
      `${root}/deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml`,
    );
    expect(mounts('grafana').join('\n')).toContain(`${root}/deploy/grafana/provisioning:/etc/grafana/provisioning`);
    expect(mounts('grafana').join('\n')).toContain(`${root}/deploy/grafana/dashboards:/var/lib/grafana/dashboards`);

    const scrape = readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8');
    for (const [name, port] of Object.entries(apps)) {
      expect(scrape).toContain(`'${name}:${port}'`);
      // Every process the config scrapes is a compose service on that port.
      expect(Number(services[name]?.environment?.['PORT'])).toBe(port);
    }
    const datasource = readFileSync(join(root, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    expect(datasource).toContain('url: http://prometheus:9090');
    expect(services['gateway']?.environment?.['APOLLO_TELEMETRY_DISABLED']).toBe('true');
  });

  it('refuses to start without its secrets', () => {
    const withoutSecrets = compose(composeFile, ['config', '-q'], baseEnv);
    expect(withoutSecrets.status).not.toBe(0);
    expect(withoutSecrets.stderr).toMatch(
      /set (OPERATOR_TOKEN|IDENTITY_SIGNING_SECRET|ACCESS_TOKEN_SECRET|SIGNING_KEY_ENCRYPTION_KEY)/,
    );
  });

  it('refuses broken copies (a service without image or build, an unknown key)', () => {
    // The unedited file, from the same temporary folder, passes: the edits alone break it.
    const control = brokenCopy('control', (text) => `${text}\n# copy\n`);
    expect(compose(control, ['config', '-q']).status).toBe(0);

    const noImage = brokenCopy('no-image', (text) => text.replace(/^ {4}image: redis:7\n/m, ''));
    const refusedNoImage = compose(noImage, ['config', '-q']);
    expect(refusedNoImage.status).not.toBe(0);
    expect(refusedNoImage.stderr).toMatch(/redis/);

    const unknownKey = brokenCopy('unknown-key', (text) =>
      text.replace(/^ {2}keys:\n/m, '  keys:\n    restart_policy_typo: always\n'),
    );
    const refusedUnknownKey = compose(unknownKey, ['config', '-q']);
    expect(refusedUnknownKey.status).not.toBe(0);
    expect(refusedUnknownKey.stderr).toMatch(/restart_policy_typo/);
  });
});
