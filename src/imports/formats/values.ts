import { isValidAfm } from '../../common/identifiers/afm.js';
import { checkAmka } from '../../common/identifiers/amka.js';
import { RowProblemCode, type FeedField } from '../contracts.js';

/**
 * Field checks and canonical values (contracts.ts, FeedRow.values): every format hands over text
 * (JSON numbers and booleans as their JSON text) and gets back the canonical text or a problem.
 * Messages say what is wrong and what would be right, and never repeat an identifier whole.
 */
export interface ValueProblem {
  code: RowProblemCode;
  message: string;
}
/** The canonical text, or the problem (a string is always a good value: nothing allocated for it). */
export type Checked = string | ValueProblem;

const ok = (value: string): Checked => value;
const bad = (code: RowProblemCode, message: string): ValueProblem => ({ code, message });

/** At most this many characters are quoted back from a bad value. */
const QUOTE_CHARS = 20;
function quote(raw: string): string {
  return JSON.stringify(raw.length > QUOTE_CHARS ? raw.slice(0, QUOTE_CHARS) + '…' : raw);
}

/**
 * Numbers. Spaces and a euro sign around or inside are ignored. The decimal separator is the
 * comma, as Greek files write them; a point works too when it cannot be a thousands separator:
 * - both "." and ",": the last one is the decimal separator and the other groups thousands (3 digits):
 *   1.234,56 and 1,234.56 are 1234.56;
 * - only ",": one comma is the decimal comma (1234,56; 0,5); several group thousands (1,234,567);
 * - only ".": several group thousands (1.234.567); a single point is a decimal point (1234.56, 0.5,
 *   12.5) unless exactly three digits follow it (1.234), which Greek usage reads as 1234 and English
 *   as 1.234: refused as ambiguous, so the sender writes 1234 or 1,234.
 * The canonical form has no grouping, "." as decimal point, an optional "-" and no leading zeros.
 */
const PLAIN_INTEGER = /^\d{1,15}$/;
const PLAIN_DECIMAL = /^(\d{1,15})(?:,(\d+)|\.(\d{1,2}|\d{4,}))$/;
const LEADING_ZEROS = /^0+(?=\d)/;
/** 1.234,56 and 12.345.678,9 (the first group without a leading zero). */
const GROUPED_DECIMAL_COMMA = /^[1-9]\d{0,2}(?:\.\d{3})+,\d+$/;
const DOTS = /\./g;

