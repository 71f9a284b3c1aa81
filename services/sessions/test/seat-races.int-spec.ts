import { rows } from '@licensing/database';
import { DomainError } from '@licensing/graphql';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { SessionsTestbed, TestVendor } from './sessions-testbed';

/** SESSIONS_RACE_ROUNDS=100 SESSIONS_RACE_SIZE=1000 runs the long version. */
const ROUNDS = Number(process.env['SESSIONS_RACE_ROUNDS'] ?? 10);
const SIZE = Number(process.env['SESSIONS_RACE_SIZE'] ?? 200);
/** Long runs need more than Jest's default minute (the binding rounds queue on Postgres). */
const TIMEOUT_MS = Math.max(60_000, ROUNDS * SIZE * 5);
/** Sessions per host in the host-counted models. */
const PER_HOST = 5;

/**
 * Rounds of parallel acquires against N seats, spread over two instances of the service
 * (each with its own Redis connection and Postgres pool, as two processes would have): never
 * more than N holders, and exactly N when demand exceeds supply.
 */
describe(`seat decisions under concurrency (${ROUNDS} rounds of ${SIZE} acquires per model, two instances)`, () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_races', [SessionsModule], [ReadModelHandler], { instances: 2 });
    acme = await testbed.vendor('RACE', {
      DESK: 'CONCURRENT_SESSIONS',
      FILE: 'CONCURRENT_HOSTS',
      PBX: 'HOST_BINDING',
    });
  });

  afterAll(() => testbed?.close());

  /** Seats of a round: from 1 up to an eighth of the demand, varying by round. */
  const seatsOf = (round: number) => 1 + ((round * 37) % Math.max(1, Math.floor(SIZE / 8)));

  /** Fires SIZE acquires at once, alternating instances; the host and outcome of each. */
  async function race(productCode: string, seats: number, hostOf: (i: number) => string) {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    const services = testbed.instances.map((instance) => instance.get(SessionsService));
    const outcomes = await Promise.allSettled(
      Array.from({ length: SIZE }, (_, i) =>
        services[i % services.length]!.acquire({ keyCode: key.code, productCode, host: { fingerprint: hostOf(i) } }),
      ),
    );
    const results = outcomes.map((o, i) => ({
      host: hostOf(i),
      outcome: o.status === 'fulfilled' ? 'ok' : o.reason instanceof DomainError ? o.reason.code : String(o.reason),
    }));
    return { key, results };
  }

  const tally = (list: { outcome: string }[]) =>
    list.reduce<Record<string, number>>((t, r) => ({ ...t, [r.outcome]: (t[r.outcome] ?? 0) + 1 }), {});

  /** Hosts let in; and that each host's sessions were all let in or all refused. */
  function hostsLetIn(results: { host: string; outcome: string }[]): string[] {
    const byHost = new Map<string, Set<string>>();
    for (const r of results) byHost.set(r.host, (byHost.get(r.host) ?? new Set()).add(r.outcome));
    for (const [host, outcomes] of byHost)
      expect({ host, outcomes: [...outcomes] }).toEqual({ host, outcomes: [expect.any(String)] });
    return [...byHost].filter(([, o]) => o.has('ok')).map(([h]) => h);
  }

  it(
    'CONCURRENT_SESSIONS: one seat per session',
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const seats = seatsOf(round);
        const { results } = await race('DESK', seats, (i) => `host-${i}`);
        expect({ round, seats, tally: tally(results) }).toEqual({
          round,
          seats,
          tally: { ok: seats, NO_FREE_LICENSE: SIZE - seats },
        });
      }
    },
    TIMEOUT_MS,
  );

  it(
    'CONCURRENT_HOSTS: one seat per host, shared by its sessions',
    async () => {
      const hosts = Math.ceil(SIZE / PER_HOST);
      for (let round = 0; round < ROUNDS; round++) {
        const seats = seatsOf(round);
        const { results } = await race('FILE', seats, (i) => `host-${i % hosts}`);
        const admitted = hostsLetIn(results);
        expect({ round, seats, hosts: admitted.length }).toEqual({ round, seats, hosts: Math.min(seats, hosts) });
        expect(Object.keys(tally(results)).sort()).toEqual(seats >= hosts ? ['ok'] : ['NO_FREE_LICENSE', 'ok']);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'HOST_BINDING: one binding per host',
    async () => {
      const hosts = Math.ceil(SIZE / PER_HOST);
      for (let round = 0; round < ROUNDS; round++) {
        const seats = seatsOf(round);
        const { key, results } = await race('PBX', seats, (i) => `host-${i % hosts}`);
        const admitted = hostsLetIn(results);
        expect({ round, seats, hosts: admitted.length }).toEqual({ round, seats, hosts: Math.min(seats, hosts) });
        const bound = await rows<{ host_fingerprint: string }>(
          testbed.dataSource,
          'SELECT host_fingerprint FROM host_bindings WHERE key_id = $1',
          [key.keyId],
        );
        expect(bound.map((b) => b.host_fingerprint).sort()).toEqual(admitted.sort());
        const created = await rows<{ n: number }>(
          testbed.dataSource,
          `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'binding.created' AND payload->>'subject' = $1`,
          [key.keyId],
        );
        expect(created[0]!.n).toBe(admitted.length);
      }
    },
    TIMEOUT_MS,
  );
});
