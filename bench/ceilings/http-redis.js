// Ceiling for the hot paths (heartbeat, acquire, check): what a bare node:http server
// with one Redis round trip reaches on this machine, at 1,000 concurrent connections.
const { fork } = require('node:child_process');
const path = require('node:path');
const { once } = require('node:events');
const { loadTest } = require('../lib/load');

module.exports = {
  name: 'ceiling: node:http + one Redis script call (1,000 connections)',
  async run({ seconds = 8 } = {}) {
    const server = fork(path.join(__dirname, 'http-redis-server.js'), { stdio: 'inherit' });
    try {
      const [{ port }] = await once(server, 'message');
      const result = await loadTest({ url: `http://127.0.0.1:${port}/`, connections: 1000, seconds });
      return { metrics: result };
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  },
};
