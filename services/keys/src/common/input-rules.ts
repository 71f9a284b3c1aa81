import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { emailOrNull, trim, trimOrNull } from '@licensing/platform';

/**
 * Tidying and validation of the text fields that several inputs share, so a field of one
 * kind (a company, a phone, an e-mail) is cleaned and checked the same way wherever it is
 * typed. The GraphQL `@Field` stays on each input: its type and description are its own.
 */

/** Required text, trimmed, of `min` to `max` characters. */
export const Text = (min: number, max: number, message?: string) =>
  applyDecorators(Transform(trim), IsString(), Length(min, max, message ? { message } : undefined));

/** Optional text, trimmed; blank becomes null. */
export const OptionalText = (max: number) =>
  applyDecorators(IsOptional(), Transform(trimOrNull), IsString(), MaxLength(max));

/** An e-mail address, stored lower case. */
export const EmailAddress = () =>
  applyDecorators(Transform(emailOrNull), IsEmail({}, { message: 'email must be an e-mail address' }), MaxLength(254));

/** An optional e-mail address, stored lower case; blank becomes null. */
export const OptionalEmailAddress = () => applyDecorators(IsOptional(), EmailAddress());

/** A client's company name. */
export const CompanyName = () => Text(1, 300, 'company must be 1 to 300 characters long');

/** A client's phone number, as typed. */
export const PhoneNumber = () => OptionalText(50);
