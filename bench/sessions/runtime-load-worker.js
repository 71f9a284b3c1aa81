// Child process of runtime.bench.js: one autocannon load against the sessions service's
// runtime endpoint (or the gateway), in its own process so it never shares an event loop with
// what it measures. Modes:
//   rotate           POST `path` with bodies[i++ % bodies.length] (heartbeats of many sessions)
//   acquire-release  each connection acquires (body) then releases the session it got
//   paced            POST `path` with bodies in turn at `overallRate` requests a second, evenly
//                    spaced (open loop: a request goes at its time whether or not earlier ones
//                    answered), on up to `connections` keep-alive connections; each latency
//                    counts from the request's scheduled time, so a stall is not hidden by
//                    requests that were never sent (autocannon's overallRate sends each
//                    connection's share in a burst at the start of every second instead)
// Sends back requests/s, latencies, errors and the count of answers by status.
const http = require('node:http');
const autocannon = require('autocannon');

/** The `paced` mode: an open-loop load at a fixed rate, with node:http and a keep-alive agent. */
async function paced({ url, path, bodies, connections, duration, overallRate }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(path, url);
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let next = 0;
  const send = (scheduledAt) =>
    new Promise((resolve) => {
      const payload = bodies[next++ % bodies.length];
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
            latencies.push(Number(process.hrtime.bigint() - scheduledAt) / 1e6);
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });
  const intervalNs = BigInt(Math.round(1e9 / overallRate));
  const started = process.hrtime.bigint();
  const end = started + BigInt(duration) * 1_000_000_000n;
  const inFlight = [];
  let due = started;
  // Every millisecond, send what has come due since (the timer's lateness is in the latencies).
  while (due < end) {
    const now = process.hrtime.bigint();
    while (due <= now && due < end) {
      inFlight.push(send(due));
      due += intervalNs;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100) / 100;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const non2xx = Object.entries(statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyP50Ms: at(0.5),
    latencyP99Ms: at(0.99),
    latencyMaxMs: at(1),
    requests: latencies.length,
    seconds,
    errors,
    timeouts: 0,
    non2xx,
    statuses,
  };
}

process.once('message', (opts) => {
  const { mode, url, path, bodies, body, connections, duration, amount, overallRate } = opts;
  if (mode === 'paced') {
    paced(opts).then(
      (summary) => process.send(summary, () => process.exit(0)),
      (error) => process.send({ error: String(error.stack || error) }, () => process.exit(1)),
    );
    return;
  }
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
