import { rateLimitHeaders } from './rate-limit-headers';

describe('rateLimitHeaders', () => {
  it('says nothing remains until the reset, rounded up to whole seconds', () => {
    expect(rateLimitHeaders(10, 12.2)).toEqual({
      'ratelimit-limit': '10',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '13',
      'retry-after': '13',
    });
    expect(rateLimitHeaders(undefined, 0)).toEqual({
      'ratelimit-remaining': '0',
      'ratelimit-reset': '1',
      'retry-after': '1',
    });
  });
});
