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

type Item =
  | { kind: 'record'; line: number; end: number; skipped?: boolean }
  | { kind: 'bad'; line: number; message: string };

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
  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.head; i < this.items.length; i++) if (predicate(this.items[i]!)) return this.items[i];
    return undefined;
  }
  /**
   * Takes the first item and lets go of it: an item left in the array until the next compaction
   * would live for thousands of rows and be promoted to V8's old generation, garbage there.
   */
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Groups physical lines into records (see above), synchronously: `push` takes the lines of a chunk
 * and returns the text of the complete well-formed records among them (queueing an item per record,
 * good or bad, in file order); a record still open waits for the next chunk.
 */
class RecordGrouper {
  private readonly blank: RegExp;
  /** Lines of a record still inside a quoted field. */
  private open: PhysicalLine[] = [];
  /** Lines handed to csv-parse so far. */
  private fed = 0;

  constructor(
    private readonly delimiter: Delimiter,
    private readonly queue: Queue<Item>,
  ) {
    this.blank = new RegExp(`^[\\s${delimiter}]*$`);
  }

  push(lines: PhysicalLine[], final = false): string {
    let text = '';
    const work = lines;
    for (let i = 0; i < work.length; i++) {
      const current = work[i]!;
      if (this.open.length > 0) {
        this.open.push(current);
        const state = current.truncated
          ? 'the line is too long.'
          : scanQuotes(current.text, this.delimiter, true);
        if (state === true && this.open.length < MAX_RECORD_LINES) continue;
        if (state === false) {
          text += this.accept(this.open);
          this.open = [];
        } else {
          // Refused: its first line is reported, the lines after it are read again as new records.
          const retry = this.refuse(state);
          work.splice(i + 1, 0, ...retry);
        }
        continue;
      }
      if (current.truncated) {
        this.queue.push({
          kind: 'bad',
          line: current.line,
          message: 'The line is too long (over a million characters).',
        });
        continue;
      }
      if (this.blank.test(current.text)) continue;
      const state = current.text.includes('"') ? scanQuotes(current.text, this.delimiter, false) : false;
      if (state === false) text += this.accept([current]);
      else if (state === true) this.open = [current];
      else
        this.queue.push({
          kind: 'bad',
          line: current.line,
          message: `The line cannot be split into fields: ${state}`,
        });
    }
    if (final && this.open.length > 0) {
      const retry = this.refuse(true);
      text += this.push(retry, true);
    }
    return text;
  }

  private accept(lines: PhysicalLine[]): string {
    this.fed += lines.length;
    this.queue.push({ kind: 'record', line: lines[0]!.line, end: this.fed });
    return lines.length === 1 ? lines[0]!.text + '\n' : lines.map((l) => l.text).join('\n') + '\n';
  }

  /** Reports the open record's first line; returns the lines after it. */
  private refuse(state: true | string): PhysicalLine[] {
    const [first, ...rest] = this.open;
    this.open = [];
    this.queue.push({
      kind: 'bad',
      line: first!.line,
      message:
        state === true
          ? 'A quoted field opened on this line is never closed: close the quote, or double a quote inside the field ("").'
          : `The line cannot be split into fields: ${state}`,
    });
    return rest;
  }
}

/**
 * Reads the header (the first non-blank line) and returns the rows after it, a chunk of rows per
 * chunk of the file. Throws FeedFileError when the header lacks a required column, names one twice,
 * or cannot be read.
 */
export async function csvRows(
  lineChunks: AsyncIterator<PhysicalLine[]>,
  definition: FeedDefinition,
  delimiter: Delimiter,
): Promise<AsyncGenerator<FeedRow[]>> {
  const queue = new Queue<Item>();
  const grouper = new RecordGrouper(delimiter, queue);
  // csv-parse as a stream, written to and read from synchronously: each write of complete records
  // gives those records at once, in order. A record it refuses all the same (it should not, after
  // the quote scanner) is reported through 'skip' with the line it failed on, which names the
  // queued record whose span holds that line.
  const parser = parse({
    delimiter,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
  });
  const skips: number[] = [];
  parser.on('skip', (error: { lines?: number }) => skips.push(error.lines ?? 0));
  const parsed: string[][] = [];
  const feed = (text: string): void => {
    if (text) parser.write(text);
    for (let r = parser.read() as string[] | null; r !== null; r = parser.read() as string[] | null)
      parsed.push(r);
    for (const lines of skips) {
      const item = queue.find((i) => i.kind === 'record' && !i.skipped && i.end >= lines);
      if (item?.kind === 'record') item.skipped = true;
    }
    skips.length = 0;
  };
  let done = false;
  /** Reads the next chunk of lines; returns false at the end. */
  const more = async (): Promise<boolean> => {
    if (done) return false;
    const next = await lineChunks.next();
    if (next.done) {
      done = true;
      feed(grouper.push([], true));
      parser.end();
      feed('');
      return false;
    }
    feed(grouper.push(next.value));
    return true;
  };
  const unsplit = 'The line cannot be split into fields: check its quotes.';

  // The header: the first record, unless the first line was refused.
  while (queue.peek() === undefined && (await more()));
  // csv-parse may hold a record back until it sees what follows it (or the end).
  for (let first = queue.peek(); first?.kind === 'record' && !first.skipped && parsed.length === 0;) {
    if (!(await more())) break;
    first = queue.peek();
  }
  const headerItem = queue.shift();
  const header = headerItem?.kind === 'record' && !headerItem.skipped ? parsed.shift() : undefined;
  let columns: number[];
  try {
    if (!headerItem)
      throw new FeedFileError(FeedFileErrorCode.EMPTY_FILE, 'The file has no header line and no rows.');
    if (!header)
      throw new FeedFileError(
        FeedFileErrorCode.BAD_HEADER,
        `The header line cannot be read: ${headerItem.kind === 'bad' ? headerItem.message : unsplit}`,
      );
    columns = mapHeader(header, definition);
  } catch (error) {
    parser.destroy();
    throw error;
  }
  const builder = new RowBuilder(definition);
  const width = header.length;

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

  /** The rows of the records parsed so far, and of the refused lines before them, in file order. */
  function drain(final: boolean): FeedRow[] {
    const rows: FeedRow[] = [];
    for (const record of parsed) {
      let item = queue.shift();
      while (item && (item.kind === 'bad' || item.skipped)) {
        rows.push(builder.malformed(item.line, item.kind === 'bad' ? item.message : unsplit));
        item = queue.shift();
      }
      rows.push(toRow(item?.line ?? 0, record));
    }
    parsed.length = 0;
    // Refused lines after the last record need not wait for one; at the end, nothing waits.
    for (
      let item = queue.peek();
      item && (item.kind === 'bad' || item.skipped || final);
      item = queue.peek()
    ) {
      queue.shift();
      rows.push(builder.malformed(item.line, item.kind === 'bad' ? item.message : unsplit));
    }
    return rows;
  }

  async function* rows(): AsyncGenerator<FeedRow[]> {
    try {
      for (;;) {
        const going = await more();
        const chunk = drain(!going);
        if (chunk.length > 0) yield chunk;
        if (!going) return;
      }
    } finally {
      parser.destroy();
    }
  }
  // Rows already parsed with the header come first.
  async function* all(): AsyncGenerator<FeedRow[]> {
    const first = drain(done);
    if (first.length > 0) yield first;
    if (!done) yield* rows();
  }
  return all();
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
