import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { DomainError } from '@licensing/graphql';
import { ChecksModule } from '../src/checks/checks.module';
import { ChecksService } from '../src/checks/checks.service';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsTestbed, TestVendor } from './sessions-testbed';

/** License checks recorded under request ids, against a real database and Redis. */
describe('license checks', () => {
  let testbed: SessionsTestbed;
  let checks: ChecksService;
  let acme: TestVendor;
  let globex: TestVendor;

  async function refusal(call: Promise<unknown>): Promise<string> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return error.code;
  }

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_checks', [ChecksModule], [ReadModelHandler]);
    checks = testbed.get(ChecksService);
    acme = await testbed.vendor('ACME', { DESK: 'CONCURRENT_SESSIONS' });
    globex = await testbed.vendor('GLBX', { DESK: 'CONCURRENT_SESSIONS' });
  });

  afterAll(() => testbed?.close());

  it('records every answer with its event, and only the key’s vendor finds it', async () => {
    const key = await testbed.key(acme);
    const refused = await checks.check({ keyCode: key.code, productCode: 'DESK' });
    await testbed.grant(acme, key, 'DESK', { expiresAt: new Date(Date.UTC(2030, 7, 7, 9)).toISOString() });
    const granted = await checks.check({ keyCode: key.code.toLowerCase(), productCode: 'DESK' });
    expect(refused).toMatchObject({ active: false, reason: 'NO_LICENSE', keyCode: key.code });
    expect(granted).toMatchObject({ active: true, reason: null, message: 'License active until 07.08.2030' });
    expect(granted.requestId > refused.requestId).toBe(true);

    // The answer is signed; the record looked up later is the same answer without the signature.
    expect(granted.signature).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await checks.findById(acme.id, granted.requestId)).toEqual({ ...granted, signature: null });
    expect(await refusal(checks.findById(globex.id, granted.requestId))).toBe('NOT_FOUND');
    expect(await refusal(checks.findById(acme.id, 'not-an-id'))).toBe('BAD_USER_INPUT');
    expect(await refusal(checks.findById(acme.id, randomUUID()))).toBe('NOT_FOUND');

    const events = await rows<{ data: Record<string, unknown> }>(
      testbed.dataSource,
      `SELECT payload->'data' AS data FROM outbox WHERE event_type = 'license.checked' AND payload->>'subject' = $1
        ORDER BY created_at`,
      [key.keyId],
    );
    expect(events.map((e) => e.data)).toEqual([
      {
        requestId: refused.requestId,
        keyCode: key.code,
        productCode: 'DESK',
        active: false,
        validUntil: null,
        reason: 'NO_LICENSE',
      },
      {
        requestId: granted.requestId,
        keyCode: key.code,
        productCode: 'DESK',
        active: true,
        validUntil: '2030-08-07T09:00:00.000Z',
        reason: null,
      },
    ]);
  });

  it('records nothing for a key or product it does not know', async () => {
    const before = await rows<{ n: number }>(testbed.dataSource, 'SELECT count(*)::int AS n FROM license_checks');
    expect(await refusal(checks.check({ keyCode: 'ACME-00000-00000-00000-00000', productCode: 'DESK' }))).toBe(
      'NOT_FOUND',
    );
    expect(await refusal(checks.check({ keyCode: (await testbed.key(acme)).code, productCode: 'NOPE' }))).toBe(
      'NOT_FOUND',
    );
    expect(await refusal(checks.check({ keyCode: 'garbage', productCode: 'DESK' }))).toBe('BAD_USER_INPUT');
    const after = await rows<{ n: number }>(testbed.dataSource, 'SELECT count(*)::int AS n FROM license_checks');
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
