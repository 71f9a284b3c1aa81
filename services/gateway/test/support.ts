import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { INestApplication } from '@nestjs/common';
import { GraphQLError, parse } from 'graphql';
import { validateEnv } from '@licensing/config';
import { IDENTITY_HEADER, RequestContext, verifyIdentityHeader } from '@licensing/identity';
import { GatewayConfig } from '../src/config';
import { createGatewayApp } from '../src/main';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

/** What a test subgraph reports about the request it received, from the verified header. */
const CALLER = `
  type Caller @shareable {
    kind: String!
    vendorId: String
    apiKeyId: String
    staffId: String
    role: String
    keyId: String
    requestId: String!
    clientIp: String!
  }
`;

/** Two subgraphs that answer, and two that only make the composition complete. */
export const TEST_SUBGRAPH_SDL = {
  keys: `${FEDERATION}
    type Query {
      whoami: Caller!
      node(id: ID!): Node
      nodes(first: Int): [Node!]!
      "Fails like a service's DomainError does on the wire (formatGraphQLError's output)."
      failDomain: String
      "Fails with an unexpected error that leaks internals."
      failPlain: String
    }
    type Node @key(fields: "id") { id: ID! name: String! child: Node }
    ${CALLER}`,
  coupons: `${FEDERATION}
    type Query { couponsWhoami: Caller! }
    type Node @key(fields: "id") { id: ID! seenBy: Caller! }
    ${CALLER}`,
  sessions: `${FEDERATION}
    type Query { sessionsPing: String }`,
  notifications: `${FEDERATION}
    type Query { notificationsPing: String }`,
} as const;

interface SubgraphContext {
  licensing: RequestContext;
}

function caller({ identity, requestId, clientIp }: RequestContext): Record<string, unknown> {
  return { ...identity, requestId, clientIp };
}

const RESOLVERS: Record<'keys' | 'coupons', GraphQLResolverMap<SubgraphContext>> = {
  keys: {
    Query: {
      whoami: (_: unknown, __: unknown, ctx: SubgraphContext) => caller(ctx.licensing),
      node: (_: unknown, { id }: { id: string }) => ({ id }),
      nodes: (_: unknown, { first }: { first?: number }) =>
        Array.from({ length: first ?? 3 }, (_x, i) => ({ id: `n${i}` })),
      failDomain: () => {
        throw new GraphQLError('All seats are bound to other hosts', {
          extensions: { code: 'NO_FREE_LICENSE', licensingCode: 1051, field: 'input.host' },
        });
      },
      failPlain: () => {
        throw new Error('password authentication failed for user "keys" at 10.1.2.3:5432');
      },
    },
    Node: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      name: (node: { id: string }) => `node ${node.id}`,
      child: (node: { id: string }) => ({ id: `${node.id}.c` }),
    },
  },
  coupons: {
    Query: {
      couponsWhoami: (_: unknown, __: unknown, ctx: SubgraphContext) => caller(ctx.licensing),
    },
    Node: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      seenBy: (_: unknown, __: unknown, ctx: SubgraphContext) => caller(ctx.licensing),
    },
  },
};

export interface TestSubgraph {
  url: string;
  /** Requests that reached the resolvers (the identity header was valid). */
  accepted: number;
  stop(): Promise<void>;
}

/**
 * A real federation subgraph (plain Apollo Server + buildSubgraphSchema) that, like the
 * platform's services, refuses every request whose identity header does not verify, and
 * echoes the verified caller. In development mode, so its errors carry stack traces.
 */
export async function startTestSubgraph(name: 'keys' | 'coupons', signingSecret: string): Promise<TestSubgraph> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema({
      typeDefs: parse(TEST_SUBGRAPH_SDL[name]),
      resolvers: RESOLVERS[name] as GraphQLResolverMap<unknown>,
    }),
    includeStacktraceInErrorResponses: true,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const handle: TestSubgraph = { url: '', accepted: 0, stop: () => server.stop() };
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const header = req.headers[IDENTITY_HEADER];
      try {
        const licensing = verifyIdentityHeader(signingSecret, Array.isArray(header) ? header[0] : header);
        handle.accepted++;
        return { licensing };
      } catch {
        throw new GraphQLError('Requests must come through the gateway', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
    },
  });
  handle.url = url;
  return handle;
}

export interface FakeKeysApi {
  url: string;
  /** Lookups that reached the endpoint, refused ones included. */
  calls: number;
  /** Lookups refused for a missing or wrong identity header. */
  refused: number;
  keys: Map<string, { vendorId: string; apiKeyId: string }>;
  /** Added to every answer, to let concurrent lookups overlap. */
  delayMs: number;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The keys service's internal API-key endpoint, as a tiny node:http server. */
export async function startFakeKeysApi(signingSecret: string): Promise<FakeKeysApi> {
  const api: FakeKeysApi = {
    url: '',
    calls: 0,
    refused: 0,
    keys: new Map(),
    delayMs: 0,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/internal/api-keys/resolve') return send(404);
      api.calls++;
      const raw = await readBody(req);
      try {
        const header = req.headers[IDENTITY_HEADER];
        const { identity } = verifyIdentityHeader(signingSecret, Array.isArray(header) ? header[0] : header);
        if (identity.kind !== 'operator') throw new Error('not the operator');
      } catch {
        api.refused++;
        return send(401, { message: 'Unauthorized' });
      }
      const { apiKey } = JSON.parse(raw) as { apiKey?: unknown };
      if (api.delayMs) await new Promise((r) => setTimeout(r, api.delayMs));
      const found = typeof apiKey === 'string' ? api.keys.get(apiKey) : undefined;
      return found ? send(200, found) : send(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

export const ROOT = join(__dirname, '..', '..', '..');

/**
 * Runs the built composition script (`dist/scripts/compose-supergraph.js`, which the test
 * tiers' global setup builds) in `cwd`, as `npm run generate` does. Throws with its output
 * when it fails.
 */
export function runComposeScript(cwd: string): string {
  return execFileSync(
    process.execPath,
    ['-r', join(ROOT, 'scripts', 'runtime-paths.js'), join(ROOT, 'dist', 'scripts', 'compose-supergraph.js')],
    { cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: 'pipe', encoding: 'utf8' },
  );
}

/**
 * A workspace-shaped temporary folder holding the four subgraph schemas, composed into
 * services/gateway/supergraph.graphql by the project's own composition script.
 */
export function composeTestSupergraph(sdl: Record<string, string> = TEST_SUBGRAPH_SDL): {
  root: string;
  path: string;
  remove(): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'gateway-supergraph-'));
  for (const [name, text] of Object.entries(sdl)) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'schema.graphql'), text);
  }
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    mkdirSync(join(root, 'services', 'gateway'), { recursive: true });
    runComposeScript(root);
    return { root, path: join(root, 'services', 'gateway', 'supergraph.graphql'), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

export const secret = () => randomBytes(32).toString('hex');

export interface RunningGateway {
  app: INestApplication;
  url: string;
  baseUrl: string;
  config: GatewayConfig;
  close(): Promise<void>;
}

/** The real gateway application, in this process, on a free port. */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const config = validateEnv(GatewayConfig, { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'error', ...env });
  const app = await createGatewayApp(config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, baseUrl, url: `${baseUrl}/graphql`, close: () => app.close() };
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function post<T = unknown>(
  url: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : {}) as { data?: T; errors?: Reply<T>['errors'] };
  return { status: res.status, headers: res.headers, data: json.data, errors: json.errors };
}
