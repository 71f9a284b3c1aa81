import { Language } from '../settings/settings.entity';

/*
 * The e-mails' texts, in English and Russian, as plain functions: each message is rendered
 * once, when it is claimed, and stored with its row, so a retry sends exactly what was decided.
 * Every value that comes from outside is escaped in the HTML part.
 */

export const EMAIL_MESSAGES = [
  'KEY_LETTER',
  'COUPON_ACTIVATED',
  'LICENSE_EXPIRING',
  'LICENSE_EXPIRED',
  'WEBHOOK_ENDPOINT_DISABLED',
] as const;
export type EmailMessage = (typeof EMAIL_MESSAGES)[number];

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface KeyLetter {
  message: 'KEY_LETTER';
  vendorName: string;
  keyCode: string;
  company: string;
  contactName?: string | null;
  /** The product registered; absent for a key issued in the cabinet. */
  productName?: string | null;
  trialEndsAt?: Date | null;
  /** Where the client cabinet is; the key is the login. */
  cabinetUrl: string;
}

export interface GrantLine {
  productName: string;
  periodDays?: number | null;
  seats?: number | null;
  trialDays?: number | null;
}

export interface CouponActivatedLetter {
  message: 'COUPON_ACTIVATED';
  vendorName: string;
  keyCode: string;
  couponCode: string;
  grants: GrantLine[];
  activatedAt: Date;
}

export interface LicenseExpiringLetter {
  message: 'LICENSE_EXPIRING';
  vendorName: string;
  keyCode: string;
  productName: string;
  trial: boolean;
  expiresAt: Date;
  daysLeft: number;
}

export interface LicenseExpiredLetter {
  message: 'LICENSE_EXPIRED';
  vendorName: string;
  keyCode: string;
  productName: string;
  trial: boolean;
  expiresAt: Date;
}

/** To a vendor's owners, from the platform: an endpoint of theirs was disabled for failing. */
export interface EndpointDisabledLetter {
  message: 'WEBHOOK_ENDPOINT_DISABLED';
  /** Here the platform's name: it signs the letter. */
  vendorName: string;
  /** The vendor whose endpoint it is. */
  ownerVendorName: string;
  ownerName?: string | null;
  url: string;
  /** GONE: the endpoint answered 410; EXHAUSTED: a day of failed retries. */
  cause: 'GONE' | 'EXHAUSTED';
  attempts: number;
  lastError: string | null;
  disabledAt: Date;
}

export type Letter =
  KeyLetter | CouponActivatedLetter | LicenseExpiringLetter | LicenseExpiredLetter | EndpointDisabledLetter;

/** A letter before the vendor's name is known. */
export type UnsignedLetter = Letter extends infer L ? (L extends Letter ? Omit<L, 'vendorName'> : never) : never;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatDate(at: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'RU' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(at);
}

const DAY = 86_400_000;

/** "1 day", "7 days"; "1 день", "3 дня", "7 дней". */
export function days(n: number, language: Language): string {
  if (language === 'EN') return `${n} ${n === 1 ? 'day' : 'days'}`;
  const mod10 = n % 10;
  const mod100 = n % 100;
  const word =
    mod10 === 1 && mod100 !== 11 ? 'день' : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? 'дня' : 'дней';
  return `${n} ${word}`;
}

/** One paragraph per entry; a paragraph's lines are joined by line breaks. */
interface Body {
  greeting: string;
  paragraphs: string[][];
  /** The value the letter is about (the key), shown prominently. */
  highlight?: string;
  signature: string;
}

function toText(body: Body): string {
  const parts = [body.greeting];
  if (body.highlight) parts.push(`    ${body.highlight}`);
  parts.push(...body.paragraphs.map((lines) => lines.join('\n')), body.signature);
  return `${parts.join('\n\n')}\n`;
}

