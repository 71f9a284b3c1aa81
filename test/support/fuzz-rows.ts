import { Admin, AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/**
 * Row counts of every table of every database, keyed `database.table`, and the work still
 * under way there (`outbox(pending)`, or what a database's `busy` queries count).
 */
export type RowCounts = Map<string, number>;

interface CountedDatabase {
  name: string;
  client: Client;
  sql: string;
}

/** The consumer groups of a stack, to tell whether they have consumed everything published. */
export interface KafkaWatch {
  brokers: string[];
  /** The stack's topic prefix; every consumer group of the stack is named with it too. */
  topicPrefix: string;
  /** Base topic names (the prefix is applied). */
  topics: readonly string[];
  /**
   * Base names of the groups that must be watched even before they show up on the broker
   * (one that has not joined yet is behind by everything published). Any other group with
   * the prefix is watched as soon as the broker lists it.
   */
  groups: readonly string[];
}

export interface RowCounterOptions {
  /**
   * `database.table` names not counted. The settle makes late writes of consumers land
   * before a count, so this is for tables written on a timer (nothing here waits for those).
   */
  ignored?: ReadonlySet<string>;
  /**
   * Work a database still has under way that will write rows, beside the outbox's pending
   * rows: `{ label, sql }` with the sql answering one row `n`. Counted as `database.label`;
   * the settle waits until every such count is 0.
   */
  busy?: Record<string, { label: string; sql: string }[]>;
  /** Without it, the settle cannot see consumers and only waits for the outboxes. */
  kafka?: KafkaWatch;
}

/** The settle did not reach rest in time: what was still moving. */
export class NotSettledError extends Error {
  constructor(timeoutMs: number, reason: string) {
    super(`the stack did not come to rest within ${timeoutMs} ms: ${reason}`);
    this.name = 'NotSettledError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads, from the broker, whether every consumer group of a stack has committed the end
 * offset of every partition of the stack's topics (kafkajs commits an offset only after the
 * handler's transaction committed, so a group at the end has written all it will write for
 * what was published).
 */
class ConsumerWatch {
  private constructor(
    private readonly admin: Admin,
    private readonly watch: KafkaWatch,
  ) {}

  static async connect(watch: KafkaWatch): Promise<ConsumerWatch> {
    const admin = new Kafka({
      clientId: `fuzz-settle-${process.pid}`,
      brokers: watch.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    return new ConsumerWatch(admin, watch);
  }

  private get topics(): string[] {
    return this.watch.topics.map((t) => `${this.watch.topicPrefix}${t}`);
  }

  /** Every partition's end offset, as one comparable string. */
  async ends(): Promise<{ key: string; ends: Map<string, number> }> {
    const ends = new Map<string, number>();
    await Promise.all(
      this.topics.map(async (topic) => {
        for (const p of await this.admin.fetchTopicOffsets(topic)) ends.set(`${topic}[${p.partition}]`, Number(p.high));
      }),
    );
    const key = [...ends]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}=${n}`)
      .join(',');
    return { key, ends };
  }

  /**
   * The end offsets, and the groups behind them (`group topic[partition] behind by n`); none
   * when every group has consumed everything published up to those offsets.
   */
  async lag(): Promise<{ endsKey: string; behind: string[] }> {
    const [{ key, ends }, listed] = await Promise.all([this.ends(), this.admin.listGroups()]);
    const prefix = this.watch.topicPrefix;
    const groups = new Set([
      ...this.watch.groups.map((g) => `${prefix}${g}`),
      ...listed.groups
        .filter((g) => g.groupId.startsWith(prefix) && g.protocolType === 'consumer')
        .map((g) => g.groupId),
    ]);
    // A group reads the topics its members subscribed to (each service only those of the events
    // it handles); one without members yet is watched on every topic, behind by all published.
    const described = await this.admin.describeGroups([...groups]);
    const subscribed = new Map<string, string[]>();
    for (const group of described.groups) {
      const topics = new Set<string>();
      for (const member of group.members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        for (const topic of metadata?.topics ?? []) topics.add(topic);
      }
      if (topics.size)
        subscribed.set(
          group.groupId,
          this.topics.filter((t) => topics.has(t)),
        );
    }
    const behind: string[] = [];
    await Promise.all(
      [...groups].map(async (groupId) => {
        const committed = await this.admin.fetchOffsets({ groupId, topics: subscribed.get(groupId) ?? this.topics });
        for (const { topic, partitions } of committed) {
          for (const { partition, offset } of partitions) {
            const end = ends.get(`${topic}[${partition}]`) ?? 0;
            const at = Math.max(0, Number(offset));
            if (at < end)
              behind.push(
                `${groupId.slice(prefix.length)} ${topic.slice(prefix.length)}[${partition}] behind by ${end - at}`,
              );
          }
        }
      }),
    );
    return { endsKey: key, behind };
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

/**
 * Counts the rows of every table of the services' databases, one query per database
 * (a UNION ALL of count(*) over the tables information_schema lists), the databases in
 * parallel. The outbox's pending rows are counted too: they show that an event is on
 * its way to another service.
 */
export class RowCounter {
  private constructor(
    private readonly databases: CountedDatabase[],
    /** Keys of the counts that are work under way (rest is 0), not rows. */
    private readonly busyKeys: ReadonlySet<string>,
    private readonly consumers?: ConsumerWatch,
  ) {}

  static async connect(urls: Record<string, string>, options: RowCounterOptions = {}): Promise<RowCounter> {
    const ignored = options.ignored ?? new Set<string>();
    const busyKeys = new Set<string>();
    const databases = await Promise.all(
      Object.entries(urls).map(async ([name, url]) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        const tables = await client.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
        );
        const counted = tables.rows.filter((r) => !ignored.has(`${name}.${r.table_name}`));
        const parts = counted.map(
          ({ table_name: t }) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t.replace(/"/g, '""')}"`,
        );
        if (tables.rows.some((r) => r.table_name === 'outbox')) {
          parts.push(`SELECT 'outbox(pending)' AS t, count(*)::int AS n FROM outbox WHERE status = 'PENDING'`);
          busyKeys.add(`${name}.outbox(pending)`);
        }
        for (const { label, sql } of options.busy?.[name] ?? []) {
          parts.push(`SELECT '${label.replace(/'/g, "''")}' AS t, (${sql})::int AS n`);
          busyKeys.add(`${name}.${label}`);
        }
        return { name, client, sql: parts.length ? parts.join('\nUNION ALL\n') : `SELECT 'none' AS t, 0 AS n` };
      }),
    );
    const consumers = options.kafka ? await ConsumerWatch.connect(options.kafka) : undefined;
    return new RowCounter(databases, busyKeys, consumers);
  }

  /** The counts as they are now, without waiting for anything. */
  async snapshot(): Promise<RowCounts> {
    const results = await Promise.all(
      this.databases.map(async (db) => ({ db, rows: (await db.client.query<{ t: string; n: number }>(db.sql)).rows })),
    );
    const counts: RowCounts = new Map();
    for (const { db, rows } of results) for (const r of rows) counts.set(`${db.name}.${r.t}`, r.n);
    return counts;
  }

  /** The tables whose counts differ, as `coupons.coupons +1`. */
  static diff(before: RowCounts, after: RowCounts): string[] {
    const keys = new Set([...before.keys(), ...after.keys()]);
    const changes: string[] = [];
    for (const k of keys) {
      const d = (after.get(k) ?? 0) - (before.get(k) ?? 0);
      if (d !== 0) changes.push(`${k} ${d > 0 ? '+' : ''}${d}`);
    }
    return changes;
  }

  /**
   * Whether a write between the two counts set nothing off: no event enqueued (no outbox
   * grew) and nothing under way after it. Then the counts after it are at rest already.
   */
  setNothingOff(before: RowCounts, after: RowCounts): boolean {
    const enqueued = RowCounter.diff(before, after).some((change) => /\.outbox /.test(change));
    return !enqueued && !this.busyIn(after);
  }

  private busyIn(counts: RowCounts): string | undefined {
    const busy = [...this.busyKeys].filter((k) => (counts.get(k) ?? 0) > 0).map((k) => `${k} ${counts.get(k)}`);
    return busy.length ? busy.join(', ') : undefined;
  }

  /**
   * Waits until what earlier requests set off has landed, and returns the counts then. At
   * rest means, in this order: no database has work under way (no pending outbox row: every
   * event written is on Kafka; nothing the `busy` queries count); every consumer group has
   * committed the end offset of every partition (every event published has been handled);
   * a second count equal to the first and still nothing under way (no consumer wrote, no
   * event was enqueued meanwhile); the end offsets unchanged (nothing was published since).
   * Then no write is still on its way through the outboxes and Kafka; what is left to move
   * the counts is work on a timer (expiry sweeps, webhook retries), which the callers tell
   * apart by sending a case again. No fixed window: it returns as soon as the stack is at
   * rest, and fails naming what still moves after `timeoutMs`.
   */
  async settle(timeoutMs = 30_000): Promise<RowCounts> {
    const deadline = Date.now() + timeoutMs;
    let pause = 2;
    for (;;) {
      const reason = await this.restOnce();
      if (typeof reason !== 'string') return reason;
      if (Date.now() > deadline) throw new NotSettledError(timeoutMs, reason);
      await sleep(pause);
      pause = Math.min(pause * 2, 50);
    }
  }

  /** One look: the counts when at rest, or what still moves. */
  private async restOnce(): Promise<RowCounts | string> {
    const first = await this.snapshot();
    const busy = this.busyIn(first);
    if (busy) return `under way: ${busy}`;
    const lag = await this.consumers?.lag();
    if (lag?.behind.length) return `consumers behind: ${lag.behind.join('; ')}`;
    const second = await this.snapshot();
    const moved = this.busyIn(second) ?? RowCounter.diff(first, second).join(', ');
    if (moved) return `still writing: ${moved}`;
    if (lag && (await this.consumers!.ends()).key !== lag.endsKey) return 'events published meanwhile';
    return second;
  }

  async close(): Promise<void> {
    await Promise.all([...this.databases.map((db) => db.client.end()), this.consumers?.close()]);
  }
}
