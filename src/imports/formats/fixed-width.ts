import { RowProblemCode, type FeedDefinition, type FeedRow } from '../contracts.js';
import type { PhysicalLine } from './lines.js';
import { RowBuilder } from './rows.js';

/**
 * Fixed-width records (TAXIS): one record per line, no header, positions in characters of the
 * decoded line (1-based, inclusive, as docs/imports.md lists them).
 * - `digits`: an AFM, zero-padded; blank when absent.
 * - `integer`: right-aligned digits, zero- or space-padded; blank when absent.
 * - `cents`: an amount in euro cents, right-aligned digits, zero- or space-padded (000000123456 is
 *   1234.56); blank when absent.
 * - `date`: YYYYMMDD; blank or 00000000 when absent.
 * - `text`: left-aligned, space-padded.
 * A record is exactly as long as the layout (blank columns as spaces, the last one included);
 * spaces after it are allowed. A shorter record, or one with more than spaces after it, is a
 * MALFORMED_ROW.
 */
export type ColumnKind = 'digits' | 'integer' | 'cents' | 'date' | 'text';

export interface FixedWidthColumn {
  field: string;
  /** 1-based first character. */
  start: number;
  width: number;
  kind: ColumnKind;
}

export type FixedWidthLayout = readonly FixedWidthColumn[];

function layout(columns: Array<[field: string, width: number, kind: ColumnKind]>): FixedWidthLayout {
  let start = 1;
  return columns.map(([field, width, kind]) => {
    const column = { field, start, width, kind };
    start += width;
    return column;
  });
}

/** The TAXIS record: 123 characters. */
export const TAXIS_LAYOUT: FixedWidthLayout = layout([
  ['afm', 9, 'digits'],
  ['tax_year', 4, 'integer'],
  ['household_income', 12, 'cents'],
  ['income_salary', 12, 'cents'],
  ['income_pension', 12, 'cents'],
  ['income_business', 12, 'cents'],
  ['income_farming', 12, 'cents'],
  ['income_rental', 12, 'cents'],
  ['income_other', 12, 'cents'],
  ['real_estate_value', 12, 'cents'],
  ['vehicles', 2, 'integer'],
  ['vehicle_value', 12, 'cents'],
]);

export function recordLength(columns: FixedWidthLayout): number {
  const last = columns[columns.length - 1]!;
  return last.start + last.width - 1;
}

/** A column's text as the field checks read it (numbers and dates in their usual written forms). */
function columnText(kind: ColumnKind, slice: string): string | { error: string } {
  const text = slice.trim();
  if (text === '') return '';
  switch (kind) {
    case 'digits':
    case 'text':
      return text;
    case 'integer':
      return /^\d+$/.test(text) ? String(Number(text)) : { error: 'must be digits only' };
    case 'cents': {
      if (!/^\d+$/.test(text)) return { error: 'must be an amount in cents, digits only' };
      const padded = text.padStart(3, '0');
      return `${padded.slice(0, -2).replace(/^0+(?=\d)/, '')}.${padded.slice(-2)}`;
    }
    case 'date':
      return text === '00000000' ? '' : text;
  }
}

/** Rows of a fixed-width file; blank lines are skipped. */
export async function* fixedWidthRows(
  lines: AsyncIterable<PhysicalLine>,
  definition: FeedDefinition,
  columns: FixedWidthLayout,
): AsyncGenerator<FeedRow> {
  const builder = new RowBuilder(definition);
  const length = recordLength(columns);
  const indexes = columns.map((c) => definition.fields.findIndex((f) => f.name === c.field));
  if (indexes.includes(-1)) throw new Error('fixed-width layout names a field the feed does not have');
  for await (const { line, text, truncated } of lines) {
    if (text.trim() === '') continue;
    if (truncated || text.length < length || (text.length > length && text.slice(length).trim() !== '')) {
      yield builder.malformed(
        line,
        truncated || text.length > length
          ? `The record is longer than the ${length} characters of a ${definition.kind} record.`
          : `The record is ${text.length} characters long; a ${definition.kind} record is ${length} (space-padded).`,
      );
      continue;
    }
    const raw: Array<string | undefined> = new Array(definition.fields.length);
    const columnProblems: Array<{ field: string; message: string }> = [];
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      const value = columnText(column.kind, text.slice(column.start - 1, column.start - 1 + column.width));
      if (typeof value === 'string') raw[indexes[c]!] = value;
      else
        columnProblems.push({
          field: column.field,
          message: `Positions ${column.start}–${column.start + column.width - 1} (${column.field}) ${value.error}.`,
        });
    }
    const row = builder.build(line, raw);
    for (const p of columnProblems) {
      // The column could not be read: replace a MISSING_FIELD the blank value caused by the real reason.
      row.problems = row.problems.filter((q) => q.field !== p.field);
      row.values[p.field] = null;
      row.problems.push({ line, field: p.field, code: RowProblemCode.BAD_NUMBER, message: p.message });
    }
    yield row;
  }
}
