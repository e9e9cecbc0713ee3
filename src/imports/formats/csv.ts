import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FeedDefinition, FeedRow } from '../contracts.js';
import { fieldForHeader } from '../feeds.js';
import { FeedFileError, FeedFileErrorCode } from './feed-file.error.js';
import type { PhysicalLine } from './lines.js';
import { RowBuilder } from './rows.js';

/**
 * CSV feeds. Physical lines are grouped into records by a small quote scanner (a quoted field may
 * span lines), which also refuses what would derail a CSV parser for the rest of the file: a
 * closing quote followed by anything but the delimiter or the end of the line, and a quote still
 * open after MAX_RECORD_LINES lines or at the end of the file. Such a record is a MALFORMED_ROW at
 * its first line and reading resumes on the line after it. Well-formed records are split into
 * fields by csv-parse, streaming; each row carries the physical line its record begins on (the
 * header is line 1 when it is the first line). Blank lines, and lines of nothing but delimiters
 * (what spreadsheets write for an empty row), are skipped.
 */
export const MAX_RECORD_LINES = 100;
/** Text handed to csv-parse at a time. */
const CHUNK_CHARS = 64 * 1024;

export type Delimiter = ';' | ',';

/** `;` when the header has at least as many `;` as `,` (and some), else `,` when it has any, else `;`. */
export function detectDelimiter(headerLine: string): Delimiter {
  let semicolons = 0;
  let commas = 0;
  for (const c of headerLine) {
    if (c === ';') semicolons++;
    else if (c === ',') commas++;
  }
  return semicolons > 0 && semicolons >= commas ? ';' : commas > 0 ? ',' : ';';
}

/** Whether a line ends inside a quoted field, or an error when a closing quote is misplaced. */
function scanQuotes(text: string, delimiter: string, inQuotes: boolean): boolean | string {
  let i = 0;
  let fieldStart = !inQuotes;
  const n = text.length;
  while (i <= n) {
    if (inQuotes) {
      const q = text.indexOf('"', i);
      if (q === -1) return true;
      if (text[q + 1] === '"') {
        i = q + 2;
        continue;
      }
      inQuotes = false;
      i = q + 1;
      if (i < n && text[i] !== delimiter)
        return 'a closing quote is followed by more text before the delimiter: put the whole field in quotes and double any quote inside it ("").';
      i++;
      fieldStart = true;
    } else if (fieldStart && text[i] === '"') {
      inQuotes = true;
      i++;
      fieldStart = false;
    } else {
      const d = text.indexOf(delimiter, i);
      if (d === -1) return false;
      i = d + 1;
      fieldStart = true;
    }
  }
  return false;
}

type Item = { kind: 'record'; line: number; end: number } | { kind: 'bad'; line: number; message: string };

/** A FIFO of the records handed to csv-parse and of the refused ones, in file order. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Reads the header (the first non-blank line) and returns the rows after it. Throws FeedFileError
 * when the header lacks a required column, names one twice, or cannot be read.
 */
