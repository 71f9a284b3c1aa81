import { logLevel } from 'kafkajs';
import { baseTopicName, formatKafkaLog, kafkaLogLevel, topicName } from './settings';

describe('topic names', () => {
  it('applies and removes the prefix', () => {
    const settings = { brokers: [], clientId: 'c', topicPrefix: 'test-1a2b.' };
    expect(topicName(settings, 'licensing.keys.v1')).toBe('test-1a2b.licensing.keys.v1');
    expect(baseTopicName(settings, 'test-1a2b.licensing.keys.v1')).toBe('licensing.keys.v1');
    expect(topicName({ brokers: [], clientId: 'c' }, 'licensing.keys.v1')).toBe('licensing.keys.v1');
    expect(baseTopicName({ brokers: [], clientId: 'c' }, 'licensing.keys.v1')).toBe('licensing.keys.v1');
  });
});

describe('formatKafkaLog', () => {
  it('keeps the message and safe fields, never other fields such as payloads', () => {
    const line = formatKafkaLog('ERROR', {
      message: 'Error when calling eachMessage',
      broker: '127.0.0.1:9092',
      topic: 'licensing.keys.v1',
      partition: 0,
      error: 'boom',
      value: 'alice@example.com',
      messages: [{ value: 'alice@example.com' }],
    });
    expect(line).toBe(
      'kafka ERROR: Error when calling eachMessage (boom) broker=127.0.0.1:9092 topic=licensing.keys.v1 partition=0',
    );
    expect(line).not.toContain('alice');
  });
});

describe('kafkaLogLevel', () => {
  const response = (error: string) => ({ message: 'Response ListOffsets(key: 2, version: 3)', error });

  it('logs a broker error kafkajs retries by itself as a warning', () => {
    expect(kafkaLogLevel(logLevel.ERROR, response('This server is not the leader for that topic-partition'))).toBe(
      'warn',
    );
    expect(kafkaLogLevel(logLevel.ERROR, response('This server does not host this topic-partition'))).toBe('warn');
  });

  it('logs a failed topic creation as a warning: ensureTopics looks again and reports failure itself', () => {
    expect(
      kafkaLogLevel(logLevel.ERROR, {
        message: 'Response CreateTopics(key: 19, version: 3)',
        error: 'Topic creation errors',
      }),
    ).toBe('warn');
  });

  it('keeps a broker error that is not retried, and every other error, at error', () => {
    expect(
      kafkaLogLevel(logLevel.ERROR, response('Not authorized to access topics: [Topic authorization failed]')),
    ).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded', error: 'x' })).toBe(
      'error',
    );
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Error when calling eachMessage', error: 'boom' })).toBe('error');
  });

  it('passes warnings and drops info and debug', () => {
    expect(kafkaLogLevel(logLevel.WARN, { message: 'w' })).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, { message: 'i' })).toBeUndefined();
    expect(kafkaLogLevel(logLevel.DEBUG, { message: 'd' })).toBeUndefined();
  });
});