function toHtml(body: Body, language: Language): string {
  const paragraphs = body.paragraphs.map((lines) => `<p>${lines.map(escapeHtml).join('<br>')}</p>`).join('\n');
  const highlight = body.highlight
    ? `<p style="font-family: monospace; font-size: 18px; letter-spacing: 1px"><strong>${escapeHtml(body.highlight)}</strong></p>\n`
    : '';
  return (
    `<!DOCTYPE html>\n<html lang="${language.toLowerCase()}"><head><meta charset="utf-8"></head>\n` +
    `<body style="font-family: Arial, sans-serif; line-height: 1.5">\n<p>${escapeHtml(body.greeting)}</p>\n` +
    `${highlight}${paragraphs}\n<p>${escapeHtml(body.signature)}</p>\n</body></html>\n`
  );
}

function greeting(name: string | null | undefined, language: Language): string {
  const who = name?.trim();
  if (language === 'RU') return who ? `Здравствуйте, ${who}!` : 'Здравствуйте!';
  return who ? `Hello ${who},` : 'Hello,';
}

function signature(vendorName: string, language: Language): string {
  return language === 'RU' ? `С уважением, ${vendorName}` : `Kind regards,\n${vendorName}`;
}

function grantLine(g: GrantLine, at: Date, language: Language): string {
  const ru = language === 'RU';
  const parts: string[] = [];
  if (g.trialDays)
    parts.push(ru ? `пробный период: ${days(g.trialDays, language)}` : `trial: ${days(g.trialDays, language)}`);
  if (g.periodDays) {
    const until = formatDate(new Date(at.getTime() + g.periodDays * DAY), language);
    parts.push(
      ru ? `на ${days(g.periodDays, language)}, до ${until}` : `for ${days(g.periodDays, language)}, until ${until}`,
    );
  } else if (!g.trialDays) {
    parts.push(ru ? 'бессрочно' : 'perpetual');
  }
  if (g.seats) parts.push(ru ? `мест: ${g.seats}` : `seats: ${g.seats}`);
  return `- ${g.productName}: ${parts.join(', ')}`;
}

