import { Directive, Field, ObjectType } from '@nestjs/graphql';
import { BadInputError } from '@licensing/graphql';

/** Where a page of a list ends; shared by every subgraph's connections. */
@ObjectType({ description: 'Where a page of a list ends.' })
@Directive('@shareable')
export class PageInfo {
  @Field({ description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'The cursor of the last item of this page, to pass as after for the next page; null for an empty page.',
  })
  endCursor!: string | null;
}

/**
 * Opaque keyset cursors over an insertion number: `<list>:<seq>` in base64url, so a cursor
 * of one list is refused by another.
 */
export function encodeCursor(list: string, seq: string): string {
  return Buffer.from(`${list}:${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(list: string, cursor: string, field = 'after'): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${list}:`;
  const seq = text.startsWith(prefix) ? text.slice(prefix.length) : '';
  if (!/^\d{1,19}$/.test(seq)) throw new BadInputError(field, `${field} is not a cursor of this list`);
  return seq;
}

/** Checks a page size argument: 1 to `max`. */
export function assertPageSize(first: number, max: number, field = 'first'): void {
  if (!Number.isInteger(first) || first < 1 || first > max)
    throw new BadInputError(field, `${field} must be 1 to ${max}`);
}

/** A GraphQL enum object ({ A: 'A', … }) for registerEnumType from a list of values. */
export function enumOf<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}

/** One page of a list in the shape every connection type shares. */
export interface Connection<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/**
 * Builds a connection from a page fetched with one row more than asked for (`first + 1`),
 * which tells whether another page follows without a second query.
 */
export function toConnection<T>(
  list: string,
  fetched: readonly T[],
  first: number,
  totalCount: number,
  seqOf: (node: T) => string,
): Connection<T> {
  const edges = fetched.slice(0, first).map((node) => ({ cursor: encodeCursor(list, seqOf(node)), node }));
  return {
    totalCount,
    edges,
    pageInfo: { hasNextPage: fetched.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** The connection of a list known to be empty. */
export function emptyConnection<T>(): Connection<T> {
  return { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
}
