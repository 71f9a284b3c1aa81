import specs from '@asyncapi/specs';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  buildAsyncApiDocument,
  EVENT_CATALOGUE,
  EventDefinition,
  exampleMessage,
  MESSAGE_HEADERS,
  parseEvent,
  TOPIC_PARTITIONS,
} from './index';

const doc = buildAsyncApiDocument() as any;

function messageName(def: EventDefinition): string {
  return def.type.replace(/[.-](\w)/g, (_, ch: string) => ch.toUpperCase());
}

/** Validators for the JSON Schemas inside the document (payloads, headers, keys). */
function schemaValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return (schema: object): ValidateFunction => ajv.compile(schema);
}

/**
 * The schema with no room for fields it does not name: partners must tolerate new fields,
 * but an example must not carry a field the schema does not describe (a typo, a stale name).
 */
function closed(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  return schema.properties ? { ...copy, additionalProperties: false } : copy;
}

/** The official AsyncAPI 3.0.0 schema; it embeds draft-07's meta-schema, so Ajv's own stays out. */
function asyncApiValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, meta: false, validateSchema: false });
  return ajv.compile(specs.schemas['3.0.0']);
}

/** Every property schema of a payload, nested ones included, with its path. */
function propertiesOf(schema: any, path: string): [string, any][] {
  const properties = Object.entries<any>(schema?.properties ?? {});
  return properties.flatMap(([name, prop]) => [
    [`${path}.${name}`, prop] as [string, any],
    ...propertiesOf(prop.type === 'array' ? prop.items : prop, `${path}.${name}`),
  ]);
}

describe('AsyncAPI catalogue for partners', () => {
  it('is a valid AsyncAPI 3.0.0 document (the official JSON Schema)', () => {
    const validate = asyncApiValidator();
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('tells a wrong document apart (the schema check is not vacuous)', () => {
    const validate = asyncApiValidator();
    expect(validate({ ...doc, servers: { local: { host: '127.0.0.1:9092' } } })).toBe(false);
    expect(validate({ ...doc, operations: { x: { action: 'listen', channel: {} } } })).toBe(false);
    // The Kafka bindings are checked against their own schema (bindingVersion 0.5.0) too.
    const [channelId, channel] = Object.entries<any>(doc.channels)[0]!;
    const badBinding = { ...channel, bindings: { kafka: { ...channel.bindings.kafka, partitions: 'three' } } };
    expect(validate({ ...doc, channels: { ...doc.channels, [channelId]: badBinding } })).toBe(false);
  });

  it('has one message per event type, each with a description, a subject and an example', () => {
    const messages = doc.components.messages as Record<string, any>;
    expect(Object.keys(messages).sort()).toEqual(EVENT_CATALOGUE.map(messageName).sort());
    for (const def of EVENT_CATALOGUE) {
      const m = messages[messageName(def)];
      expect({
        type: def.type,
        description: typeof m.description,
        subject: def.subject,
        examples: m.examples?.length,
      }).toEqual({
        type: def.type,
        description: 'string',
        subject: expect.any(String),
        examples: 1,
      });
    }
  });

  it('describes every field of every payload, nested ones too', () => {
    const undescribed: string[] = [];
    let fields = 0;
    for (const [name, m] of Object.entries<any>(doc.components.messages)) {
      for (const [path, prop] of propertiesOf(m.payload, name)) {
        fields++;
        if (typeof prop.description !== 'string' || prop.description.split(' ').length < 3) undescribed.push(path);
      }
    }
    expect(undescribed).toEqual([]);
    expect(fields).toBeGreaterThan(300);
  });

  it.each(EVENT_CATALOGUE.map((d) => [d.type, d] as const))(
    'the %s example validates against its event class and its message schema',
    (_type, def) => {
      const { headers, payload } = exampleMessage(def);
      // The consumers' own validation: the envelope class and the payload class of the type.
      const parsed = parseEvent(JSON.parse(JSON.stringify(payload)));
      expect(parsed.definition).toBe(def);

      const m = doc.components.messages[messageName(def)];
      const compile = schemaValidator();
      const payloadValid = compile(closed(m.payload));
      expect(payloadValid(payload) ? [] : payloadValid.errors).toEqual([]);
      const headersValid = compile(m.headers);
      expect(headersValid(headers) ? [] : headersValid.errors).toEqual([]);
      expect(m.examples[0].payload).toEqual(payload);
      expect(compile(m.bindings.kafka.key)(payload['subject'])).toBe(true);
    },
  );

  it('message schemas refuse a missing field and a foreign type, as the event classes do', () => {
    const compile = schemaValidator();
    for (const def of EVENT_CATALOGUE) {
      const { payload } = exampleMessage(def);
      const validate = compile(doc.components.messages[messageName(def)].payload);
      const data = payload['data'] as Record<string, unknown>;
      const required = doc.components.messages[messageName(def)].payload.properties.data.required as string[];
      const missing = { ...payload, data: { ...data, [required[0]!]: undefined } };
      expect([def.type, validate(JSON.parse(JSON.stringify(missing)))]).toEqual([def.type, false]);
      expect(() => parseEvent(JSON.parse(JSON.stringify(missing)))).toThrow();
      const wrongType = { ...payload, type: 'something.else' };
      expect([def.type, validate(wrongType)]).toEqual([def.type, false]);
    }
  });

  it('documents the Kafka bindings: topic, partitions, key = subject, headers', () => {
    for (const def of EVENT_CATALOGUE) {
      const channel = Object.values<any>(doc.channels).find((c) => c.address === def.topic);
      expect(channel.bindings.kafka).toMatchObject({ topic: def.topic, partitions: TOPIC_PARTITIONS });
      const m = doc.components.messages[messageName(def)];
      expect(m.bindings.kafka.key.description).toContain(def.subject);
      expect(Object.keys(m.headers.properties)).toEqual(Object.keys(MESSAGE_HEADERS));
      expect(m.headers.required).toEqual(['event-type', 'event-id']);
    }
  });

  it('names a local and a production server, the latter with a host variable and security', () => {
    expect(doc.servers.local).toMatchObject({ host: '127.0.0.1:9092', protocol: 'kafka' });
    const production = doc.servers.production;
    expect(production.host).toContain('{bootstrapHost}');
    expect(production.variables.bootstrapHost.description).toMatch(/operator/);
    expect(production.security.map((s: any) => s.$ref)).toEqual([
      '#/components/securitySchemes/saslScram',
      '#/components/securitySchemes/mutualTls',
    ]);
    expect(doc.components.securitySchemes.saslScram).toMatchObject({ type: 'scramSha512' });
    expect(doc.components.securitySchemes.saslScram.description).toMatch(/write to the operator/);
  });
});
