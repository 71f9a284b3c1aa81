import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArgumentsHost, Catch, DynamicModule, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ApolloServerPlugin } from '@apollo/server';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream, LevelWithSilent, LoggerOptions } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import { chooseRequestId, currentRequestId, currentTraceId, REQUEST_ID_HEADER } from '@licensing/telemetry';

/** What a service's logging depends on (LOG_LEVEL and LOG_FORMAT of its config). */
export interface LoggingSettings {
  LOG_LEVEL: string;
  LOG_FORMAT?: string;
}

const PINO_LEVEL: Record<string, string> = { debug: 'debug', log: 'info', warn: 'warn', error: 'error' };

/**
 * Keys whose values never reach a log line where a caller puts them: at the top of a
 * logged object or in an `input` (credentials, tokens, identity headers, key and coupon
 * codes, GraphQL variables, bodies). The access line and the error serializer below never
 * carry such fields in the first place; this is the net under any log call that passes an
 * object. Exact paths only: wildcards would cost about 50 µs on every line.
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-licensing-identity',
  'x-api-key',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'keyCode',
  'couponCode',
];
export const REDACTED_PATHS = [
  ...SECRET_KEYS.map((k) => `["${k}"]`),
  ...SECRET_KEYS.map((k) => `input["${k}"]`),
  'variables',
  'body',
  'headers',
  'req.headers',
];

interface LoggedRequest extends IncomingMessage {
  requestId?: string;
  originalUrl?: string;
  body?: unknown;
  traceId?: string;
  /** Codes of the GraphQL errors of the response (set by graphqlLogPlugin). */
  errorCodes?: string[];
}

const OPERATION = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})/;

/** The operation's name from the parsed body, never anything else of it. */
export function operationNameOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { operationName, query } = body as { operationName?: unknown; query?: unknown };
  if (typeof operationName === 'string' && operationName) return operationName.slice(0, 100);
  if (typeof query === 'string') return OPERATION.exec(query.slice(0, 300))?.[1];
  return undefined;
}

/** The error itself, never its enumerable extras (a failed query's parameters, a driver's detail). */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    // A subgraph's error reaches the gateway as a plain object: its message says enough.
    const message = (error as { message?: unknown } | null)?.message;
    return { message: typeof message === 'string' ? message : String(error) };
  }
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
  };
}

/** One line per request: what was asked and how it ended; never a header, variable or body. */
function accessLine(req: LoggedRequest, res: ServerResponse, responseTime: number): Record<string, unknown> {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return {
    requestId: req.requestId ?? req.id,
    ...(req.traceId ? { traceId: req.traceId } : {}),
    method: req.method,
    path: query === -1 ? url : url.slice(0, query),
    operation: operationNameOf(req.body),
    status: res.statusCode,
    ms: responseTime,
    ...(req.errorCodes?.length ? { errors: req.errorCodes } : {}),
  };
}

/**
 * pino's options for a service: one JSON line per event with `time` (UTC ISO-8601),
 * `level` (its name), `service`, `requestId` and `traceId` (when the line belongs to a
 * request or a Kafka message), `context` and `msg`.
 */
export function pinoOptions(service: string, settings: LoggingSettings): LoggerOptions {
  return {
    level: PINO_LEVEL[settings.LOG_LEVEL] ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const requestId = currentRequestId();
      const traceId = currentTraceId();
      if (requestId === undefined && traceId === undefined) return {};
      return traceId === undefined ? { requestId } : { requestId, traceId };
    },
    serializers: { err: safeError, error: safeError },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

/** Where lines go: stdout as JSON, or pino-pretty when a developer sets LOG_FORMAT=pretty. */
function destination(settings: LoggingSettings): DestinationStream {
  if (settings.LOG_FORMAT === 'pretty') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
  }
  return pino.destination({ dest: 1, sync: false, minLength: 0 });
}

let accessLog: HttpLogger | undefined;

/**
 * Logging for a service, one pino logger per process: Nest's own logging (every
 * `new Logger(context)`, through nestjs-pino) and one access line per request, written by
 * pino-http when the response finishes (`errors` lists the GraphQL error codes; 5xx at
 * error, anything else at info). Health probes and scrapes are not logged.
 */
