import type { DataSource } from 'typeorm';
import { CouponDeactivated, createEvent, LicenseChecked, ProductCreated, ProductUpdated } from '@licensing/events';
import { EventConsumer, parseMessage } from './consumer';

function deactivationFixture() {
  const keyId = crypto.randomUUID();
  return createEvent(CouponDeactivated, {
    vendorId: crypto.randomUUID(),
    subject: keyId,
    data: {
      activationId: crypto.randomUUID(),
      couponId: crypto.randomUUID(),
      couponCode: 'DEMOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
      couponType: 'UPGRADE',
      keyId,
      keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
    },
  });
}

describe('parseMessage', () => {
  it('accepts a valid event', () => {
    const event = deactivationFixture();
    const parsed = parseMessage(JSON.stringify(event));
    expect(parsed.ok === true && parsed.envelope.id).toBe(event.id);
  });

  it('skips a catalogue type the consumer does not want without validating it; an unknown type stays invalid', () => {
    const event = deactivationFixture();
    const broken = { ...event, data: { couponCode: 42 } };
    const notWanted = () => true;
    expect(parseMessage(JSON.stringify(broken), notWanted)).toEqual({ ok: 'skipped' });
    expect(parseMessage(JSON.stringify(broken), () => false)).toMatchObject({ ok: false, eventId: event.id });
    const unknown = parseMessage(JSON.stringify({ ...event, type: 'nobody.knows' }), notWanted);
    expect(unknown).toMatchObject({ ok: false, eventType: 'nobody.knows' });
  });

  it('rejects non-JSON without quoting it', () => {
    const parsed = parseMessage('{"email": "alice@example.com" oops');
    expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/^not valid JSON/) });
    expect(JSON.stringify(parsed)).not.toContain('alice');
  });

  it('rejects an invalid payload, naming the field and keeping the event id', () => {
    const event = { ...deactivationFixture(), data: { couponCode: 'alice@example.com' } };
    const parsed = parseMessage(JSON.stringify(event));
    expect(parsed).toMatchObject({
      ok: false,
      eventId: event.id,
      eventType: 'coupon.deactivated',
      reason: expect.stringMatching(/data\.keyId/),
    });
    expect(JSON.stringify(parsed)).not.toContain('alice');
  });

  it('rejects unknown types, empty values and non-objects', () => {
    expect(parseMessage(JSON.stringify({ ...deactivationFixture(), type: 'coupon.teleported' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unknown event type/),
    });
    expect(parseMessage(undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(parseMessage('42')).toMatchObject({ ok: false });
    expect(parseMessage('null')).toMatchObject({ ok: false });
  });
});

describe('EventConsumer topics', () => {
  const consumer = (topics?: string[]) =>
    new EventConsumer({
      dataSource: {} as DataSource,
      settings: { brokers: [], clientId: 'c' },
      groupId: 'g',
      consumerName: 'c',
      ...(topics ? { topics } : {}),
    });
  const noop = async () => undefined;

  it('reads the topics of the event types it handles, each once, and no other', () => {
    const c = consumer().on(ProductUpdated, noop).on(LicenseChecked, noop).on(ProductCreated, noop);
    expect(c.topics).toEqual(['licensing.keys.v1', 'licensing.sessions.v1']);
    expect(consumer().on(CouponDeactivated, noop).topics).toEqual(['licensing.coupons.v1']);
  });

  it('reads the topics it is given instead, and refuses to start with none', async () => {
    expect(consumer(['licensing.keys.v1', 'licensing.coupons.v1']).on(CouponDeactivated, noop).topics).toEqual([
      'licensing.keys.v1',
      'licensing.coupons.v1',
    ]);
    await expect(consumer().start()).rejects.toThrow('no topics to consume');
  });
});