export function parseDecimal(raw: string): string | { error: string } {
  // The common forms first: 1234, 1234,56, 1234.56 (not 1.234).
  if (PLAIN_INTEGER.test(raw)) return raw.charCodeAt(0) === 48 ? raw.replace(LEADING_ZEROS, '') : raw;
  const plain = PLAIN_DECIMAL.exec(raw);
  if (plain) {
    const integer = plain[1]!.charCodeAt(0) === 48 ? plain[1]!.replace(LEADING_ZEROS, '') : plain[1]!;
    return `${integer}.${plain[2] ?? plain[3]}`;
  }
  if (GROUPED_DECIMAL_COMMA.test(raw)) {
    const [integer, fraction] = raw.replace(DOTS, '').split(',') as [string, string];
    return `${integer}.${fraction}`;
  }
  const text = raw.replace(/[\s€\u00a0]/g, '');
  const match = /^([+-]?)([\d.,]+)$/.exec(text);
  if (!match)
    return { error: `${quote(raw)} is not a number: write digits with a decimal comma, e.g. 1234,56.` };
  const sign = match[1] === '-' ? '-' : '';
  const body = match[2]!;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  let integer: string;
  let fraction = '';
  const grouped = (digits: string, separator: string): string | null => {
    const parts = digits.split(separator);
    if (!/^\d{1,3}$/.test(parts[0]!) || parts.slice(1).some((p) => !/^\d{3}$/.test(p))) return null;
    return parts.join('');
  };
  if (lastDot !== -1 && lastComma !== -1) {
    const decimalSep = lastDot > lastComma ? '.' : ',';
    const groupSep = decimalSep === '.' ? ',' : '.';
    const cut = Math.max(lastDot, lastComma);
    const intPart = grouped(body.slice(0, cut), groupSep);
    fraction = body.slice(cut + 1);
    if (intPart === null || !/^\d+$/.test(fraction))
      return { error: `${quote(raw)} is not a number: group thousands by three, e.g. 1.234,56.` };
    integer = intPart;
  } else if (lastComma !== -1 || lastDot !== -1) {
    const sep = lastComma !== -1 ? ',' : '.';
    const count = body.split(sep).length - 1;
    if (count > 1) {
      const intPart = grouped(body, sep);
      if (intPart === null)
        return { error: `${quote(raw)} is not a number: group thousands by three, e.g. 1.234.567.` };
      integer = intPart;
    } else {
      const [a, b] = body.split(sep) as [string, string];
      if (sep === '.' && b.length === 3 && a.length > 0)
        return {
          error: `${quote(raw)} is ambiguous: write 1234 for a thousands separator or use a decimal comma (1,234).`,
        };
      if (!/^\d*$/.test(a) || !/^\d+$/.test(b) || (a === '' && b === ''))
        return { error: `${quote(raw)} is not a number: write digits with a decimal comma, e.g. 1234,56.` };
      integer = a === '' ? '0' : a;
      fraction = b;
    }
  } else {
    integer = body;
  }
  if (!/^\d+$/.test(integer)) return { error: `${quote(raw)} is not a number.` };
  integer = integer.replace(/^0+(?=\d)/, '');
  if (integer.length > 15) return { error: `${quote(raw)} is too large a number.` };
  const value = fraction ? `${integer}.${fraction}` : integer;
  return sign && /[1-9]/.test(value) ? `-${value}` : value;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

/**
 * Dates: DD/MM/YYYY or D/M/YYYY (also with "." or "-" between), ISO YYYY-MM-DD, and YYYYMMDD
 * (fixed-width records). The date must exist (31/04 and 29/02 of a common year do not) and its year
 * lie in 1900–2100. Canonical: YYYY-MM-DD.
 */
export function parseDate(raw: string): string | { error: string } {
  const text = raw.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  let year: number, month: number, day: number;
  if (m) [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)) || (m = /^(\d{4})(\d{2})(\d{2})$/.exec(text)))
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return { error: `${quote(raw)} is not a date: write DD/MM/YYYY, e.g. 31/12/2024.` };
  if (!isCalendarDate(year, month, day))
    return {
      error: `${quote(raw)} is not a date of the calendar: check the day and the month (DD/MM/YYYY).`,
    };
  if (year < MIN_YEAR || year > MAX_YEAR)
    return { error: `${quote(raw)} has a year outside ${MIN_YEAR}–${MAX_YEAR}.` };
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'ναι', 'ν', 't', 'x']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'οχι', 'ο', 'f']);

