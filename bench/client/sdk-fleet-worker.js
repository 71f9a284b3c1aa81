// Helper of sdk-fleet.bench.js (never run directly): a forked process holding `clients`
// leases with @licensing/client (from dist/), or the same heartbeats as bare node:http
// requests (mode 'bare', the ceiling), and reporting CPU, memory and heartbeat round trips.
// Runs with --expose-gc so memory is measured after a collection.
const http = require('node:http');
const path = require('node:path');

const gc = () => {
  global.gc?.();
  global.gc?.();
};
const mem = () => {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
};

function postJson(agent, url, body) {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200) reject(new Error(`${res.statusCode} ${JSON.stringify(parsed)}`));
          else resolve(parsed);
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function inBatches(count, size, make) {
  const out = [];
  for (let i = 0; i < count; i += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))));
  }
  return out;
}

async function sdkFleet({ root, url, keyCode, productCode, clients, seconds }) {
  const { LicensingClient } = require(path.join(root, 'dist', 'packages', 'client', 'src', 'index.js'));
  const before = mem();
  const rtts = [];
  let counting = false;
  const counts = { renewed: 0, offline: 0, lost: 0 };
  const leases = await inBatches(clients, 50, async (i) => {
    const client = new LicensingClient({
      url,
      keyCode,
      productCode,
      host: { fingerprint: `sdk-bench-${i}`, name: `APP-${i}` },
      releaseOnExit: false,
    });
    const lease = await client.acquire();
    lease.on('renewed', (r) => {
      if (!counting) return;
      counts.renewed++;
      rtts.push(r.roundTripMs);
    });
    lease.on('offline', () => counting && counts.offline++);
    lease.on('lost', () => counts.lost++);
    return { client, lease };
  });
  // One heartbeat round so every client is in its steady state before measuring.
  await new Promise((r) => setTimeout(r, leases[0].lease.heartbeatIntervalSeconds * 1000 + 500));
  const after = mem();
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (Date.now() - t0) / 1000;
  counting = false;
  await inBatches(leases.length, 100, (i) => leases[i].lease.release().finally(() => leases[i].client.close()));
  return { before, after, cpu, elapsed, rtts, counts, interval: leases[0].lease.heartbeatIntervalSeconds };
}

/** The ceiling: the same acquire and heartbeats as bare requests (one keep-alive socket per app, no verification). */
async function bareFleet({ url, keyCode, productCode, clients, seconds }) {
  const before = mem();
  const rtts = [];
  let counting = false;
  let stopped = false;
  const counts = { renewed: 0, offline: 0, lost: 0 };
  const apps = await inBatches(clients, 50, async (i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const lease = await postJson(agent, `${url}/runtime/v1/acquire`, {
      keyCode,
      productCode,
      host: { fingerprint: `bare-bench-${i}`, name: `APP-${i}` },
    });
    const app = { agent, sessionId: lease.sessionId, interval: lease.heartbeatIntervalSeconds, timer: undefined };
    const beat = () => {
      if (stopped) return;
      const sent = Date.now();
      postJson(agent, `${url}/runtime/v1/heartbeat`, { sessionId: app.sessionId }).then(
        (answer) => {
          if (counting) {
            counts.renewed++;
            rtts.push(Date.now() - sent);
          }
          app.interval = answer.heartbeatIntervalSeconds;
          app.timer = setTimeout(beat, app.interval * 1000 * (1 - 0.1 * Math.random()));
        },
        () => {
          if (counting) counts.offline++;
          app.timer = setTimeout(beat, 1000);
        },
      );
    };
    app.timer = setTimeout(beat, app.interval * 1000 * (1 - 0.1 * Math.random()));
    return app;
  });
  await new Promise((r) => setTimeout(r, apps[0].interval * 1000 + 500));
  const after = mem();
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (Date.now() - t0) / 1000;
  counting = false;
  stopped = true;
  await inBatches(apps.length, 100, async (i) => {
    const app = apps[i];
    clearTimeout(app.timer);
    await postJson(app.agent, `${url}/runtime/v1/release`, { sessionId: app.sessionId }).catch(() => undefined);
    app.agent.destroy();
  });
  return { before, after, cpu, elapsed, rtts, counts, interval: apps[0].interval };
}

process.once('message', (opts) => {
  (opts.mode === 'bare' ? bareFleet(opts) : sdkFleet(opts)).then(
    (result) => process.send(result, () => process.exit(0)),
    (error) => process.send({ error: error.stack || String(error) }, () => process.exit(1)),
  );
});
