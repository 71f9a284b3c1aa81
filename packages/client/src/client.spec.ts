import { parseDuration } from './cli';
import { lostReasonOf, vendorPrefixOf } from './client';
import { errorFromAnswer, LicensingError, SdkErrorCode } from './errors';

describe('client rules', () => {
  it('reads the vendor prefix of a key as typed', () => {
    expect(vendorPrefixOf(' acme-1234-5678 ')).toBe('ACME');
    expect(vendorPrefixOf('a c m e 12')).toBe('ACME');
  });

  it('maps the platform’s refusals to the lost reasons', () => {
    const ended = (reason: string) => errorFromAnswer(410, { error: { code: 'SESSION_ENDED', message: 'x', reason } });
    expect(lostReasonOf(ended('TERMINATED'))?.reason).toBe('terminated');
    expect(lostReasonOf(ended('EXPIRED'))?.reason).toBe('expired');
    expect(lostReasonOf(ended('SEATS_REDUCED'))?.reason).toBe(1051);
    expect(lostReasonOf(ended('LICENSE_INACTIVE'))?.reason).toBe(2008);
    const notInForce = errorFromAnswer(403, {
      error: { code: 'LICENSE_NOT_ON_KEY', licensingCode: 2008, message: 'x', reason: 'EXPIRED' },
    });
    expect(notInForce).toMatchObject({ licensingCode: 2008, reason: 'EXPIRED', status: 403, retriable: false });
    expect(lostReasonOf(notInForce)).toEqual({ reason: 2008, code: 'LICENSE_NOT_ON_KEY', detail: 'EXPIRED' });
    // Outages and overload are retried, never a loss.
    expect(lostReasonOf(errorFromAnswer(503, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'x' } }))).toBe(
      undefined,
    );
    expect(lostReasonOf(new LicensingError(SdkErrorCode.NETWORK_ERROR, 'down', { retriable: true }))).toBe(undefined);
  });

  it('keeps the extra fields of an error answer (seats of 1051) and refuses a body without error', () => {
    const e = errorFromAnswer(409, { error: { code: 'NO_FREE_LICENSE', licensingCode: 1051, message: 'm', seats: 1 } });
    expect(e).toMatchObject({ code: 'NO_FREE_LICENSE', licensingCode: 1051, extra: { seats: 1 } });
    expect(errorFromAnswer(502, 'oops')).toMatchObject({ code: SdkErrorCode.BAD_RESPONSE, retriable: true });
  });

  it('parses hold durations', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('3')).toBe(3_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });
});
