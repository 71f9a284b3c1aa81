import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { validateEnv } from '@licensing/config';
import { testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { GatewayConfig } from '../../services/gateway/src/config';
import { createGatewayApp } from '../../services/gateway/src/main';
import { createTestDatabase, TestDatabase } from '@licensing/testing';
import { freePort, ServiceProcess, spawnService, waitForHealth } from './processes';

export type SubgraphName = 'keys' | 'coupons' | 'sessions' | 'notifications';

export interface RunningSubgraph {
  name: SubgraphName;
  process: ServiceProcess;
  baseUrl: string;
  graphqlUrl: string;
  database: TestDatabase;
  topicPrefix: string;
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestStack {
  gatewayUrl: string;
  operatorToken: string;
  secrets: { identitySigningSecret: string; accessTokenSecret: string };
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  gateway: INestApplication;
  /** Sends one operation to the gateway, with a bearer token when given. */
  call<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Starts another gateway on the same subgraphs, with config overrides. */
  extraGateway(overrides: Record<string, string>): Promise<{ url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export async function postGraphQL<T>(
  url: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: T; errors?: GraphQLResponse['errors'] };
  return { status: res.status, headers: res.headers, data: json.data, errors: json.errors };
}

/**
 * The whole system in this process: the four subgraphs, each on its own fresh database
 * and a topic prefix of this stack, behind a real gateway with a real supergraph.
 * `gatewayOverrides` are config variables of that gateway (e.g. a higher rate limit).
 */
export async function startTestStack(
  subgraphEnv: Partial<Record<SubgraphName, Record<string, string>>> = {},
  gatewayOverrides: Record<string, string> = {},
): Promise<TestStack> {
  const infra = await testInfrastructure();
  const secrets = {
    identitySigningSecret: randomBytes(32).toString('hex'),
    accessTokenSecret: randomBytes(32).toString('hex'),
  };
  const shared = { ...secrets, topicPrefix: uniqueTopicPrefix('e2e') };
  const names: SubgraphName[] = ['keys', 'coupons', 'sessions', 'notifications'];
  // Each subgraph is its own process, as in production (and code-first type registries
  // are process-wide, so two subgraphs in one process would see each other's types).
  const spawned: ServiceProcess[] = [];
  const started = await Promise.all(
    names.map(async (name): Promise<RunningSubgraph> => {
      const [port, database] = await Promise.all([freePort(), createTestDatabase(name)]);
      const proc = spawnService(name, {
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: shared.topicPrefix,
        IDENTITY_SIGNING_SECRET: shared.identitySigningSecret,
        ACCESS_TOKEN_SECRET: shared.accessTokenSecret,
        LOG_LEVEL: 'warn',
        OUTBOX_POLL_MS: '100',
        THROTTLE_NAMESPACE: `t-${shared.topicPrefix.replace(/\W/g, '')}`,
        ...(subgraphEnv[name] ?? {}),
      });
      spawned.push(proc);
      await waitForHealth(proc, port);
      const baseUrl = `http://127.0.0.1:${port}`;
      return {
        name,
        process: proc,
        baseUrl,
        graphqlUrl: `${baseUrl}/graphql`,
        database,
        topicPrefix: shared.topicPrefix,
      };
    }),
  ).catch(async (error: unknown) => {
    // One service not healthy in time: the others are stopped, not left running.
    await Promise.all(spawned.map((proc) => proc.stop('SIGKILL')));
    throw error;
  });
  const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, RunningSubgraph>;
  const operatorToken = `op_${randomBytes(24).toString('hex')}`;

  const gatewayEnv = (overrides: Record<string, string> = {}) => ({
    NODE_ENV: 'test',
    PORT: '0',
    OPERATOR_TOKEN: operatorToken,
    IDENTITY_SIGNING_SECRET: secrets.identitySigningSecret,
    ACCESS_TOKEN_SECRET: secrets.accessTokenSecret,
    REDIS_URL: infra.redisUrl,
    KEYS_URL: subgraphs.keys.graphqlUrl,
    COUPONS_URL: subgraphs.coupons.graphqlUrl,
    SESSIONS_URL: subgraphs.sessions.graphqlUrl,
    NOTIFICATIONS_URL: subgraphs.notifications.graphqlUrl,
    KEYS_INTERNAL_URL: subgraphs.keys.baseUrl,
    SUPERGRAPH_PATH: join(__dirname, '..', '..', 'services', 'gateway', 'supergraph.graphql'),
    LOG_LEVEL: 'error',
    RATE_LIMIT_NAMESPACE: `g-${shared.topicPrefix.replace(/\W/g, '')}`,
    ...overrides,
  });

  async function gatewayWith(overrides: Record<string, string> = {}) {
    const app = await createGatewayApp(validateEnv(GatewayConfig, gatewayEnv(overrides)));
    await app.listen(0, '127.0.0.1');
    return { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql` };
  }

  const main = await gatewayWith(gatewayOverrides);
  const extras: { close(): Promise<void> }[] = [];
  return {
    gatewayUrl: main.url,
    operatorToken,
    secrets,
    subgraphs,
    gateway: main.app,
    call: (query, variables = {}, token, headers) => postGraphQL(main.url, { query, variables }, token, headers),
    extraGateway: async (overrides) => {
      const extra = await gatewayWith(overrides);
      const handle = { url: extra.url, close: () => extra.app.close() };
      extras.push(handle);
      return handle;
    },
    close: async () => {
      await Promise.all(extras.map((e) => e.close()));
      await main.app.close();
      await Promise.all(started.map((s) => s.process.stop()));
      await Promise.all(started.map((s) => s.database.drop()));
    },
  };
}
