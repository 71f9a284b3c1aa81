/**
 * Exponential backoff with "equal jitter", capped: attempt 1 waits between base/2 and base,
 * attempt n between c/2 and c where c = min(cap, base · 2^(n-1)). Half of the delay is fixed,
 * so a retry never comes immediately; the other half spreads instances apart.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 52);
  const ceiling = Math.max(0, Math.min(capMs, baseMs * 2 ** exponent));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a failed publish of one outbox row changes. */
export interface OutboxFailure {
  attempts: number;
  /** Parked for a human: the relay stops trying. */
  dead: boolean;
  delayMs: number;
}

/**
 * The relay's rule for a row whose publish failed. Every failure is counted and backs the
 * row off; only failures that are the message's own (invalid topic, too large, ...) park it
 * as DEAD after maxAttempts. While the broker is unreachable every row would fail alike, so
 * an outage, however long, neither parks rows nor backs them off: they go out with the
 * relay's first successful try after Kafka is back.
 */
export function outboxFailure(
  previousAttempts: number,
  brokerUnavailable: boolean,
  { maxAttempts, backoffBaseMs, backoffCapMs }: { maxAttempts: number; backoffBaseMs: number; backoffCapMs: number },
  random: () => number = Math.random,
): OutboxFailure {
  const attempts = previousAttempts + 1;
  // An outage is not the row's fault: it stays due, and the relay paces its own retries, so
  // nothing waits out a long row backoff after the broker is back.
  if (brokerUnavailable) return { attempts, dead: false, delayMs: 0 };
  return {
    attempts,
    dead: attempts >= maxAttempts,
    delayMs: backoffDelayMs(attempts, backoffBaseMs, backoffCapMs, random),
  };
}
