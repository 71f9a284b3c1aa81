const autocannon = require('autocannon');

process.once('message', (opts) => {
  autocannon({ ...opts, timeout: 10 }, (err, r) => {
    if (err) throw err;
    process.send(
      {
        requestsPerSecond: Math.round(r.requests.average),
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        totalRequests: r.requests.total,
      },
      () => process.exit(0),
    );
  });
});
