// Request ids and traces. Light on purpose: importing this loads only @opentelemetry/api;
// the SDK and its instrumentations are loaded by startTelemetry, and only when an OTLP
// endpoint is configured.
export {
  REQUEST_ID_HEADER,
  ACCEPTABLE_REQUEST_ID,
  chooseRequestId,
  currentRequestId,
  runWithRequestId,
} from './request-context';
export {
  TRACEPARENT_HEADER,
  currentTraceId,
  currentTraceparent,
  startMessageSpan,
  tracingEnabled,
  withRemoteParentSpan,
} from './trace-context';
export type { MessageSpan } from './trace-context';
export { otlpEndpoint, shutdownTelemetry, startTelemetry } from './sdk';
