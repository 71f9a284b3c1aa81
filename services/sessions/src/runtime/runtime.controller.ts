import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ErrorCode, RateLimitedError } from '@licensing/graphql';
import { corsOrigins, plainCors, RATE_LIMIT_HEADERS } from '@licensing/platform';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { RuntimeAdmission, RuntimeRateLimiter } from './runtime-rate-limit';
import { RuntimeService } from './runtime.service';

/** Every path of the runtime endpoint starts with this. */
export const RUNTIME_BASE = '/runtime/v1/';

/** Bodies are a few hundred bytes; anything past this is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The HTTP status of each error code (README, "The runtime endpoint"); anything else is 500. */
export const RUNTIME_STATUS: Readonly<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.LICENSE_NOT_ON_KEY]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.NO_FREE_LICENSE]: 409,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.SESSION_ENDED]: 410,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
};

type Operation = (service: RuntimeService, body: unknown) => Promise<unknown>;

/** The POST operations by path. */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  [`${RUNTIME_BASE}acquire`]: (s, body) => s.acquire(body),
  [`${RUNTIME_BASE}heartbeat`]: (s, body) => s.heartbeat(body),
  [`${RUNTIME_BASE}release`]: (s, body) => s.release(body),
  [`${RUNTIME_BASE}check`]: (s, body) => s.check(body),
};

const JWKS_PATH = /^\/runtime\/v1\/jwks\/([^/]+)$/;

/** Applications may keep a JWKS a minute; one that meets an unknown kid fetches it again. */
const JWKS_CACHE = 'public, max-age=60';

/** A refusal that is not a domain rule's: a route, method or body the endpoint does not take. */
class HttpRefusal extends DomainError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * The lean runtime endpoint: plain JSON over node:http for the four application operations
 * and the vendors' JWKS, without Nest's router, guards, pipes or GraphQL on the hot path.
 * Every request is counted against its address's rate limit first; the body goes to
 * RuntimeService; errors answer `{ "error": { code, licensingCode?, message, field?, … } }`
 * with the status RUNTIME_STATUS gives their code. The key is the credential, so these paths
 * bypass the identity middleware (which guards GraphQL: only the gateway may call it).
 *
 * Mounted ahead of Express on the service's own HTTP server: the server's request listener
 * (the Express app) is wrapped so /runtime/v1/* never enters Express (bench/sessions measured
 * it against a mount inside Express and against a separate port).
 */
@Injectable()
export class RuntimeController implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Runtime');
  private unmount?: () => void;
  /** Browsers on CORS_ORIGINS; answers their preflights before the rate limit counts them. */
  private readonly cors: (req: IncomingMessage, res: ServerResponse) => boolean;

  constructor(
    private readonly runtime: RuntimeService,
    private readonly limiter: RuntimeRateLimiter,
    private readonly adapterHost: HttpAdapterHost,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.cors = plainCors({
      origins: corsOrigins(config.CORS_ORIGINS, config.NODE_ENV),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'x-request-id', 'traceparent', 'tracestate'],
      exposedHeaders: [...RATE_LIMIT_HEADERS],
    });
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) this.unmount = mountAhead(server, this.handle);
  }

  async onModuleDestroy(): Promise<void> {
    this.unmount?.();
    await this.limiter.close();
  }

  /** Answers one request to /runtime/v1/* (a request listener of its own for tests and benches). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.serve(req, res).catch((error: unknown) => {
      this.logger.error(`runtime request failed after answering: ${String(error)}`);
      if (!res.headersSent) res.destroy();
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.cors(req, res)) return;
    const admission = this.limiter.admit(req.socket.remoteAddress);
    res.setHeader('ratelimit-limit', admission.limit);
    res.setHeader('ratelimit-remaining', admission.remaining);
    res.setHeader('ratelimit-reset', admission.resetSeconds);
    try {
      if (!admission.allowed) throw rateLimited(admission);
      const path = pathOf(req.url);
      const operation = OPERATIONS[path];
      if (operation) {
        if (req.method !== 'POST') throw methodNotAllowed(res, 'POST');
        const body = await readJson(req);
        return send(res, 200, await operation(this.runtime, body));
      }
      const jwks = JWKS_PATH.exec(path);
      if (jwks) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(res, 'GET');
        return send(res, 200, await this.runtime.jwks(decodeURIComponent(jwks[1]!)), JWKS_CACHE);
      }
      throw new HttpRefusal(404, ErrorCode.NOT_FOUND, `No runtime operation at ${req.method ?? ''} ${path}`);
    } catch (error) {
      this.fail(req, res, error);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (error instanceof DomainError) {
      const status = error instanceof HttpRefusal ? error.status : (RUNTIME_STATUS[error.code] ?? 500);
      if (status === 413) res.setHeader('connection', 'close');
      if (error instanceof RateLimitedError) res.setHeader('retry-after', error.retryAfterSeconds);
      return send(res, status, {
        error: {
          code: error.code,
          ...(error.licensingCode ? { licensingCode: error.licensingCode } : {}),
          message: error.message,
          ...(error.field ? { field: error.field } : {}),
          ...(error.details ?? {}),
        },
      });
    }
    const requestId = randomUUID();
    this.logger.error(
      `request ${requestId} ${req.method ?? ''} ${pathOf(req.url)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    send(res, 500, {
      error: {
        code: ErrorCode.INTERNAL_SERVER_ERROR,
        message: `Internal server error (request id ${requestId})`,
        requestId,
      },
    });
  }
}

/**
 * Puts `handle` in front of whatever already listens for requests on `server` (the Express
 * app): /runtime/v1/* goes to `handle`, everything else where it went before. Returns how to
 * undo it.
 */
export function mountAhead(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => void): () => void {
  const previous = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(RUNTIME_BASE)) return handle(req, res);
    for (const listener of previous) listener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', dispatch);
  return () => {
    server.removeListener('request', dispatch);
    for (const listener of previous) server.on('request', listener);
  };
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

function rateLimited(admission: RuntimeAdmission): RateLimitedError {
  return new RateLimitedError(admission.resetSeconds, admission.limit);
}

function methodNotAllowed(res: ServerResponse, allow: string): HttpRefusal {
  res.setHeader('allow', allow);
  return new HttpRefusal(405, ErrorCode.BAD_REQUEST, `Use ${allow} for this path`);
}

function send(res: ServerResponse, status: number, body: unknown, cache = 'no-store'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': cache,
  });
  res.end(text);
}

/** The request body as JSON; 413 past MAX_BODY_BYTES, 400 when it does not parse. */
function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The body must be a JSON object'));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The body is not JSON'));
      }
    });
  });
}

function tooLarge(): HttpRefusal {
  return new HttpRefusal(413, ErrorCode.PAYLOAD_TOO_LARGE, `The body is larger than ${MAX_BODY_BYTES} bytes`);
}
