import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { FeedEncoding } from '../contracts.js';

/**
 * Which of the three encodings a feed file is in, from its first bytes.
 *
 * 1. A sample that is valid UTF-8 (a sequence cut by the end of the sample allowed) is UTF-8; pure
 *    ASCII is UTF-8 too. A UTF-8 byte-order mark is stripped by the decoder.
 * 2. Otherwise windows-1253 or ISO-8859-7. The two agree on ASCII and on every Greek letter but Ά;
 *    iconv-lite's tables differ at 0x80–0x9F (windows-1253: € ‚ „ … ‘ ’ “ ” – — ™ and others;
 *    ISO-8859-7: C1 control codes, never in a text file), 0xA1 (΅ | ‘), 0xA2 (Ά | ’), 0xA4 (¤ | €),
 *    0xA5 (¥ | ₯), 0xAA (unassigned | ͺ), 0xAE (® | unassigned), 0xB5 (µ | ΅) and 0xB6 (¶ | Ά).
 *    Each of those bytes in the sample is a vote for the encoding in which it reads as plausible
 *    text:
 *    - 0x80–0x9F and 0xAE: windows-1253 (ISO-8859-7 reads a control code or nothing);
 *    - 0xA2 followed by a Greek letter: windows-1253 (Ά beginning a word: Άννα, Άγιος);
 *      0xA2 otherwise: ISO-8859-7 (a closing quote ’);
 *    - 0xB6 followed by a Greek letter: ISO-8859-7 (Ά); 0xB6 otherwise: windows-1253 (¶);
 *    - 0xA1 and 0xA4: ISO-8859-7 (‘ and €; windows-1253 reads a spacing accent and ¤);
 *    - 0xAA: ISO-8859-7 (ͺ; unassigned in windows-1253).
 *    0xA5 and 0xB5 are rare in both readings and do not vote. The encoding with more votes wins; a
 *    tie (no differing byte in the sample: then both read it the same) is windows-1253, what Greek
 *    Windows software writes.
 * "A Greek letter" is a byte 0xB8–0xFE other than 0xBB, 0xBD and 0xD2 (Έ Ή Ί Ό Ύ Ώ ΐ Α–Ω ά–ώ in both).
 */
export const DETECTION_SAMPLE_BYTES = 64 * 1024;

export interface EncodingVerdict {
  encoding: FeedEncoding;
  /** Votes counted (both zero for UTF-8). */
  windows1253Votes: number;
  iso88597Votes: number;
}

const isGreekLetterByte = (b: number | undefined): boolean =>
  b !== undefined && b >= 0xb8 && b <= 0xfe && b !== 0xbb && b !== 0xbd && b !== 0xd2;

/** Whether the bytes are UTF-8, allowing a multi-byte sequence cut short by the end of the sample. */
export function isUtf8Sample(sample: Buffer, complete: boolean): boolean {
  let end = sample.length;
  if (!complete) {
    // Back off to the start of the last sequence if it could be incomplete (at most 3 bytes).
    let i = end - 1;
    let back = 0;
    while (i >= 0 && back < 3 && (sample[i]! & 0xc0) === 0x80) {
      i--;
      back++;
    }
    if (i >= 0 && sample[i]! >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

export function detectEncoding(sample: Buffer, complete = true): EncodingVerdict {
  if (isUtf8Sample(sample, complete))
    return { encoding: FeedEncoding.UTF8, windows1253Votes: 0, iso88597Votes: 0 };
  let w = 0;
  let iso = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b < 0x80) continue;
    if (b <= 0x9f || b === 0xae) w++;
    else if (b === 0xa2) {
      if (isGreekLetterByte(sample[i + 1])) w++;
      else iso++;
    } else if (b === 0xb6) {
      if (isGreekLetterByte(sample[i + 1])) iso++;
      else w++;
    } else if (b === 0xa1 || b === 0xa4 || b === 0xaa) iso++;
  }
  return {
    encoding: iso > w ? FeedEncoding.ISO_8859_7 : FeedEncoding.WINDOWS_1253,
    windows1253Votes: w,
    iso88597Votes: iso,
  };
}

/** The iconv-lite name of an encoding. */
export function iconvName(encoding: FeedEncoding): string {
  switch (encoding) {
    case FeedEncoding.UTF8:
      return 'utf-8';
    case FeedEncoding.WINDOWS_1253:
      return 'windows-1253';
    case FeedEncoding.ISO_8859_7:
      return 'iso-8859-7';
  }
}

/** Decodes a whole buffer (the sample); a UTF-8 BOM is dropped. */
export function decodeSample(sample: Buffer, encoding: FeedEncoding): string {
  return iconv.decode(sample, iconvName(encoding));
}

/**
 * The most bytes handed on at once. A source may give much larger chunks (a stored file's 1 MB
 * chunks; a stream's async iterator joins everything it has buffered): the readers turn a chunk into
 * all of its rows at once, and the rows of a whole megabyte (about 14,000) live long enough to be
 * promoted to V8's old generation, which then grows by about 1 KB per row until a full collection.
 * A piece decodes to a string under V8's large-object size (128 KB) in any encoding.
 */
export const PIECE_BYTES = 32 * 1024;

/** A buffer as views of at most PIECE_BYTES (no copy). */
function* pieces(chunk: Buffer): Generator<Buffer> {
  if (chunk.length <= PIECE_BYTES) yield chunk;
  else for (let at = 0; at < chunk.length; at += PIECE_BYTES) yield chunk.subarray(at, at + PIECE_BYTES);
}

/**
 * Reads the first `bytes` bytes of a stream without losing them: returns them and a stream of the
 * whole input (the head, then the rest, read on demand, so backpressure reaches the source), in
 * pieces of at most PIECE_BYTES.
 */
export async function peek(
  input: Readable,
  bytes = DETECTION_SAMPLE_BYTES,
): Promise<{ head: Buffer; complete: boolean; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    chunks.push(chunk);
    length += chunk.length;
  }
  const all = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    yield* pieces(all);
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield* pieces(typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value);
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // A consumer that stops early (or fails) releases the source.
  stream.on('close', () => void iterator.return?.());
  return { head: all.subarray(0, bytes), complete: done && all.length <= bytes, stream };
}
