import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ASYNCAPI_PATH,
  CouponActivated,
  EVENT_CATALOGUE,
  EventValidationError,
  LicenseGranted,
  Topics,
  createEvent,
  parseEvent,
  renderAsyncApiDocument,
} from './index';

const vendorId = '5f0c6d1e-3b7a-4c41-9a0e-1f2d3c4b5a69';
const keyId = '0b7c4a52-7f7e-4c7b-8d61-3a9f2e6c1d10';
const productId = '9d2b1f44-6a3c-4e8e-b0f1-2c3d4e5f6a7b';

function activation() {
  return createEvent(CouponActivated, {
    vendorId,
    subject: keyId,
    data: {
      activationId: 'a1b2c3d4-0000-4000-8000-000000000001',
      couponId: 'a1b2c3d4-0000-4000-8000-000000000002',
      couponCode: 'MIKOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
      couponType: 'ADD_PRODUCT',
      keyId,
      keyCode: 'MIKO-AAAAA-BBBBB-CCCCC-DDDDD',
      channel: 'APPLICATION',
      grants: [{ productId, productCode: 'PBX', periodDays: 365, seats: 5 }],
    },
  });
}

describe('event envelope', () => {
  it('builds an envelope with the definition type, source and version', () => {
    const event = activation();
    expect(event).toMatchObject({
      type: 'coupon.activated',
      source: 'coupons',
      dataVersion: 1,
      vendorId,
      subject: keyId,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(event.time).toISOString()).toBe(event.time);
  });

  it('refuses a payload that breaks its class, naming the field', () => {
    expect(() =>
      createEvent(LicenseGranted, {
        vendorId,
        subject: keyId,
        // @ts-expect-error: deliberately incomplete payload
        data: { licenseId: 'not-a-uuid', keyId },
      }),
    ).toThrow(/data\.licenseId/);
  });

  it('parses what it created, round-tripped through JSON', () => {
    const raw = JSON.parse(JSON.stringify(activation())) as unknown;
    const { definition, envelope } = parseEvent(raw);
    expect(definition).toBe(CouponActivated);
    expect(envelope.data).toMatchObject({ couponType: 'ADD_PRODUCT' });
  });

  it('rejects unknown types, wrong versions and bad nested grants', () => {
    const base = JSON.parse(JSON.stringify(activation())) as Record<string, unknown>;
    expect(() => parseEvent({ ...base, type: 'coupon.exploded' })).toThrow(EventValidationError);
    expect(() => parseEvent({ ...base, dataVersion: 2 })).toThrow(/dataVersion/);
    const data = base['data'] as Record<string, unknown>;
    expect(() => parseEvent({ ...base, data: { ...data, grants: [{ productCode: 'X' }] } })).toThrow(
      /grants\.0\.productId/,
    );
    expect(() => parseEvent('text')).toThrow(EventValidationError);
  });

  it('puts every event type on one of the four topics, once', () => {
    const types = EVENT_CATALOGUE.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const d of EVENT_CATALOGUE) expect(Object.values(Topics)).toContain(d.topic);
  });
});

describe('AsyncAPI catalogue', () => {
  it('is committed and matches the event classes (run `npm run generate` after a change)', () => {
    const committed = readFileSync(join(__dirname, '../../..', ASYNCAPI_PATH), 'utf8');
    expect(committed).toBe(renderAsyncApiDocument());
  });

  it('describes nested payloads and nullable fields', () => {
    const doc = JSON.parse(renderAsyncApiDocument()) as {
      components: { messages: Record<string, { payload: { properties: { data: any } } }> };
    };
    const data = doc.components.messages['couponActivated']!.payload.properties.data;
    expect(data.properties.grants.items.properties.productId).toEqual({
      type: 'string',
      format: 'uuid',
      description: 'Id of the product the grant is for.',
    });
    expect(data.properties.distributorId.type).toEqual(['string', 'null']);
    expect(data.required).toContain('keyCode');
  });
});
