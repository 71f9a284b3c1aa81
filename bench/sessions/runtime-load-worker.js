// Child process of runtime.bench.js: one autocannon load against the sessions service's
// runtime endpoint (or the gateway), in its own process so it never shares an event loop with
// what it measures. Modes:
//   rotate           POST `path` with bodies[i++ % bodies.length] (heartbeats of many sessions)
//   acquire-release  each connection acquires (body) then releases the session it got
// Sends back requests/s, latencies, errors and the count of answers by status.
const autocannon = require('autocannon');

process.once('message', (opts) => {
  const { mode, url, path, bodies, body, connections, duration, amount, overallRate } = opts;
  const headers = { 'content-type': 'application/json' };
  let next = 0;
  let requests;
  if (mode === 'rotate') {
    requests = [
      {
        method: 'POST',
        path,
        headers,
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ];
  } else if (mode === 'acquire-release') {
    requests = [
      {
        method: 'POST',
        path: '/runtime/v1/acquire',
        headers,
        body,
        onResponse: (status, text, context) => {
          context.sessionId = status === 200 ? JSON.parse(text).sessionId : undefined;
        },
      },
      {
        method: 'POST',
        path: '/runtime/v1/release',
        headers,
        setupRequest: (req, context) => ({ ...req, body: JSON.stringify({ sessionId: context.sessionId ?? '' }) }),
      },
    ];
  } else {
    requests = [{ method: 'POST', path, headers, body }];
  }
  const statuses = {};
  const instance = autocannon(
    {
      url,
      connections,
      ...(amount ? { amount } : { duration }),
      ...(overallRate ? { overallRate } : {}),
      requests,
      timeout: 10,
    },
    (error, r) => {
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
          seconds: r.duration,
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          statuses,
        },
        () => process.exit(0),
      );
    },
  );
  instance.on('response', (_client, status) => {
    statuses[status] = (statuses[status] || 0) + 1;
  });
});
