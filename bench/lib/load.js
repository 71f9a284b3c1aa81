// HTTP load with autocannon in its own process, so the load generator never shares an event
// loop with what it measures. Bounded: `seconds` of load, killed if it overruns by 30 s;
// loopback addresses only.
const { fork } = require('node:child_process');
const path = require('node:path');
const { assertLoopback } = require('./loopback');

/**
 * @param {{ url: string, connections: number, seconds: number, method?: string,
 *           headers?: Record<string, string>, body?: string, timeoutSeconds?: number }} options
 * @returns {Promise<{ requestsPerSecond: number, latencyP50Ms: number, latencyP99Ms: number,
 *           latencyMaxMs: number, requests: number, errors: number, timeouts: number, non2xx: number }>}
 */
function loadTest({ url, connections, seconds, method = 'GET', headers, body, timeoutSeconds = 10 }) {
  assertLoopback('load target', url);
  if (!(seconds > 0 && seconds <= 120)) throw new Error('load duration must be 1-120 s');
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-worker.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let summary;
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('message', (message) => (summary = message));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      if (summary && !summary.error) resolve(summary);
      else reject(new Error(summary?.error || `autocannon exited (${signal || code}) without a result`));
    });
    child.send({
      url,
      connections,
      duration: seconds,
      method,
      headers,
      body,
      timeout: timeoutSeconds,
    });
  });
}

module.exports = { loadTest };