export function loggerModule(service: string, settings: LoggingSettings): DynamicModule {
  accessLog ??= createAccessLog(service, settings);
  // The access log's logger is the root (useExisting): nestjs-pino mounts no pino-http of
  // its own late in the middleware chain.
  // No per-request binding either (forRoutes: none): the request id and trace id come from
  // the mixin, which reads the one request scope of libs/telemetry.
  return LoggerModule.forRoot({
    pinoHttp: { logger: accessLog.logger, autoLogging: false },
    useExisting: true,
    forRoutes: [],
  });
}

/**
 * The access log middleware, to mount first (`app.use`, before body parsing and any
 * middleware that may answer early), so every request gets its line with its whole time.
 */
export function accessLogMiddleware(): HttpLogger {
  if (!accessLog) throw new Error('loggerModule() must be imported before the access log is mounted');
  return accessLog;
}

function createAccessLog(service: string, settings: LoggingSettings): HttpLogger {
  const noop = () => undefined;
  return pinoHttp<LoggedRequest, ServerResponse, never>(
    {
      ...pinoOptions(service, settings),
      // The request's logger gets no bindings: requestId comes from the mixin (one source).
      quietReqLogger: false,
      quietResLogger: true,
      wrapSerializers: false,
      serializers: { req: noop, res: noop, err: safeError, error: safeError },
      genReqId: (req: LoggedRequest) => {
        req.traceId = currentTraceId();
        return req.requestId ?? chooseRequestId(req.headers[REQUEST_ID_HEADER] as string | undefined);
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error): LevelWithSilent =>
        error || res.statusCode >= 500 ? 'error' : 'info',
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      customSuccessObject: (req: IncomingMessage, res: ServerResponse, value: { responseTime: number }) =>
        accessLine(req as LoggedRequest, res, value.responseTime),
      customErrorObject: (
        req: IncomingMessage,
        res: ServerResponse,
        error: Error,
        value: { responseTime: number },
      ) => ({
        ...accessLine(req as LoggedRequest, res, value.responseTime),
        err: safeError(error),
      }),
      autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)\b/.test(req.url ?? '') },
    },
    destination(settings),
  );
}

/**
 * Notes the response's GraphQL error codes on the request for the access line, and logs
 * each refusal (a code the caller can act on: a used coupon, a wrong password, bad input,
 * a throttle) at info without a stack. Masked (unexpected) errors are logged at error with
 * their stack where they are masked (formatError's onInternalError).
 */
export function graphqlLogPlugin(
  logger: Logger,
  options: { logRefusals: boolean },
): ApolloServerPlugin<{ req?: unknown }> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ response, contextValue }) => {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        if (!errors?.length) return;
        const codes = errors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR'));
        const req = contextValue.req as LoggedRequest | undefined;
        if (req) req.errorCodes = codes;
        if (!options.logRefusals) return;
        errors.forEach((e, i) => {
          if (codes[i] === 'INTERNAL_SERVER_ERROR') return;
          const field = e.extensions?.['field'];
          logger.log({
            msg: 'refused',
            code: codes[i],
            ...(typeof field === 'string' ? { field } : {}),
            ...(e.path ? { path: e.path.join('.') } : {}),
          });
        });
      },
    }),
  };
}

/**
 * Nest logs every error a resolver throws, with its stack, at error; most are refusals the
 * caller can act on. In GraphQL this filter hands errors on untouched and unlogged (the
 * error mapping and graphqlLogPlugin log each at its level); HTTP routes keep Nest's handling.
 */
@Catch()
export class GraphQLErrorsPassThrough extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType<string>() === 'graphql') throw exception;
    super.catch(exception, host);
  }
}

/**
 * A process that cannot start says why in the same JSON shape as every other line (on
 * stderr, without a stack: the message names the setting or the dependency), then exits 1.
 */
export function failBoot(service: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service, msg: `cannot start: ${message}` })}\n`,
  );
  process.exit(1);
}
