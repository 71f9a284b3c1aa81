// What metrics cost: a trivial query through the gateway (keys subgraph behind it), 20
// connections, 6 s, three runs while nothing scrapes and three while /metrics of both
// processes is scraped every second (15 times Prometheus's interval), interleaved; the cost
// of the GraphQL metrics plugin per request, timed alone; and how long a scrape takes.
// The quiet runs are the ceiling of the scraped ones. Figures only, never asserted.
const path = require('node:path');
const { startPlatform, measureSequential } = require('../lib/platform');
const { loadTest } = require('../lib/load');
const { round } = require('../lib/stats');

const QUERY = '{ keysInfo { service version } }';
const RUNS = 3;
const SECONDS = 6;
const CONNECTIONS = 20;

/** Nanoseconds per request of the metrics plugin's hooks (start, response with one error). */
async function pluginCostNs(root) {
  require(path.join(root, 'scripts/runtime-paths.js')); // @licensing/* from dist
  const { Metrics } = require(path.join(root, 'dist/libs/platform/src/metrics/metrics.js'));
  const { graphqlMetricsPlugin } = require(path.join(root, 'dist/libs/platform/src/metrics/graphql-metrics.js'));
  const plugin = graphqlMetricsPlugin(new Metrics('bench'));
  const request = { operationName: 'LicenseKeyCard' };
  const response = { body: { kind: 'single', singleResult: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } } };
  const once = async () => {
    const hooks = await plugin.requestDidStart({ request });
    await hooks.willSendResponse({ operationName: 'LicenseKeyCard', response });
  };
  for (let i = 0; i < 20_000; i++) await once();
  const n = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once();
  return Number(process.hrtime.bigint() - started) / n;
}

module.exports = {
  name: 'metrics cost: gateway throughput while /metrics is scraped, plugin cost per request',
  timeoutSeconds: 300,
  async run({ root }) {
    const platform = await startPlatform(root, ['keys']);
    try {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${platform.operatorToken}` };
      const body = JSON.stringify({ query: QUERY });
      await platform.gql(platform.operatorToken, QUERY);
      const targets = [platform.url.replace(/\/graphql$/, '/metrics'), `${platform.urls.keys}/metrics`];
      const scrapeOnce = () => Promise.all(targets.map(async (t) => (await fetch(t)).text()));
      const load = () =>
        loadTest({ url: platform.url, connections: CONNECTIONS, seconds: SECONDS, method: 'POST', headers, body });
      await loadTest({ url: platform.url, connections: CONNECTIONS, seconds: 2, method: 'POST', headers, body }); // warm-up
      const quiet = [];
      const scraped = [];
      for (let i = 0; i < RUNS; i++) {
        quiet.push(await load());
        const timer = setInterval(() => void scrapeOnce().catch(() => undefined), 1_000);
        try {
          scraped.push(await load());
        } finally {
          clearInterval(timer);
        }
      }
      const scrape = await measureSequential(20, () => scrapeOnce());
      const rps = (runs) => runs.map((r) => Math.round(r.requestsPerSecond));
      const p99 = (runs) => runs.map((r) => round(r.latencyP99Ms));
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const errors = [...quiet, ...scraped].reduce((n, r) => n + r.errors + r.non2xx + r.timeouts, 0);
      return {
        metrics: {
          'scraped every 1 s: req/s (runs)': rps(scraped).join(' / '),
          'scraped: p99 ms (runs)': p99(scraped).join(' / '),
          'scraped / quiet, median req/s': round(median(rps(scraped)) / median(rps(quiet))),
          'metrics plugin, ns per request': Math.round(await pluginCostNs(root)),
          'one scrape of gateway + keys, p50 ms': scrape.p50,
          'errors (all runs)': errors,
        },
        ceiling: {
          'nothing scraping: req/s (runs)': rps(quiet).join(' / '),
          'nothing scraping: p99 ms (runs)': p99(quiet).join(' / '),
        },
      };
    } finally {
      await platform.stop();
    }
  },
};
