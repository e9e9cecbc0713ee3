import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsISO8601, Matches, ValidateBy, ValidateIf } from 'class-validator';

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

/** Whether `YYYY-MM-DD` names a day that exists (no 2023-02-30, no year 0). */
export function isRealDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An instant written in RFC 3339 with an offset whose every part exists (no 2023-02-30, no 25:00,
 * no year 0), or undefined. JavaScript's Date would roll 30 February over into March.
 */
export function parseDateTime(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [hour, minute, second] = [4, 5, 6].map((i) => Number(m[i] ?? 0));
  const offsetOk = m[8] === 'Z' || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  if (!isRealDay(text.slice(0, 10)) || !offsetOk || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * class-transformer: a query string's instant parsed strictly (REST); a value GraphQL already
 * parsed passes, anything else stays as sent so that `@IsDate()` refuses it.
 */
export function ToDateTime(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (parseDateTime(value) ?? value) : value,
  );
}

/**
 * An optional field of an update that may be left out but not cleared: the column it changes is
 * required, so `null` is refused here instead of by a NOT NULL constraint (a 500).
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** The earliest birth date the registries accept; later than today is refused too. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

/** A day written YYYY-MM-DD that is not before `earliest` (checked after the format). */
export function NotBefore(earliest: string): PropertyDecorator {
  return ValidateBy({
    name: 'notBefore',
    constraints: [earliest],
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || value >= earliest,
      defaultMessage: () => `$property must not be before ${earliest}`,
    },
  });
}
