// The server half of ceilings/http-redis.js, in its own process: bare node:http answering
// every request after one Redis script call (PEXPIRE + ZADD, the shape of a heartbeat).
const http = require('node:http');
const Redis = require('ioredis');
const { assertLoopback } = require('../lib/loopback');

const redisUrl = assertLoopback('REDIS_URL', process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const prefix = process.env.BENCH_KEY_PREFIX || `bench:ceiling:${process.pid}`;
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
redis.defineCommand('beat', {
  numberOfKeys: 2,
  lua: `redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])`,
});
const leaseKey = `${prefix}:lease`;
const holdersKey = `${prefix}:holders`;

let n = 0;
const server = http.createServer((req, res) => {
  n = (n + 1) % 1000;
  redis.beat(leaseKey, holdersKey, 60_000, Date.now(), `session-${n}`).then(
    () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    },
    () => {
      res.writeHead(500);
      res.end();
    },
  );
});
server.keepAliveTimeout = 30_000;

redis
  .set(leaseKey, '1', 'PX', 60_000)
  .then(() => new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve)))
  .then(() => process.send({ port: server.address().port }))
  .catch((error) => {
    console.error(`http-redis server: ${error.message}`);
    process.exit(1);
  });

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  redis
    .del(leaseKey, holdersKey)
    .finally(() => redis.quit())
    .finally(() => process.exit(0));
});
