// Runs autocannon in its own process (so the load generator does not share an event loop
// with anything it measures), bounded in time, against a loopback address only.
const { fork } = require('node:child_process');
const path = require('node:path');
const { once } = require('node:events');

async function loadTest({ url, connections, seconds, method = 'GET', headers, body }) {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error('benchmarks only load loopback addresses');
  const child = fork(path.join(__dirname, 'load-worker.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.send({ url, connections, duration: seconds, method, headers, body });
  const [result] = await once(child, 'message');
  await once(child, 'exit');
  return result;
}

module.exports = { loadTest };
