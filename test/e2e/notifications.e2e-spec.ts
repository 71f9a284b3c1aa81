import { randomUUID } from 'node:crypto';
import { eventually } from '@licensing/testing';
import { SmtpReceiver } from '../../services/notifications/test/smtp-receiver';
import { contractOperation } from '../support/contract';
import { GraphQLResponse, startTestStack, TestStack } from '../support/stack';

const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

const SEND_KEY_LETTER = `mutation SendKeyLetter($keyId: ID!) {
  sendKeyLetter(keyId: $keyId) { id channel type message recipient status }
}`;
const SETTINGS = 'query NotificationSettings { notificationSettings { language } }';
const UPDATE_SETTINGS = `mutation UpdateNotificationSettings($input: UpdateNotificationSettingsInput!) {
  updateNotificationSettings(input: $input) { language }
}`;

describe('e-mails through the gateway to a real SMTP receiver', () => {
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  const register = (email: string) =>
    call('Register', {
      input: {
        vendorPrefix: 'acme',
        productCode: 'PBX',
        company: `Registered ${randomUUID().slice(0, 6)}`,
        contactName: 'Rita',
        phone: '+1 555',
        email,
        host: {
          fingerprint: `fp-${randomUUID()}`,
          name: 'PC-1',
          os: 'Windows 11',
          ip: '10.0.0.5',
          platformVersion: '8.3',
        },
      },
    });

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    stack = await startTestStack({ notifications: { SMTP_PORT: String(smtp.port), MAIL_POLL_MS: '100' } });
    const vendor = async (prefix: string, name: string) => {
      const res = await call('CreateVendor', { input: { prefix, name } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    [acme, globex] = await Promise.all([vendor('ACME', 'Acme Software'), vendor('GLBX', 'Globex')]);
    await call(
      'CreateProduct',
      { input: { code: 'PBX', name: 'PBX Server', licenseModel: 'HOST_BINDING', trialDays: 30 } },
      acme.apiKey,
    );
  });

  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  it('a registration through the gateway mails its key letter; Notifications shows it to its vendor only', async () => {
    const res = await register('rita@registered.test');
    expect(res.errors).toBeUndefined();
    const code = res.data!['register'].licenseKey.code as string;
    const [mail] = await smtp.waitFor('rita@registered.test');
    expect(mail!.from?.value[0]?.name).toBe('Acme Software');
    expect(mail!.subject).toBe('Your Acme Software license key');
    expect(mail!.text).toContain(code);
    expect(mail!.text).toContain('Product: PBX Server');

    const listed = await eventually(
      async () => {
        const r = await call('Notifications', { keyCode: code, first: 10 }, acme.apiKey);
        const rows = (r.data?.['notifications'] ?? []) as { status: string }[];
        return rows.length === 1 && rows[0]!.status === 'SENT' && rows;
      },
      { what: 'the letter listed as SENT' },
    );
    expect(listed[0]).toMatchObject({ channel: 'EMAIL', type: 'key.registered', recipient: 'rita@registered.test' });

    const foreign = await call('Notifications', { keyCode: code }, globex.apiKey);
    expect(errorOf(foreign)).toMatchObject({ code: 'NOT_FOUND', field: 'keyCode' });
    const anonymous = await call('Notifications', { keyCode: code });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('a key created in the cabinet is mailed only when the vendor asks, and only by its vendor', async () => {
    const created = await call(
      'CreateLicenseKey',
      { input: { client: { company: 'Cabinet Client', contactName: 'Carl', email: 'carl@cabinet.test' } } },
      acme.apiKey,
    );
    const key = created.data!['createLicenseKey'] as { id: string; code: string };
    // Wait until the notifications service knows the key; no letter went out by itself.
    const sent = await eventually(
      async () => {
        const r = await stack.call(SEND_KEY_LETTER, { keyId: key.id }, globex.apiKey);
        if (errorOf(r)['code'] !== 'NOT_FOUND') throw new Error('another vendor got past the key');
        const mine = await stack.call(SEND_KEY_LETTER, { keyId: key.id }, acme.apiKey);
        return mine.data?.['sendKeyLetter'] as Record<string, string> | undefined;
      },
      { what: 'the key known to notifications' },
    );
    expect(sent).toMatchObject({
      channel: 'EMAIL',
      type: 'key.created',
      message: 'KEY_LETTER',
      recipient: 'carl@cabinet.test',
    });
    const [mail] = await smtp.waitFor('carl@cabinet.test');
    expect(mail!.text).toContain(key.code);
    expect(mail!.text).toContain('Hello Carl,');
    const again = await stack.call(SEND_KEY_LETTER, { keyId: key.id }, acme.apiKey);
    expect(again.data!['sendKeyLetter'].id).toBe(sent['id']);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to('carl@cabinet.test')).toHaveLength(1);
  });

  it('the vendor’s owner sets Russian; the next letter is in Russian', async () => {
    expect((await stack.call(SETTINGS, {}, acme.apiKey)).data!['notificationSettings']).toEqual({ language: 'EN' });
    const bad = await stack.call(UPDATE_SETTINGS, { input: { language: 'DE' } }, acme.apiKey);
    expect(bad.errors?.length).toBeGreaterThan(0);
    const set = await stack.call(UPDATE_SETTINGS, { input: { language: 'RU' } }, acme.apiKey);
    expect(set.data!['updateNotificationSettings']).toEqual({ language: 'RU' });
    // Another vendor's setting is its own.
    expect((await stack.call(SETTINGS, {}, globex.apiKey)).data!['notificationSettings']).toEqual({ language: 'EN' });
    const res = await register('olga@registered.test');
    const code = res.data!['register'].licenseKey.code as string;
    const [mail] = await smtp.waitFor('olga@registered.test');
    expect(mail!.subject).toBe('Ваш лицензионный ключ Acme Software');
    expect(mail!.text).toContain('Здравствуйте, Rita!');
    expect(mail!.text).toContain(code);
  });
});
