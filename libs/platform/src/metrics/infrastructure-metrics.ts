import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { rows } from '@licensing/database';
import { cached, Metrics, probe } from './metrics';

/** The numbers of a pg Pool (TypeORM's Postgres driver keeps one as `master`). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

function poolOf(dataSource: DataSource): PoolCounts | undefined {
  const pool = (dataSource.driver as unknown as { master?: Partial<PoolCounts> }).master;
  return pool && typeof pool.totalCount === 'number' ? (pool as PoolCounts) : undefined;
}

/** Redis's connection state and a PING's round trip at scrape time (never per command). */
export function registerRedisMetrics(metrics: Metrics, redis: Redis, name = 'main'): void {
  metrics.gauge<'client'>({
    name: 'redis_up',
    help: 'Whether the Redis connection is ready (1) or not (0)',
    labelNames: ['client'],
    collect() {
      this.set({ client: name }, redis.status === 'ready' ? 1 : 0);
    },
  });
  metrics.gauge<'client'>({
    name: 'redis_ping_seconds',
    help: 'Round trip of a PING sent at scrape time (absent when Redis did not answer)',
    labelNames: ['client'],
    async collect() {
      this.reset();
      if (redis.status !== 'ready') return;
      const started = process.hrtime.bigint();
      const answered = await probe(() => redis.ping(), 1_000);
      if (answered) this.set({ client: name }, Number(process.hrtime.bigint() - started) / 1e9);
    },
  });
}

/**
 * What every subgraph reports besides its GraphQL series: its Postgres pool, its Redis,
 * the outbox's backlog and age, and the dead letters its consumer parked. Everything is
 * read when Prometheus scrapes (one indexed query each, at most every few seconds), nothing
 * on the request path.
 */
export function registerSubgraphInfrastructureMetrics(metrics: Metrics, dataSource: DataSource, redis: Redis): void {
  metrics.gauge<'state'>({
    name: 'db_pool_connections',
    help: 'Postgres pool connections: total open, idle, and requests waiting for one',
    labelNames: ['state'],
    collect() {
      const pool = poolOf(dataSource);
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  registerRedisMetrics(metrics, redis);

  const outbox = cached(5_000, () =>
    probe(async () => {
      const [r] = await rows<{ pending: number; age: number | null }>(
        dataSource,
        `SELECT count(*)::int AS pending,
                extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS age
           FROM outbox WHERE status = 'PENDING'`,
      );
      return r;
    }),
  );
  metrics.gauge({
    name: 'outbox_pending_events',
    help: 'Outbox rows not yet published to Kafka',
    async collect() {
      const r = await outbox();
      if (r) this.set(r.pending);
    },
  });
  metrics.gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row not yet published (0 when none waits)',
    async collect() {
      const r = await outbox();
      if (r) this.set(r.age ?? 0);
    },
  });

  const deadLetters = cached(5_000, () =>
    probe(() =>
      rows<{ consumer: string; topic: string; n: number }>(
        dataSource,
        `SELECT consumer, topic, count(*)::int AS n FROM dead_letters GROUP BY consumer, topic`,
      ),
    ),
  );
  metrics.gauge<'consumer' | 'topic'>({
    name: 'kafka_dead_letters',
    help: 'Messages parked in dead_letters, by consumer and topic',
    labelNames: ['consumer', 'topic'],
    async collect() {
      const list = await deadLetters();
      if (!list) return;
      this.reset();
      for (const { consumer, topic, n } of list) this.set({ consumer, topic }, n);
    },
  });
}
