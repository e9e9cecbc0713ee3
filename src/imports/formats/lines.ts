/** A physical line of a decoded file: 1-based number, text without its line break. */
export interface PhysicalLine {
  line: number;
  text: string;
  /** The line was longer than the limit: `text` holds only its beginning. */
  truncated: boolean;
}

/** A line longer than this (characters) is cut and reported, so one bad file cannot exhaust memory. */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits a stream of decoded text into physical lines (LF or CRLF; a lone CR is not a break), numbered
 * from 1, the last line without a break included if not empty. Memory: one chunk plus one line.
 */
export async function* physicalLines(
  chunks: AsyncIterable<string | Buffer>,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<PhysicalLine> {
  let line = 0;
  let pending = '';
  let truncated = false;
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? raw : raw.toString('utf8');
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      let text = pending.length > 0 ? pending + chunk.slice(start, nl) : chunk.slice(start, nl);
      pending = '';
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.length > maxLineChars) {
        text = text.slice(0, maxLineChars);
        truncated = true;
      }
      yield { line: ++line, text, truncated };
      truncated = false;
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (truncated) continue;
      pending += chunk.slice(start);
      if (pending.length > maxLineChars) {
        pending = pending.slice(0, maxLineChars);
        truncated = true;
      }
    }
  }
  if (pending.length > 0 || truncated) {
    if (pending.endsWith('\r')) pending = pending.slice(0, -1);
    yield { line: line + 1, text: pending, truncated };
  }
}
