import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';

/** Seconds; from a sub-millisecond cached read to a slow mutation. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Scrape-time probes (database, Redis, Kafka) give up after this long; the scrape still answers. */
export const PROBE_TIMEOUT_MS = 2_000;

/**
 * One process's metrics: its own registry (tests run several apps in one process, and the
 * global registry would refuse the second), with Node's default process metrics and every
 * series labelled with the service. Metrics are created once by name and shared: a feature
 * asks for `counter('x', ...)` and gets the existing one if another asked first.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly created = new Map<string, Counter | Gauge | Histogram>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return this.once(config.name, () => new Counter<L>({ ...config, registers: [this.registry] }));
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return this.once(config.name, () => new Gauge<L>({ ...config, registers: [this.registry] }));
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return this.once(config.name, () => new Histogram<L>({ ...config, registers: [this.registry] }));
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private once<T extends Counter | Gauge | Histogram>(name: string, create: () => T): T {
    const existing = this.created.get(name);
    if (existing) return existing as T;
    const metric = create();
    this.created.set(name, metric);
    return metric;
  }
}

/**
 * Runs a scrape-time probe with a time limit; a probe that fails or hangs leaves its series
 * out of this scrape (Prometheus shows a gap) instead of failing or stalling the scrape.
 */
export async function probe<T>(run: () => Promise<T>, timeoutMs = PROBE_TIMEOUT_MS): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
        timer.unref();
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A value computed at most every `maxAgeMs`, however often it is asked for (several
 * Prometheus servers, or a dashboard refreshing, cost one computation per interval).
 */
export function cached<T>(maxAgeMs: number, compute: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    const now = Date.now();
    if (!value || now - at >= maxAgeMs) {
      at = now;
      value = compute();
      value.catch(() => {
        at = 0; // a failure is not kept: the next scrape tries again
      });
    }
    return value;
  };
}
