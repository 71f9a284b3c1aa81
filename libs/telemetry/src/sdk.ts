import { markTracingEnabled } from './trace-context';

interface StartedSdk {
  shutdown(): Promise<void>;
}

let sdk: StartedSdk | undefined;

/** Where traces go: OTLP over HTTP to this base URL (`/v1/traces` is appended), or nowhere. */
export function otlpEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  return value && value.trim() ? value.trim() : undefined;
}

/**
 * Starts the OpenTelemetry Node SDK for this process, before anything it instruments is
 * loaded (a service's `main.ts` imports its `telemetry.ts` first). Spans of incoming and
 * outgoing HTTP, Express, GraphQL (and @apollo/gateway's own), Postgres and Redis are
 * exported over OTLP/HTTP (`OTEL_EXPORTER_OTLP_PROTOCOL`: http/protobuf by default, or
 * http/json) to `OTEL_EXPORTER_OTLP_ENDPOINT`. Kafka messages are traced by libs/kafka
 * itself (the outbox keeps each event's trace context; see startMessageSpan).
 *
 * Without an endpoint nothing is loaded or patched: tracing costs nothing.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !otlpEndpoint(env) || env['OTEL_SDK_DISABLED'] === 'true') return false;
  // Loaded only when tracing is on, so a process without an endpoint never pays for them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const started = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'] || serviceName,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)\b/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      // Field spans for every resolver would cost more than they tell; operations and their parse/validate/execute stay.
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true, depth: 2 }),
      // Statement text without parameters (the default): values never leave the process.
      // Only inside a trace: the relays' polling would otherwise start a trace every few ms.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  started.start();
  sdk = started;
  markTracingEnabled();
  return true;
}

/** Flushes and stops the SDK (the last spans of a stopping process are exported). */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