function bodyOf(letter: Letter, language: Language): { subject: string; body: Body } {
  const ru = language === 'RU';
  const sign = signature(letter.vendorName, language);
  switch (letter.message) {
    case 'KEY_LETTER': {
      const about: string[] = [];
      if (letter.productName) about.push(ru ? `Продукт: ${letter.productName}` : `Product: ${letter.productName}`);
      if (letter.trialEndsAt)
        about.push(
          ru
            ? `Пробный период действует до ${formatDate(letter.trialEndsAt, language)}.`
            : `Your trial runs until ${formatDate(letter.trialEndsAt, language)}.`,
        );
      about.push(ru ? `Компания: ${letter.company}` : `Company: ${letter.company}`);
      return {
        subject: ru ? `Ваш лицензионный ключ ${letter.vendorName}` : `Your ${letter.vendorName} license key`,
        body: {
          greeting: greeting(letter.contactName, language),
          highlight: letter.keyCode,
          paragraphs: [
            [ru ? 'Это ваш лицензионный ключ. Сохраните это письмо.' : 'This is your license key. Keep this letter.'],
            about,
            [
              ru
                ? `Чтобы войти в кабинет клиента, откройте ${letter.cabinetUrl} и введите этот ключ: он и есть ваш логин.`
                : `To log in to the client cabinet, open ${letter.cabinetUrl} and enter this key: it is your login.`,
            ],
          ],
          signature: sign,
        },
      };
    }
    case 'COUPON_ACTIVATED':
      return {
        subject: ru ? `Купон ${letter.couponCode} активирован` : `Coupon ${letter.couponCode} activated`,
        body: {
          greeting: greeting(null, language),
          highlight: letter.keyCode,
          paragraphs: [
            [
              ru
                ? `Купон ${letter.couponCode} активирован на ключе ${letter.keyCode}. Он даёт:`
                : `Coupon ${letter.couponCode} was activated on key ${letter.keyCode}. It grants:`,
              ...letter.grants.map((g) => grantLine(g, letter.activatedAt, language)),
            ],
          ],
          signature: sign,
        },
      };
    case 'LICENSE_EXPIRING': {
      const what = letter.trial
        ? ru
          ? `Пробный период ${letter.productName}`
          : `The trial of ${letter.productName}`
        : ru
          ? `Лицензия ${letter.productName}`
          : `The license of ${letter.productName}`;
      return {
        subject: ru
          ? `${letter.productName}: лицензия истекает через ${days(letter.daysLeft, language)}`
          : `${letter.productName}: license expires in ${days(letter.daysLeft, language)}`,
        body: {
          greeting: greeting(null, language),
          highlight: letter.keyCode,
          paragraphs: [
            [
              ru
                ? `${what} на ключе ${letter.keyCode} истекает ${formatDate(letter.expiresAt, language)} (через ${days(letter.daysLeft, language)}).`
                : `${what} on key ${letter.keyCode} expires on ${formatDate(letter.expiresAt, language)} (in ${days(letter.daysLeft, language)}).`,
              ru
                ? `Чтобы продлить, обратитесь к ${letter.vendorName} или вашему партнёру.`
                : `To renew, contact ${letter.vendorName} or your reseller.`,
            ],
          ],
          signature: sign,
        },
      };
    }
    case 'LICENSE_EXPIRED': {
      const what = letter.trial
        ? ru
          ? `Пробный период ${letter.productName}`
          : `The trial of ${letter.productName}`
        : ru
          ? `Лицензия ${letter.productName}`
          : `The license of ${letter.productName}`;
      return {
        subject: ru ? `${letter.productName}: лицензия истекла` : `${letter.productName}: license expired`,
        body: {
          greeting: greeting(null, language),
          highlight: letter.keyCode,
          paragraphs: [
            [
              ru
                ? `${what} на ключе ${letter.keyCode} ${letter.trial ? 'истёк' : 'истекла'} ${formatDate(letter.expiresAt, language)}.`
                : `${what} on key ${letter.keyCode} expired on ${formatDate(letter.expiresAt, language)}.`,
              ru
                ? `Чтобы продлить, обратитесь к ${letter.vendorName} или вашему партнёру.`
                : `To renew, contact ${letter.vendorName} or your reseller.`,
            ],
          ],
          signature: sign,
        },
      };
    }
    case 'WEBHOOK_ENDPOINT_DISABLED': {
      const why =
        letter.cause === 'GONE'
          ? ru
            ? 'он ответил 410 Gone (адрес больше не принимает доставки)'
            : 'it answered 410 Gone (the address no longer takes deliveries)'
          : ru
            ? `доставки не удавались около суток (попыток: ${letter.attempts})`
            : `deliveries kept failing for about a day (${letter.attempts} attempts)`;
      const lines = [
        ru
          ? `Вебхук ${letter.ownerVendorName} отключён ${formatDate(letter.disabledAt, language)}: ${why}.`
          : `A webhook endpoint of ${letter.ownerVendorName} was disabled on ${formatDate(letter.disabledAt, language)}: ${why}.`,
      ];
      if (letter.lastError)
        lines.push(ru ? `Последняя ошибка: ${letter.lastError}` : `Last error: ${letter.lastError}`);
      return {
        subject: ru ? 'Вебхук отключён' : 'Webhook endpoint disabled',
        body: {
          greeting: greeting(letter.ownerName, language),
          highlight: letter.url,
          paragraphs: [
            lines,
            [
              ru
                ? 'Новые события на этот адрес не отправляются. Исправьте приёмник и включите вебхук в кабинете (updateWebhookEndpoint, enabled: true); неудавшиеся доставки можно отправить снова (redeliverWebhook).'
                : 'No new events go to it. Fix the receiver, then enable the endpoint in the cabinet (updateWebhookEndpoint, enabled: true); failed deliveries can be sent again (redeliverWebhook).',
            ],
          ],
          signature: sign,
        },
      };
    }
  }
}

/** The subject, text and HTML of a letter in a language. */
export function renderEmail(letter: Letter, language: Language): RenderedEmail {
  const { subject, body } = bodyOf(letter, language);
  return { subject, text: toText(body), html: toHtml(body, language) };
}
