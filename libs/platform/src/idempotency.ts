import { applyDecorators } from '@nestjs/common';
import { IsOptional, IsString, Matches } from 'class-validator';

/** What an idempotency key field says in every schema that has one. */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  'A key the caller chooses for this one request (a UUID is ideal), 8 to 100 of A-Z a-z 0-9 . _ : -. A retry with the same key and input returns the first answer instead of doing the work again; with another input it is refused (CONFLICT). Kept for 24 hours.';

/** The validation of an optional idempotency key, shared by every mutation that takes one. */
export function IdempotencyKeyRules(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString(),
    Matches(/^[A-Za-z0-9._:-]{8,100}$/, {
      message: 'idempotencyKey must be 8 to 100 of A-Z a-z 0-9 . _ : -',
    }),
  );
}
