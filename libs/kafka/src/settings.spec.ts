import { baseTopicName, formatKafkaLog, topicName } from './settings';

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
