import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { trim, trimOrNull } from './transforms';

/*
 * Tidying and validation of text fields, so a field of one kind is cleaned and checked the same
 * way in every subgraph. The GraphQL `@Field` stays on each input: its type and description are
 * its own.
 */

/** Required text, trimmed, of `min` to `max` characters. */
export const Text = (min: number, max: number, message?: string) =>
  applyDecorators(Transform(trim), IsString(), Length(min, max, message ? { message } : undefined));

/** Optional text, trimmed; blank becomes null. */
export const OptionalText = (max: number) =>
  applyDecorators(IsOptional(), Transform(trimOrNull), IsString(), MaxLength(max));
