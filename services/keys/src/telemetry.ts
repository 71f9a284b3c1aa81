// Imported first by main.ts: the OpenTelemetry SDK must patch http, express and the rest
// before they are loaded. Does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
import { startTelemetry } from '@licensing/telemetry';

startTelemetry('keys');
