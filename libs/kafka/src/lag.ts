import { Admin } from 'kafkajs';
import { baseTopicName, createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';

/** How far a consumer group is behind on one partition. */
export interface PartitionLag {
  /** Base topic name (without the settings' prefix). */
  topic: string;
  partition: number;
  /** Messages published but not yet committed by the group (the end offset when it never committed). */
  lag: number;
}

/**
 * Reads a consumer group's lag from the broker: the end offset of every partition of its
 * topics minus the offset the group committed there. Two admin requests per topic; meant for
 * a metrics scrape, not for a hot path. One admin connection is kept open until close().
 */
export class ConsumerLagProbe {
  private admin?: Admin;
  private connecting?: Promise<Admin>;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly logger: MessagingLogger = console,
  ) {}

  async read(): Promise<PartitionLag[]> {
    const admin = await this.connect();
    const groupId = topicName(this.settings, this.groupId);
    const full = this.topics.map((t) => topicName(this.settings, t));
    const committed = await admin.fetchOffsets({ groupId, topics: full });
    const ends = await Promise.all(
      committed.map(
        async ({ topic }) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])),
      ),
    );
    const result: PartitionLag[] = [];
    for (const [i, { topic, partitions }] of committed.entries()) {
      for (const { partition, offset } of partitions) {
        const end = ends[i]?.get(partition) ?? 0;
        const at = Number(offset) < 0 ? 0 : Number(offset);
        result.push({ topic: baseTopicName(this.settings, topic), partition, lag: Math.max(0, end - at) });
      }
    }
    return result;
  }

  async close(): Promise<void> {
    const admin = this.admin ?? (await this.connecting?.catch(() => undefined));
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private connect(): Promise<Admin> {
    if (this.admin) return Promise.resolve(this.admin);
    this.connecting ??= (async () => {
      const admin = createKafkaClient({ ...this.settings, clientId: `${this.settings.clientId}-lag` }, this.logger, {
        retries: 1,
        initialRetryTime: 200,
        maxRetryTime: 1_000,
      }).admin();
      try {
        await admin.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }
}
