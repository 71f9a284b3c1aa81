/**
 * The Kafka headers of a message on a licensing topic, as partners see them in the AsyncAPI
 * catalogue. The relay and the publisher set the required ones on every message; the others
 * are set when the platform has them (tracing on, a request behind the change).
 */
export const MESSAGE_HEADERS: Readonly<Record<string, { description: string; required: boolean; format?: string }>> = {
  'event-type': {
    description: 'The envelope type, so a consumer can skip types it does not handle without parsing the value.',
    required: true,
  },
  'event-id': {
    description: 'The envelope id, for de-duplication without parsing the value.',
    required: true,
    format: 'uuid',
  },
  traceparent: {
    description:
      'W3C trace context of the request that caused the event, when the platform traces; a consumer that ' +
      'continues the trace joins its work to that request.',
    required: false,
  },
  'x-request-id': {
    description: 'Id of the gateway request that caused the event, when there was one (support can look it up).',
    required: false,
  },
};
