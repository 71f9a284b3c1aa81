import { getMetadataStorage } from 'class-validator';
import { EVENT_CATALOGUE } from './catalogue';
import { EventDefinition } from './define-event';
import { describedField } from './describe';
import { EventEnvelope } from './envelope';
import { EXAMPLE } from './examples';
import { MESSAGE_HEADERS } from './headers';
import { ALL_TOPICS, TOPIC_PARTITIONS } from './topics';

type JsonSchema = Record<string, unknown>;

interface ValidationMeta {
  name?: string;
  type: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

/** Types that class-transformer's @Type() records for nested payload classes. */
function nestedTypeOf(target: object, property: string): (new () => object) | undefined {
  // class-transformer keeps @Type metadata in its default storage.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
    defaultMetadataStorage: {
      findTypeMetadata(t: object, p: string): { typeFunction: () => new () => object } | undefined;
    };
  };
  return defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction();
}

/** Turns the class-validator decorators of a payload class into a JSON Schema. */
export function schemaOf(cls: new () => object): JsonSchema {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false) as unknown as ValidationMeta[];
  const properties: Record<string, JsonSchema> = {};
  const optional = new Set<string>();
  for (const m of metas) {
    const prop = (properties[m.propertyName] ??= {});
    const c = m.constraints ?? [];
    if (m.type === 'conditionalValidation') {
      optional.add(m.propertyName);
      continue;
    }
    if (m.type === 'nestedValidation') {
      const nested = nestedTypeOf(cls, m.propertyName);
      const schema = nested ? schemaOf(nested) : { type: 'object' };
      if (prop['type'] === 'array' || m.each) Object.assign(prop, { type: 'array', items: schema });
      else Object.assign(prop, schema);
      continue;
    }
    switch (m.name) {
      case 'isString':
        prop['type'] = 'string';
        break;
      case 'isUuid':
        Object.assign(prop, { type: 'string', format: 'uuid' });
        break;
      case 'isEmail':
        Object.assign(prop, { type: 'string', format: 'email' });
        break;
      case 'isIso8601':
        Object.assign(prop, { type: 'string', format: 'date-time' });
        break;
      case 'isInt':
        prop['type'] = 'integer';
        break;
      case 'isBoolean':
        prop['type'] = 'boolean';
        break;
      case 'isArray':
        prop['type'] = 'array';
        break;
      case 'isObject':
        prop['type'] = 'object';
        break;
      case 'isIn':
        prop['enum'] = [...(c[0] as unknown[])];
        break;
      case 'min':
        prop['minimum'] = c[0];
        break;
      case 'max':
        prop['maximum'] = c[0];
        break;
      case 'arrayMinSize':
        prop['minItems'] = c[0];
        break;
      case 'matches':
        Object.assign(prop, { type: 'string', pattern: (c[0] as RegExp).source });
        break;
      case 'isLength':
        Object.assign(prop, { type: 'string', minLength: c[0], maxLength: c[1] });
        break;
      case 'isNotEmpty':
        prop['minLength'] = 1;
        break;
      default:
        break;
    }
  }
  for (const [name, prop] of Object.entries(properties)) {
    const description = describedField(cls, name);
    if (description !== undefined) prop['description'] = description;
  }
  for (const name of optional) {
    const prop = properties[name];
    if (prop && typeof prop['type'] === 'string') prop['type'] = [prop['type'], 'null'];
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  // No additionalProperties: false. Within a version a field may be added (the consumers'
  // class validation ignores fields it does not know), so partners must tolerate new ones.
  return { type: 'object', properties, required };
}

function messageName(def: EventDefinition): string {
  return def.type.replace(/[.-](\w)/g, (_, ch: string) => ch.toUpperCase());
}

/** The version of the AsyncAPI Kafka bindings the catalogue uses. */
const KAFKA_BINDING_VERSION = '0.5.0';

