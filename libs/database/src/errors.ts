/**
 * Whether a query failed on a unique constraint (the named one, when given). Takes TypeORM's
 * QueryFailedError (the driver error inside) and pg's own errors (COPY, raw clients) alike.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const outer = error as { driverError?: unknown };
  const pg = (outer.driverError ?? error) as { code?: unknown; constraint?: unknown };
  return pg.code === '23505' && (!constraint || pg.constraint === constraint);
}
