import {
  chooseRequestId,
  currentRequestId,
  currentTraceId,
  currentTraceparent,
  otlpEndpoint,
  runWithRequestId,
  startMessageSpan,
  startTelemetry,
  tracingEnabled,
  withRemoteParentSpan,
} from './index';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('telemetry without an endpoint', () => {
  it('starts nothing and loads no SDK', () => {
    expect(otlpEndpoint({})).toBeUndefined();
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318');
    expect(startTelemetry('keys', {})).toBe(false);
    expect(
      startTelemetry('keys', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(Object.keys(require.cache).some((path) => path.includes('@opentelemetry/sdk-node'))).toBe(false);
  });

  it('has no trace context of its own, and hands a stored one on unchanged', async () => {
    expect(currentTraceId()).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
    const span = startMessageSpan('publish x', TRACEPARENT, {});
    expect(span.traceparent).toBe(TRACEPARENT);
    span.end();
    expect(startMessageSpan('publish x', undefined, {}).traceparent).toBeUndefined();
    await expect(withRemoteParentSpan('process x', 'consumer', TRACEPARENT, {}, async (tp) => tp)).resolves.toBe(
      TRACEPARENT,
    );
  });
});

describe('request ids', () => {
  it('keeps an acceptable id and replaces anything else with a uuid', () => {
    expect(chooseRequestId('ticket-12345')).toBe('ticket-12345');
    for (const bad of [undefined, null, '', 'short', 'has space 123', 'x'.repeat(65), 'quote"12345']) {
      expect(chooseRequestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is visible to everything a request starts, across awaits, and to nothing outside', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen = await runWithRequestId('req-aaaaaaaa', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return currentRequestId();
    });
    expect(seen).toBe('req-aaaaaaaa');
    expect(currentRequestId()).toBeUndefined();
  });
});