function envelopeSchema(def: EventDefinition): JsonSchema {
  const described = (name: string, schema: JsonSchema): JsonSchema => {
    const description = describedField(EventEnvelope, name);
    return description === undefined ? schema : { ...schema, description };
  };
  const data = schemaOf(def.payload);
  return {
    type: 'object',
    required: ['id', 'type', 'source', 'time', 'vendorId', 'subject', 'dataVersion', 'data'],
    properties: {
      id: described('id', { type: 'string', format: 'uuid' }),
      type: described('type', { type: 'string', const: def.type }),
      source: described('source', { type: 'string', const: def.source }),
      time: described('time', { type: 'string', format: 'date-time' }),
      vendorId: described('vendorId', { type: 'string', format: 'uuid' }),
      subject: { ...described('subject', { type: 'string', minLength: 1 }), description: subjectText(def) },
      dataVersion: described('dataVersion', { type: 'integer', const: def.dataVersion }),
      data: { ...data, description: `${describedField(EventEnvelope, 'data') ?? ''} ${def.description}`.trim() },
    },
  };
}

function subjectText(def: EventDefinition): string {
  return `The Kafka message key: ${def.subject ?? 'the entity id'}. Events with one subject keep their order.`;
}

function headersSchema(def: EventDefinition): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, header] of Object.entries(MESSAGE_HEADERS)) {
    properties[name] = {
      type: 'string',
      description: header.description,
      ...(name === 'event-type' ? { const: def.type } : {}),
      ...(header.format ? { format: header.format } : {}),
    };
  }
  const required = Object.entries(MESSAGE_HEADERS)
    .filter(([, h]) => h.required)
    .map(([name]) => name);
  return { type: 'object', properties, required };
}

/** The example of a definition as a whole Kafka message: headers and the envelope. */
export function exampleMessage(def: EventDefinition): {
  headers: Record<string, string>;
  payload: Record<string, unknown>;
} {
  const example = def.example;
  if (!example) throw new Error(`${def.type} has no example`);
  return {
    headers: { 'event-type': def.type, 'event-id': example.id },
    payload: {
      id: example.id,
      type: def.type,
      source: def.source,
      time: example.time,
      vendorId: EXAMPLE.vendorId,
      subject: example.subject,
      dataVersion: def.dataVersion,
      data: example.data,
    },
  };
}

function message(def: EventDefinition): JsonSchema {
  return {
    name: def.type,
    title: def.type,
    summary: def.description,
    description:
      `${def.description} Published by the ${def.source} service on ${def.topic}. ` +
      `The message key (and the envelope's subject) is ${def.subject ?? 'the entity id'}. ` +
      `Version ${def.dataVersion} of the data.`,
    contentType: 'application/json',
    headers: headersSchema(def),
    payload: envelopeSchema(def),
    correlationId: {
      description: 'The envelope id identifies the event; consumers de-duplicate on it.',
      location: '$message.payload#/id',
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: subjectText(def) },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    ...(def.example
      ? { examples: [{ name: messageName(def), summary: `An example ${def.type} message.`, ...exampleMessage(def) }] }
      : {}),
  };
}

const CREDENTIALS = [
  'How a partner gets access: Kafka is not open to the internet. The platform operator issues each ',
  'partner integration its own account on request: write to the operator (the support address of your ',
  'contract) naming the organisation, the topics wanted and a technical contact. The operator creates a ',
  "SASL/SCRAM-SHA-512 user (or registers the partner's client certificate for mutual TLS) with read-only ",
  'access to those topics and to consumer groups named `partner.<account>.*`, and hands the password over ',
  'by a second channel, never with the account name. Credentials are rotated on request and revoked when ',
  'the contract ends. The topics carry the events of every vendor on the platform, so Kafka access is ',
  "for integrations the operator trusts with all of them; a vendor's own partners get that vendor's events ",
  "through the vendor's webhooks instead.",
].join('');

