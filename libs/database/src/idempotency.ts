import { createHash } from 'node:crypto';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { row, updated } from './sql';

/**
 * Idempotency keys for mutations that applications retry over flaky networks. A retry with
 * the same key returns the first call's outcome instead of doing the work again (or being
 * refused because it was done: COUPON_USED, 1059). The key is claimed in the transaction
 * that does the work, so the claim and the effect commit or vanish together.
 */
export function createIdempotencyMigration(timestamp: number): new () => MigrationInterface {
  class Idempotency implements MigrationInterface {
    name = `Idempotency${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE idempotency_keys (
          operation text NOT NULL,
          key text NOT NULL,
          request_hash text NOT NULL,
          result jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (operation, key)
        )`);
      await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE idempotency_keys`);
    }
  }
  Object.defineProperty(Idempotency, 'name', { value: `Idempotency${timestamp}` });
  return Idempotency;
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonical(input)).digest('base64url');
}

export type IdempotencyClaim<T> =
  /** First use of the key: do the work, then `complete` with what identifies its outcome. */
  | { state: 'new'; complete(result: T): Promise<void> }
  /** The key was used before with the same input: return this outcome again. */
  | { state: 'replay'; result: T }
  /** The key was used before with another input: a client bug, refuse it. */
  | { state: 'reused' };

/**
 * Claims `key` for `operation` inside the caller's transaction. A concurrent call with the
 * same key waits on the first one's uncommitted row, then sees its outcome (or, if the first
 * rolled back, claims the key itself), so two retries racing each other do the work once.
 */
export async function claimIdempotencyKey<T extends object>(
  manager: EntityManager,
  operation: string,
  key: string,
  input: unknown,
): Promise<IdempotencyClaim<T>> {
  const hash = requestHash(input);
  const inserted = await updated(
    manager,
    `INSERT INTO idempotency_keys (operation, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT (operation, key) DO NOTHING RETURNING key`,
    [operation, key, hash],
  );
  if (inserted.count === 1) {
    return {
      state: 'new',
      complete: async (result: T) => {
        await manager.query(`UPDATE idempotency_keys SET result = $3 WHERE operation = $1 AND key = $2`, [
          operation,
          key,
          JSON.stringify(result),
        ]);
      },
    };
  }
  const earlier = await row<{ request_hash: string; result: T | null }>(
    manager,
    `SELECT request_hash, result FROM idempotency_keys WHERE operation = $1 AND key = $2`,
    [operation, key],
  );
  if (!earlier || earlier.request_hash !== hash || earlier.result === null) return { state: 'reused' };
  return { state: 'replay', result: earlier.result };
}

/** Forgets keys older than `olderThanMs` (retries come within minutes; a day is plenty). */
export async function purgeIdempotencyKeys(
  manager: Pick<EntityManager, 'query'>,
  olderThanMs: number,
): Promise<number> {
  const { count } = await updated(
    manager,
    `DELETE FROM idempotency_keys WHERE created_at < now() - $1::float8 * interval '1 millisecond'`,
    [olderThanMs],
  );
  return count;
}
