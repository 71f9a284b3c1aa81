import { getMetadataStorage } from 'class-validator';
import { EVENT_CATALOGUE } from './catalogue';
import { EventDefinition } from './define-event';
import { ALL_TOPICS } from './topics';

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
  for (const name of optional) {
    const prop = properties[name];
    if (prop && typeof prop['type'] === 'string') prop['type'] = [prop['type'], 'null'];
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  return { type: 'object', additionalProperties: false, properties, required };
}

function messageName(def: EventDefinition): string {
  return def.type.replace(/[.-](\w)/g, (_, ch: string) => ch.toUpperCase());
}

function envelopeSchema(def: EventDefinition): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'type', 'source', 'time', 'vendorId', 'subject', 'dataVersion', 'data'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'Unique event id; consumers de-duplicate on it.' },
      type: { const: def.type },
      source: { const: def.source },
      time: { type: 'string', format: 'date-time' },
      vendorId: { type: 'string', format: 'uuid' },
      subject: { type: 'string', description: 'Partition key: the license key id, else the entity id.' },
      dataVersion: { const: def.dataVersion },
      data: schemaOf(def.payload),
    },
  };
}

/** The AsyncAPI 3 document of every topic and event type, generated from the event classes. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const topic of ALL_TOPICS) {
    const defs = EVENT_CATALOGUE.filter((d) => d.topic === topic);
    const channelId = topic.replace(/\./g, '-');
    channels[channelId] = {
      address: topic,
      description: `Events published by the ${defs[0]?.source ?? 'unknown'} service, keyed by subject.`,
      messages: Object.fromEntries(
        defs.map((d) => [messageName(d), { $ref: `#/components/messages/${messageName(d)}` }]),
      ),
    };
    operations[`receive-${channelId}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId}` },
      summary: `Consume ${topic}`,
    };
    for (const d of defs) {
      messages[messageName(d)] = {
        name: d.type,
        title: d.type,
        summary: d.description,
        contentType: 'application/json',
        headers: {
          type: 'object',
          properties: { 'event-type': { const: d.type }, 'event-id': { type: 'string', format: 'uuid' } },
        },
        payload: envelopeSchema(d),
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Licensing platform events',
      version: '1.0.0',
      description:
        'Every event the platform publishes. Delivery is at least once: de-duplicate on the envelope id. ' +
        'Events of one license key keep their order (the Kafka message key is the subject).',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka' } },
    channels,
    operations,
    components: { messages },
  };
}

export const ASYNCAPI_PATH = 'libs/events/asyncapi.json';

export function renderAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;
}