export async function csvRows(
  lines: AsyncIterator<PhysicalLine>,
  definition: FeedDefinition,
  delimiterOption?: Delimiter,
): Promise<{ delimiter: Delimiter; rows: AsyncGenerator<FeedRow> }> {
  // The first non-blank line decides the delimiter.
  let first: PhysicalLine | undefined;
  for (;;) {
    const next = await lines.next();
    if (next.done)
      throw new FeedFileError(FeedFileErrorCode.EMPTY_FILE, 'The file has no header line and no rows.');
    if (next.value.text.trim() !== '') {
      first = next.value;
      break;
    }
  }
  if (first.truncated)
    throw new FeedFileError(FeedFileErrorCode.BAD_HEADER, 'The header line is too long to be a header.');
  const delimiter = delimiterOption ?? detectDelimiter(first.text);
  const blank = new RegExp(`^[\\s${delimiter}]*$`);
  const queue = new Queue<Item>();
  const lookahead: PhysicalLine[] = [first];
  const nextLine = async (): Promise<PhysicalLine | undefined> => {
    if (lookahead.length > 0) return lookahead.shift();
    const next = await lines.next();
    return next.done ? undefined : next.value;
  };

  let fed = 0; // lines handed to csv-parse so far
  async function* records(): AsyncGenerator<string> {
    let chunk = '';
    for (;;) {
      const start = await nextLine();
      if (!start) break;
      if (start.truncated) {
        queue.push({
          kind: 'bad',
          line: start.line,
          message: 'The line is too long (over a million characters).',
        });
        continue;
      }
      if (blank.test(start.text)) continue;
      let state = start.text.includes('"') ? scanQuotes(start.text, delimiter, false) : false;
      const taken: PhysicalLine[] = [start];
      while (state === true && taken.length < MAX_RECORD_LINES) {
        const more = await nextLine();
        if (!more) break;
        taken.push(more);
        state = more.truncated ? 'the line is too long.' : scanQuotes(more.text, delimiter, true);
      }
      if (state !== false) {
        queue.push({
          kind: 'bad',
          line: start.line,
          message:
            state === true
              ? 'A quoted field opened on this line is never closed: close the quote, or double a quote inside the field ("").'
              : `The line cannot be split into fields: ${state}`,
        });
        // Resume on the line after the bad one.
        lookahead.unshift(...taken.slice(1));
        continue;
      }
      fed += taken.length;
      queue.push({ kind: 'record', line: start.line, end: fed });
      chunk += taken.length === 1 ? start.text + '\n' : taken.map((l) => l.text).join('\n') + '\n';
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  const parser = Readable.from(records(), { objectMode: false }).pipe(
    parse({
      delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
      info: true,
    }),
  );
  const parsed = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;

  const header = await parsed.next();
  const headerItem = queue.shift();
  let columns: number[];
  try {
    if (header.done || headerItem?.kind !== 'record' || header.value.info.lines !== headerItem.end)
      throw new FeedFileError(
        FeedFileErrorCode.BAD_HEADER,
        headerItem?.kind === 'bad'
          ? `The header line cannot be read: ${headerItem.message}`
          : 'The header line cannot be read.',
      );
    columns = mapHeader(header.value.record, definition);
  } catch (error) {
    parser.destroy();
    throw error;
  }
  const builder = new RowBuilder(definition);
  const width = header.value!.record.length;

  function toRow(line: number, record: string[]): FeedRow {
    if (
      record.length !== width &&
      !(record.length > width && record.slice(width).every((v) => v.trim() === ''))
    )
      return builder.malformed(
        line,
        `The line has ${record.length} fields and the header ${width}: check the delimiter (${delimiter}) and the quotes.`,
      );
    const raw: Array<string | undefined> = new Array(definition.fields.length);
    for (let c = 0; c < columns.length; c++) {
      const f = columns[c]!;
      if (f !== -1) raw[f] = record[c];
    }
    return builder.build(line, raw);
  }

  async function* rows(): AsyncGenerator<FeedRow> {
    try {
      for (;;) {
        const next = await parsed.next();
        const end = next.done ? Infinity : next.value.info.lines;
        for (let item = queue.peek(); item && (item.kind === 'bad' || item.end < end); item = queue.peek()) {
          queue.shift();
          yield item.kind === 'bad'
            ? builder.malformed(item.line, item.message)
            : builder.malformed(item.line, 'The line cannot be split into fields: check its quotes.');
        }
        if (next.done) return;
        const item = queue.shift();
        yield toRow(item && item.kind === 'record' ? item.line : next.value.info.lines, next.value.record);
      }
    } finally {
      parser.destroy();
    }
  }
  return { delimiter, rows: rows() };
}

/** For each header cell, the index of its field in the definition, or -1 for a column not of the feed. */
function mapHeader(cells: string[], definition: FeedDefinition): number[] {
  const seen = new Map<string, string>();
  const columns = cells.map((cell) => {
    const field = fieldForHeader(definition, cell);
    if (!field) return -1;
    const before = seen.get(field.name);
    if (before !== undefined)
      throw new FeedFileError(
        FeedFileErrorCode.DUPLICATE_COLUMN,
        `The columns "${before}" and "${cell.trim()}" both give the ${field.name}: keep one.`,
      );
    seen.set(field.name, cell.trim());
    return definition.fields.indexOf(field);
  });
  const missing = definition.fields.filter((f) => f.required && !seen.has(f.name)).map((f) => f.name);
  if (
    definition.personKeys.length > 1 &&
    definition.kind !== 'REGISTRY' &&
    !definition.personKeys.some((k) => seen.has(k))
  )
    missing.push(definition.personKeys.join(' or '));
  if (missing.length > 0)
    throw new FeedFileError(
      FeedFileErrorCode.MISSING_COLUMNS,
      `The header has no column for ${missing.join(', ')} (a ${definition.kind} file needs ${definition.fields
        .filter((f) => f.required)
        .map((f) => f.headers.slice(0, 2).join(' / '))
        .join(', ')}); the header read was: ${cells
        .map((c) => c.trim())
        .join(' | ')
        .slice(0, 300)}`,
    );
  return columns;
}
