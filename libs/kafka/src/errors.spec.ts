import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { describeError, isBrokerUnavailable } from './errors';

describe('isBrokerUnavailable', () => {
  it('sees a connection failure through kafkajs retry wrappers', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    expect(isBrokerUnavailable(cause)).toBe(true);
    expect(isBrokerUnavailable(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 2, retryTime: 100 }))).toBe(
      true,
    );
  });

  it('treats cluster-state protocol errors as unavailability', () => {
    expect(isBrokerUnavailable({ name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', message: 'x' })).toBe(
      true,
    );
    expect(isBrokerUnavailable({ name: 'KafkaJSProtocolError', type: 'NOT_ENOUGH_REPLICAS', message: 'x' })).toBe(true);
  });

  it('treats network error codes on plain errors as unavailability', () => {
    expect(isBrokerUnavailable(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isBrokerUnavailable(new Error('getaddrinfo ENOTFOUND kafka'))).toBe(true);
  });

  it("blames the message for errors of the message's own", () => {
    // The shape kafkajs throws for a topic name the broker rejects.
    const invalidTopic = Object.assign(new Error('invalid topic'), {
      name: 'KafkaJSProtocolError',
      type: 'INVALID_TOPIC_EXCEPTION',
    });
    expect(isBrokerUnavailable(new KafkaJSNonRetriableError(invalidTopic))).toBe(false);
    const tooLarge = { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', message: 'too large' };
    expect(isBrokerUnavailable(tooLarge)).toBe(false);
    const unknownTopic = { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'not hosted' };
    expect(
      isBrokerUnavailable({
        name: 'KafkaJSNumberOfRetriesExceeded',
        message: 'not hosted',
        originalError: unknownTopic,
      }),
    ).toBe(false);
    expect(isBrokerUnavailable(new Error('something else'))).toBe(false);
    expect(isBrokerUnavailable(undefined)).toBe(false);
    expect(isBrokerUnavailable('ECONNREFUSED as a string is not an error object')).toBe(false);
  });

  it('does not loop on a cyclic cause chain', () => {
    const a: { name: string; message: string; cause?: unknown } = { name: 'Error', message: 'a' };
    a.cause = a;
    expect(isBrokerUnavailable(a)).toBe(false);
  });
});

describe('describeError', () => {
  it('gives one line, cut to length', () => {
    expect(describeError(new TypeError('bad\n  thing'))).toBe('TypeError: bad thing');
    expect(describeError('x'.repeat(50), 10)).toHaveLength(10);
  });
});
