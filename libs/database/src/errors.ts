/** The pg error inside TypeORM's QueryFailedError, or pg's own error (COPY, raw clients). */
function driverError(error: unknown): { code?: unknown; constraint?: unknown } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const outer = error as { driverError?: unknown };
  const inner = outer.driverError ?? error;
  return typeof inner === 'object' && inner !== null ? (inner as { code?: unknown; constraint?: unknown }) : undefined;
}

/** Whether a query failed on a unique constraint (the named one, when given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = driverError(error);
  return pg?.code === '23505' && (!constraint || pg.constraint === constraint);
}

/**
 * Whether Postgres refused a value itself (SQLSTATE class 22, "data exception": a malformed
 * uuid, a NUL in text, a number out of range, an invalid date). Such an error means the
 * caller's input was bad, never that the service failed; boundaries map it to BAD_USER_INPUT
 * as a backstop behind their own validation.
 */
export function isDataException(error: unknown): boolean {
  const code = driverError(error)?.code;
  return typeof code === 'string' && code.startsWith('22');
}
