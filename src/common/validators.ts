import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/** A calendar day written YYYY-MM-DD that exists (2023-02-30 is refused). */
export function IsDay(): PropertyDecorator {
  return applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date written YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a real date' }),
  );
}

/** A municipality's 4-digit ELSTAT code (whether it exists is checked by the service). */
export const MUNICIPALITY_CODE = /^\d{4}$/;

/** An amount in euro with at most two decimals, as a string so it never passes through a float. */
export const EURO_AMOUNT = /^-?\d{1,12}(\.\d{1,2})?$/;

/** A code of a reference table (kinds, categories, groups). */
export const REFERENCE_CODE = /^[A-Z][A-Z0-9_]{1,49}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether an id is a uuid. Services check ids before they reach SQL, so that a malformed one is
 * "not found" like an absent one instead of a database error.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
