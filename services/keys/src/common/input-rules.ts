import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import { emailOrNull, OptionalText, Text } from '@licensing/platform';

/**
 * Tidying and validation of the text fields that several inputs share, so a field of one
 * kind (a company, a phone, an e-mail) is cleaned and checked the same way wherever it is
 * typed. The GraphQL `@Field` stays on each input: its type and description are its own.
 */

/** Required and optional text, as every subgraph tidies it (`@licensing/platform`). */
export { OptionalText, Text };

/** An e-mail address, stored lower case. */
export const EmailAddress = () =>
  applyDecorators(Transform(emailOrNull), IsEmail({}, { message: 'email must be an e-mail address' }), MaxLength(254));

/** An optional e-mail address, stored lower case; blank becomes null. */
export const OptionalEmailAddress = () => applyDecorators(IsOptional(), EmailAddress());

/** A client's company name. */
export const CompanyName = () => Text(1, 300, 'company must be 1 to 300 characters long');

/** A client's phone number, as typed. */
export const PhoneNumber = () => OptionalText(50);