/** Booleans: true/false, yes/no, Y/N, 1/0, ναι/όχι, Ν/Ο (Greek letters), any case and accents. */
export function parseBoolean(raw: string): boolean | null {
  const word = raw.trim().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** Codes: upper case, spaces and hyphens as "_" (self-employed is SELF_EMPLOYED). */
export function canonicalCode(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

/** The last three digits of an identifier, enough to find the line without repeating the number. */
function ending(digits: string): string {
  return digits.length > 4 ? ` ending in …${digits.slice(-3)}` : '';
}

function checkAfmValue(raw: string): Checked {
  const digits = raw.replace(/[\s.-]/g, '');
  if (!/^\d+$/.test(digits))
    return bad(RowProblemCode.BAD_IDENTIFIER, 'The AFM must be 9 digits and has other characters in it.');
  if (digits.length !== 9)
    return bad(
      RowProblemCode.BAD_IDENTIFIER,
      digits.length === 8
        ? 'The AFM has 8 digits, it must have 9: a leading 0 may have been lost (a spreadsheet drops it).'
        : `The AFM must be 9 digits; this one has ${digits.length}.`,
    );
  if (!isValidAfm(digits))
    return bad(
      RowProblemCode.BAD_IDENTIFIER,
      `The AFM${ending(digits)} fails its check digit: check it for a mistyped or swapped digit.`,
    );
  return ok(digits);
}

function checkAmkaValue(raw: string): Checked {
  const digits = raw.replace(/[\s.-]/g, '');
  if (!/^\d+$/.test(digits))
    return bad(RowProblemCode.BAD_IDENTIFIER, 'The AMKA must be 11 digits and has other characters in it.');
  if (digits.length !== 11)
    return bad(
      RowProblemCode.BAD_IDENTIFIER,
      digits.length === 10
        ? 'The AMKA has 10 digits, it must have 11: a leading 0 may have been lost (a spreadsheet drops it).'
        : `The AMKA must be 11 digits; this one has ${digits.length}.`,
    );
  const check = checkAmka(digits);
  if (check.valid) return ok(digits);
  return bad(
    RowProblemCode.BAD_IDENTIFIER,
    check.problem === 'DATE'
      ? `The AMKA${ending(digits)} does not begin with a birth date (DDMMYY): check its first six digits.`
      : `The AMKA${ending(digits)} fails its check digit: check it for a mistyped or swapped digit.`,
  );
}

function inRange(field: FeedField, value: string, raw: string): Checked {
  const n = Number(value);
  if (field.min !== undefined && n < field.min)
    return bad(
      RowProblemCode.OUT_OF_RANGE,
      `${quote(raw)} is below the minimum for ${field.name} (${field.min}).`,
    );
  if (field.max !== undefined && n > field.max)
    return bad(
      RowProblemCode.OUT_OF_RANGE,
      `${quote(raw)} is above the maximum for ${field.name} (${field.max}).`,
    );
  return ok(value);
}

/** Longest text field accepted (names, addresses). */
export const MAX_TEXT_CHARS = 500;

/**
 * The canonical value of one non-empty field, or its problem. `raw` is already trimmed and not empty.
 */
export function checkValue(field: FeedField, raw: string): Checked {
  switch (field.type) {
    case 'afm':
      return checkAfmValue(raw);
    case 'amka':
      return checkAmkaValue(raw);
    case 'text':
      return raw.length > MAX_TEXT_CHARS
        ? bad(
            RowProblemCode.OUT_OF_RANGE,
            `The text is ${raw.length} characters long; at most ${MAX_TEXT_CHARS}.`,
          )
        : ok(raw);
    case 'date': {
      const date = parseDate(raw);
      return typeof date === 'string' ? date : bad(RowProblemCode.BAD_DATE, date.error);
    }
    case 'decimal': {
      const number = parseDecimal(raw);
      return typeof number === 'string'
        ? inRange(field, number, raw)
        : bad(RowProblemCode.BAD_NUMBER, number.error);
    }
    case 'integer': {
      const text = raw.replace(/\s/g, '');
      if (!/^[+-]?\d{1,15}$/.test(text))
        return bad(
          RowProblemCode.BAD_NUMBER,
          // The field's bounds make a better hint than any fixed example (a tax year is not "2").
          `${quote(raw)} is not a whole number: write digits only, ${
            field.min !== undefined && field.max !== undefined
              ? `from ${field.min} to ${field.max}`
              : 'e.g. 2'
          }.`,
        );
      const value = String(Number(text));
      return inRange(field, value === '-0' ? '0' : value, raw);
    }
    case 'boolean': {
      const value = parseBoolean(raw);
      return value === null
        ? bad(
            RowProblemCode.UNKNOWN_CODE,
            `${quote(raw)} is not yes or no: write 1 or 0 (ΝΑΙ/ΟΧΙ, true/false also work).`,
          )
        : ok(String(value));
    }
    case 'code': {
      const value = canonicalCode(raw);
      if (field.codes?.includes(value)) return ok(value);
      return bad(
        RowProblemCode.UNKNOWN_CODE,
        `${quote(raw)} is not a known ${field.name}: use one of ${field.codes?.join(', ')}.`,
      );
    }
    case 'municipality':
      return /^\d{4}$/.test(raw)
        ? ok(raw)
        : /^\d{3}$/.test(raw)
          ? ok(`0${raw}`)
          : bad(
              RowProblemCode.BAD_NUMBER,
              `${quote(raw)} is not a municipality code: write the 4-digit Kallikratis code, e.g. 0101.`,
            );
  }
}
