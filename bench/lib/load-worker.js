// Child process of lib/load.js: runs one autocannon load and sends its summary back.
const autocannon = require('autocannon');

process.once('message', (opts) => {
  autocannon(opts, (error, r) => {
    if (error) {
      process.send({ error: String(error.stack || error) }, () => process.exit(1));
      return;
    }
    process.send(
      {
        requestsPerSecond: Math.round(r.requests.average),
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
        latencyMaxMs: r.latency.max,
        requests: r.requests.total,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
      },
      () => process.exit(0),
    );
  });
});
