import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';

/**
 * Where the test infrastructure is. Resolution order, per service:
 *  1. the environment (`TEST_POSTGRES_URL`, `REDIS_URL`, `KAFKA_BROKERS`), as the project's
 *     test command sets them after `deploy/local/infra.sh up`;
 *  2. the standard local ports, when something answers there;
 *  3. a testcontainers container, when a Docker engine is present.
 * Otherwise it fails with the command that starts the local stack.
 */
export interface TestInfrastructure {
  /** A server URL whose database is a maintenance database (e.g. .../postgres). */
  postgresUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
}

const LOCAL = {
  postgresUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: 'redis://127.0.0.1:6379',
  kafkaBrokers: ['127.0.0.1:9092'],
};

function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

function dockerAvailable(): boolean {
  if (process.env['DOCKER_HOST']) return true;
  if (!existsSync('/var/run/docker.sock')) return false;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

function hostPort(address: string): [string, number] {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return [url.hostname, Number(url.port)];
}

const NO_INFRA =
  'start it with `bash deploy/local/infra.sh up` (or run `npm test`, which does), ' +
  'or set TEST_POSTGRES_URL / REDIS_URL / KAFKA_BROKERS';

async function resolveOne<T>(
  name: string,
  fromEnv: T | undefined,
  local: T,
  localAddress: string,
  container: () => Promise<T>,
): Promise<T> {
  if (fromEnv !== undefined) return fromEnv;
  const [host, port] = hostPort(localAddress);
  if (await portOpen(host, port)) return local;
  if (dockerAvailable()) return container();
  throw new Error(`No ${name} for the tests at ${localAddress}: ${NO_INFRA}`);
}

let resolved: Promise<TestInfrastructure> | undefined;

/** Resolved once per Jest worker; containers (if any) live as long as the worker. */
export function testInfrastructure(): Promise<TestInfrastructure> {
  resolved ??= (async () => {
    const env = process.env;
    const brokers = env['KAFKA_BROKERS']?.split(',').map((b) => b.trim());
    const [postgresUrl, redisUrl, kafkaBrokers] = await Promise.all([
      resolveOne('Postgres', env['TEST_POSTGRES_URL'], LOCAL.postgresUrl, '127.0.0.1:5432', startPostgres),
      resolveOne('Redis', env['REDIS_URL'], LOCAL.redisUrl, '127.0.0.1:6379', startRedis),
      resolveOne('Kafka', brokers, LOCAL.kafkaBrokers, '127.0.0.1:9092', startKafka),
    ]);
    return { postgresUrl, redisUrl, kafkaBrokers };
  })();
  return resolved;
}

// --- testcontainers, loaded only where a Docker engine exists ---------------------------

async function startPostgres(): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const c = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return `postgres://postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
}

async function startRedis(): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const c = await new GenericContainer('redis:7')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
}

async function startKafka(): Promise<string[]> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // A fixed host port keeps the advertised listener valid from the host side.
  const port = 19092;
  const c = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return [`${c.getHost()}:${port}`];
}
