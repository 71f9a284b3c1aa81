/**
 * Release on process exit: live leases are released when the process gets SIGINT or SIGTERM
 * or runs out of work (beforeExit). The handlers are installed while at least one lease is
 * live and removed after; a signal is raised again once the leases are released when nothing
 * else listens for it, so the process still ends as it would have.
 */

export interface Releasable {
  releaseOnExit(): Promise<unknown>;
}

const live = new Set<Releasable>();
let installed = false;
/** How long releases may take before a signal ends the process anyway. */
const EXIT_RELEASE_TIMEOUT_MS = 3_000;

export function track(lease: Releasable): void {
  live.add(lease);
  if (!installed) {
    installed = true;
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    process.on('beforeExit', onBeforeExit);
  }
}

export function untrack(lease: Releasable): void {
  live.delete(lease);
  if (installed && live.size === 0) uninstall();
}

/** Leases that release on exit (for tests). */
export function trackedLeases(): number {
  return live.size;
}

function uninstall(): void {
  installed = false;
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigterm);
  process.removeListener('beforeExit', onBeforeExit);
}

function releaseAll(): Promise<unknown> {
  const leases = [...live];
  live.clear();
  uninstall();
  return Promise.allSettled(leases.map((l) => l.releaseOnExit()));
}

function onSigint(): void {
  onSignal('SIGINT');
}

function onSigterm(): void {
  onSignal('SIGTERM');
}

function onSignal(signal: NodeJS.Signals): void {
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise((resolve) => (timer = setTimeout(resolve, EXIT_RELEASE_TIMEOUT_MS)));
  void Promise.race([releaseAll(), bounded]).then(() => {
    clearTimeout(timer);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function onBeforeExit(): void {
  if (live.size) void releaseAll();
}
