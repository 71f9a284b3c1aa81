import { Directive, Field, ObjectType } from '@nestjs/graphql';
import { BadInputError } from '@licensing/graphql';

/** Where a page of a list ends; shared by every subgraph's connections. */
@ObjectType({ description: 'Where a page of a list ends.' })
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
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
