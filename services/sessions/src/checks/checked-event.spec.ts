import { randomUUID } from 'node:crypto';
import { LicenseChecked, parseEvent } from '@licensing/events';
import { STANDING_REASONS } from '../read-model/license-standing';
import { LicenseCheckRecord } from './check.entity';
import { checkedEvent } from './checked-event';
import { uuidv7 } from './uuid-v7';

function record(overrides: Partial<LicenseCheckRecord>): LicenseCheckRecord {
  return {
    requestId: uuidv7(),
    vendorId: randomUUID(),
    keyId: randomUUID(),
    keyCode: 'PBX0-A1B2C-D3E4F-G5H6J-K7L8M',
    productId: randomUUID(),
    productCode: 'PBX-CORE',
    checkedAt: new Date('2026-08-07T10:30:00.123Z'),
    active: true,
    validUntil: new Date('2027-08-07T00:00:00.000Z'),
    reason: null,
    message: 'License active until 07.08.2027',
    ...overrides,
  };
}

describe('license.checked of a recorded check', () => {
  const answers: [string, Partial<LicenseCheckRecord>][] = [
    ['active until a date', {}],
    ['active for good', { validUntil: null }],
    ...STANDING_REASONS.map((reason): [string, Partial<LicenseCheckRecord>] => [
      `refused: ${reason}`,
      { active: false, validUntil: null, reason },
    ]),
  ];

  it.each(answers)('passes the event validation as it travels (%s)', (_, overrides) => {
    const check = record(overrides);
    const event = checkedEvent(check);
    // As a consumer reads it: JSON on the wire, the envelope and payload validated.
    const { definition, envelope } = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(definition).toBe(LicenseChecked);
    expect(envelope).toMatchObject({
      type: LicenseChecked.type,
      vendorId: check.vendorId,
      subject: check.keyId,
      time: '2026-08-07T10:30:00.123Z',
      data: {
        requestId: check.requestId,
        active: check.active,
        validUntil: check.validUntil?.toISOString() ?? null,
        reason: check.reason,
      },
    });
  });
});
