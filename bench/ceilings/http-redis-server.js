// The ceiling server: bare node:http answering every request with one Redis script call
// (PEXPIRE + ZADD, the shape of a heartbeat). Started by http-redis.js in its own process.
const http = require('node:http');
const Redis = require('ioredis');

const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
redis.defineCommand('beat', {
  numberOfKeys: 2,
  lua: "redis.call('PEXPIRE', KEYS[1], ARGV[1]); return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])",
});
let n = 0;
const server = http.createServer((req, res) => {
  n++;
  redis
    .beat('bench:lease', 'bench:leases', 30000, Date.now(), `s${n % 1000}`)
    .then(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    })
    .catch(() => {
      res.writeHead(500);
      res.end();
    });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => server.close(() => redis.quit().then(() => process.exit(0))));
