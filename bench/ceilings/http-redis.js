// Ceiling for the hot paths (heartbeat, acquire, check): requests/s and p99 of a bare
// node:http server that makes one Redis script call per request, at 1,000 concurrent
// connections. Server and load generator run in separate processes.
const { fork } = require('node:child_process');
const path = require('node:path');
const { once } = require('node:events');
const { loadTest } = require('../lib/load');
const { withTimeout } = require('../lib/stats');

const NAME = 'ceiling: node:http + one Redis script call, 1,000 connections';
const CONNECTIONS = 1000;

async function startServer() {
  const server = fork(path.join(__dirname, 'http-redis-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(server, 'exit').then(([code]) => {
    throw new Error(`the http-redis server exited (${code}) before it listened`);
  });
  const [{ port }] = await withTimeout(Promise.race([once(server, 'message'), exited]), 20_000, 'http-redis server');
  exited.catch(() => undefined);
  return { server, port };
}

module.exports = {
  name: NAME,
  async run({ seconds = Number(process.env.BENCH_SECONDS || 8) } = {}) {
    const { server, port } = await startServer();
    try {
      const load = await loadTest({ url: `http://127.0.0.1:${port}/heartbeat`, connections: CONNECTIONS, seconds });
      return {
        name: NAME,
        metrics: { connections: CONNECTIONS, seconds, ...load },
      };
    } finally {
      if (server.exitCode === null && server.signalCode === null) {
        const exit = once(server, 'exit');
        server.kill('SIGTERM');
        await withTimeout(exit, 10_000, 'http-redis server stop').catch(() => server.kill('SIGKILL'));
      }
    }
  },
};
