import {
  Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';

/** The W3C trace context header (`00-<trace id>-<span id>-<flags>`). */
export const TRACEPARENT_HEADER = 'traceparent';

let enabled = false;
let tracer: Tracer | undefined;

/** Set by startTelemetry once an SDK is registered; until then every helper here is a no-op. */
export function markTracingEnabled(): void {
  enabled = true;
  tracer = trace.getTracer('licensing');
}

export function tracingEnabled(): boolean {
  return enabled;
}

/** The trace id of the active span, for log lines; undefined when nothing is traced. */
export function currentTraceId(): string | undefined {
  if (!enabled) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, traceFlags } = span.spanContext();
  // An unsampled span still names its trace; an invalid one (all zeros) does not.
  return traceFlags !== undefined && !/^0+$/.test(traceId) ? traceId : undefined;
}

/** The active trace context as a W3C `traceparent` value, to store beside an event; undefined when untraced. */
export function currentTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier[TRACEPARENT_HEADER];
}

async function inSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `fn` in a new span whose parent is the given `traceparent` (a stored or received
 * one), so work done later and elsewhere joins the trace of the request that caused it.
 * Without a traceparent the span starts a trace of its own; without an SDK, `fn` just runs.
 */
export function withRemoteParentSpan<T>(
  name: string,
  kind: 'producer' | 'consumer',
  traceparent: string | undefined,
  attributes: Attributes,
  fn: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled || !tracer) return fn(traceparent);
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { [TRACEPARENT_HEADER]: traceparent }) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    name,
    { kind: kind === 'producer' ? SpanKind.PRODUCER : SpanKind.CONSUMER, attributes },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return context.with(active, () => {
    const carrier: Record<string, string> = {};
    propagation.inject(active, carrier);
    return inSpan(span, () => fn(carrier[TRACEPARENT_HEADER]));
  });
}

/** A span around one outgoing message; `traceparent` is what the message carries onward. */
export interface MessageSpan {
  traceparent: string | undefined;
  end(error?: unknown): void;
}

const UNTRACED: MessageSpan = { traceparent: undefined, end: () => undefined };

/**
 * Starts a producer span for one message whose cause is the stored `traceparent`, and
 * returns the context the message should carry (the new span's, so the consumer's span
 * hangs below it in the same trace). Without an SDK or a stored context nothing is traced,
 * and the stored value (if any) travels on unchanged.
 */
export function startMessageSpan(name: string, traceparent: string | undefined, attributes: Attributes): MessageSpan {
  if (!enabled || !tracer || !traceparent) return traceparent ? { ...UNTRACED, traceparent } : UNTRACED;
  const parent = propagation.extract(ROOT_CONTEXT, { [TRACEPARENT_HEADER]: traceparent });
  const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent);
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  return {
    traceparent: carrier[TRACEPARENT_HEADER] ?? traceparent,
    end: (error?: unknown) => {
      if (error !== undefined) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
  };
}
