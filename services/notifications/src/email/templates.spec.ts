import { days, escapeHtml, renderEmail } from './templates';

const at = new Date('2026-12-30T10:00:00Z');

describe('e-mail templates', () => {
  const keyLetter = {
    message: 'KEY_LETTER' as const,
    vendorName: 'Acme <Soft>',
    keyCode: 'ACME-0A1B2-C3D4E-F5G6H-J7K8M',
    company: 'Client & Co',
    contactName: 'Ann',
    productName: 'PBX Server',
    trialEndsAt: at,
    cabinetUrl: 'https://cabinet.example',
  };

  it('the key letter in English: the key, the product, the trial end, how to log in', () => {
    const e = renderEmail(keyLetter, 'EN');
    expect(e.subject).toBe('Your Acme <Soft> license key');
    expect(e.text).toContain('ACME-0A1B2-C3D4E-F5G6H-J7K8M');
    expect(e.text).toContain('Product: PBX Server');
    expect(e.text).toContain('30 December 2026');
    expect(e.text).toContain('https://cabinet.example');
    expect(e.text).toMatch(/^Hello Ann,/);
    expect(e.html).toContain('<html lang="en">');
  });

  it('the key letter in Russian', () => {
    const e = renderEmail(keyLetter, 'RU');
    expect(e.subject).toBe('Ваш лицензионный ключ Acme <Soft>');
    expect(e.text).toContain('Здравствуйте, Ann!');
    expect(e.text).toContain('30 декабря 2026');
    expect(e.text).toContain('Сохраните это письмо');
    expect(e.html).toContain('<html lang="ru">');
  });

  it('escapes outside values in the HTML part only', () => {
    const e = renderEmail(keyLetter, 'EN');
    expect(e.html).toContain('Client &#38; Co');
    expect(e.html).toContain('Acme &#60;Soft&#62;');
    expect(e.html).not.toContain('<Soft>');
    expect(e.text).toContain('Client & Co');
    expect(escapeHtml(`"'`)).toBe('&#34;&#39;');
  });

  it('the coupon letter lists each grant with its term', () => {
    const e = renderEmail(
      {
        message: 'COUPON_ACTIVATED',
        vendorName: 'Acme',
        keyCode: 'K',
        couponCode: 'ACMEUPD-1',
        activatedAt: at,
        grants: [
          { productName: 'PBX', periodDays: 365, seats: 2 },
          { productName: 'CRM', trialDays: 14 },
          { productName: 'Fax' },
        ],
      },
      'EN',
    );
    expect(e.subject).toBe('Coupon ACMEUPD-1 activated');
    expect(e.text).toContain('- PBX: for 365 days, until 30 December 2027');
    expect(e.text).toContain('seats: 2');
    expect(e.text).toContain('- CRM: trial: 14 days');
    expect(e.text).toContain('- Fax: perpetual');
  });

  it('expiry letters in both languages, trial or license', () => {
    const base = { vendorName: 'Acme', keyCode: 'K', productName: 'PBX', expiresAt: at };
    expect(renderEmail({ message: 'LICENSE_EXPIRING', ...base, trial: false, daysLeft: 7 }, 'EN').subject).toBe(
      'PBX: license expires in 7 days',
    );
    expect(renderEmail({ message: 'LICENSE_EXPIRING', ...base, trial: true, daysLeft: 1 }, 'RU').subject).toBe(
      'PBX: лицензия истекает через 1 день',
    );
    expect(renderEmail({ message: 'LICENSE_EXPIRED', ...base, trial: true }, 'RU').text).toContain(
      'Пробный период PBX на ключе K истёк',
    );
    expect(renderEmail({ message: 'LICENSE_EXPIRED', ...base, trial: false }, 'EN').text).toContain(
      'The license of PBX on key K expired',
    );
  });

  it('the endpoint-disabled letter to a vendor’s owner, both causes, both languages, signed by the platform', () => {
    const letter = {
      message: 'WEBHOOK_ENDPOINT_DISABLED' as const,
      vendorName: 'Licensing',
      ownerVendorName: 'Acme <Soft>',
      ownerName: 'Olga',
      url: 'https://hooks.acme.example/in?a=1&b=2',
      cause: 'EXHAUSTED' as const,
      attempts: 17,
      lastError: 'the endpoint answered 503',
      disabledAt: at,
    };
    const en = renderEmail(letter, 'EN');
    expect(en.subject).toBe('Webhook endpoint disabled');
    expect(en.text).toMatch(/^Hello Olga,/);
    expect(en.text).toContain('https://hooks.acme.example/in?a=1&b=2');
    expect(en.text).toContain('A webhook endpoint of Acme <Soft> was disabled on 30 December 2026');
    expect(en.text).toContain('deliveries kept failing for about a day (17 attempts)');
    expect(en.text).toContain('Last error: the endpoint answered 503');
    expect(en.text).toContain('updateWebhookEndpoint');
    expect(en.text).toMatch(/Kind regards,\nLicensing\n$/);
    expect(en.html).toContain('https://hooks.acme.example/in?a=1&#38;b=2');
    const ru = renderEmail({ ...letter, cause: 'GONE', lastError: null }, 'RU');
    expect(ru.subject).toBe('Вебхук отключён');
    expect(ru.text).toContain('Здравствуйте, Olga!');
    expect(ru.text).toContain('он ответил 410 Gone');
    expect(ru.text).toContain('30 декабря 2026');
    expect(ru.text).not.toContain('Последняя ошибка');
    expect(ru.html).toContain('<html lang="ru">');
  });

  it('counts days in Russian', () => {
    expect([1, 2, 5, 11, 21, 22, 25, 111, 112].map((n) => days(n, 'RU'))).toEqual([
      '1 день',
      '2 дня',
      '5 дней',
      '11 дней',
      '21 день',
      '22 дня',
      '25 дней',
      '111 дней',
      '112 дней',
    ]);
  });
});