/** The AsyncAPI 3 document of every topic and event type, generated from the event classes. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const topic of ALL_TOPICS) {
    const defs = EVENT_CATALOGUE.filter((d) => d.topic === topic);
    const channelId = topic.replace(/\./g, '-');
    const source = defs[0]?.source ?? 'unknown';
    channels[channelId] = {
      address: topic,
      title: topic,
      description:
        `Events published by the ${source} service (${defs.map((d) => d.type).join(', ')}). ` +
        `${TOPIC_PARTITIONS} partitions; the message key is the envelope's subject, so the events of one ` +
        'license key (or entity) arrive in order on one partition.',
      servers: [{ $ref: '#/servers/production' }, { $ref: '#/servers/local' }],
      messages: Object.fromEntries(
        defs.map((d) => [messageName(d), { $ref: `#/components/messages/${messageName(d)}` }]),
      ),
      bindings: {
        kafka: { topic, partitions: TOPIC_PARTITIONS, bindingVersion: KAFKA_BINDING_VERSION },
      },
    };
    operations[`receive-${channelId}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId}` },
      title: `Consume ${topic}`,
      summary: `Consume ${topic}`,
      description:
        'Subscribe with a consumer group of your own. Delivery is at least once and a rebalance can ' +
        'deliver a message again: record the envelope ids you have applied and skip those you have seen. ' +
        'Skip event types you do not know; new types may be added to a topic without a new version.',
      messages: defs.map((d) => ({ $ref: `#/channels/${channelId}/messages/${messageName(d)}` })),
      bindings: {
        kafka: {
          groupId: {
            type: 'string',
            pattern: '^partner\\.[a-z0-9-]+\\.',
            description: 'A partner account may only use consumer groups named partner.<account>.<anything>.',
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    for (const d of defs) messages[messageName(d)] = message(d);
  }
  return {
    asyncapi: '3.0.0',
    id: 'urn:licensing-platform:events',
    info: {
      title: 'Licensing platform events',
      version: '1.0.0',
      description: [
        'Every event the platform publishes, one topic per publishing service. Each message value is a ',
        'JSON envelope (id, type, source, time, vendorId, subject, dataVersion, data) whose data is ',
        'described per message type. Delivery is at least once: de-duplicate on the envelope id. Events ',
        'of one license key keep their order (the Kafka message key is the subject). Within a version, ',
        'fields may be added to an event and event types to a topic: ignore what you do not know. A change ',
        'that would break a consumer comes as a new topic version (licensing.keys.v2).\n\n',
        CREDENTIALS,
      ].join(''),
    },
    defaultContentType: 'application/json',
    servers: {
      production: {
        host: '{bootstrapHost}:{port}',
        protocol: 'kafka-secure',
        title: 'Production',
        description:
          'The production brokers, reached over TLS only, with the SASL/SCRAM account or the client ' +
          'certificate the operator issued to the partner.',
        variables: {
          bootstrapHost: {
            description: "The bootstrap broker host name; the operator gives it with the partner's credentials.",
            examples: ['kafka.licensing.example.com'],
          },
          port: { description: 'The TLS listener.', default: '9094', examples: ['9094'] },
        },
        security: [
          { $ref: '#/components/securitySchemes/saslScram' },
          { $ref: '#/components/securitySchemes/mutualTls' },
        ],
      },
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        title: 'Local stack',
        description: 'The broker of the local stack (`npm run stack`): plaintext, no authentication.',
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        saslScram: {
          type: 'scramSha512',
          description: `SASL/SCRAM-SHA-512 over TLS with a partner account. ${CREDENTIALS}`,
        },
        mutualTls: {
          type: 'X509',
          description:
            'Mutual TLS: the partner presents a client certificate the operator registered for its account ' +
            '(send the operator a certificate signing request; the private key never leaves the partner).',
        },
      },
    },
  };
}

export const ASYNCAPI_PATH = 'libs/events/asyncapi.json';

export function renderAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;
}
