// Benchmarks send traffic to this machine only: every address they are given is checked here.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Throws unless `host` (a host name, host:port or URL) is a loopback address. */
function assertLoopback(what, address) {
  let host;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) host = new URL(address).hostname;
  else host = address.replace(/:\d+$/, '');
  if (!LOOPBACK.has(host)) {
    throw new Error(`${what} must point at this machine (127.0.0.1), not ${address}`);
  }
  return address;
}

module.exports = { assertLoopback };
