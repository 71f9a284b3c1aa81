import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { BadInputError } from '@licensing/graphql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are UUIDs: one that is not is refused where it enters, naming the argument, instead of
 * reaching the database. Use as `@Args('id', { type: () => ID }, UuidPipe)`; null and
 * undefined pass (for optional ids).
 */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (value === null || value === undefined) return value;
    const name = metadata.data ?? 'id';
    if (typeof value !== 'string' || !UUID.test(value)) throw new BadInputError(name, `${name} must be a UUID`);
    return value.toLowerCase();
  }
}
