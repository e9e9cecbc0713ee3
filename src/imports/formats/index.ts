import { pipeline, type Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { FeedFormat, FeedKind, type FeedRow, type ParseFeed, type ParsedFeed } from '../contracts.js';
import { feedDefinition } from '../feeds.js';
import { csvRows, detectDelimiter } from './csv.js';
import { decodeSample, detectEncoding, iconvName, peek } from './encoding.js';
import { FeedFileError, FeedFileErrorCode } from './feed-file.error.js';
import { fixedWidthRows, TAXIS_LAYOUT } from './fixed-width.js';
import { jsonlRows } from './jsonl.js';
import { physicalLines } from './lines.js';

export { detectEncoding, DETECTION_SAMPLE_BYTES } from './encoding.js';
export { FeedFileError, FeedFileErrorCode } from './feed-file.error.js';
export { TAXIS_LAYOUT, recordLength } from './fixed-width.js';

export const DEFAULT_BATCH_SIZE = 5000;

/**
 * Reads a feed file as a stream (ParseFeed, contracts.ts): detects the encoding from the first
 * 64 KiB (src/imports/formats/encoding.ts) unless given, the format (JSONL when the first non-blank
 * character is "{", fixed width for a TAXIS file whose first line has neither ";" nor ",", else
 * CSV) unless given, and for CSV reads the header before returning, so a file without the required
 * columns is refused at once (FeedFileError). Rows come in batches, pulled: the file is read as fast
 * as the batches are consumed, and memory holds one batch and the stream buffers.
 */
export const parseFeed: ParseFeed = async (input, options) => {
  const definition = feedDefinition(options.feed);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const { head, complete, stream } = await peek(input);
  const encoding = options.encoding ?? detectEncoding(head, complete).encoding;
  const sampleText = decodeSample(head, encoding);
  const firstLine = sampleText.split('\n').find((l) => l.trim() !== '') ?? '';
  const format =
    options.format ??
    (firstLine.trimStart().startsWith('{')
      ? FeedFormat.JSONL
      : options.feed === FeedKind.TAXIS && !/[;,]/.test(firstLine)
        ? FeedFormat.FIXED_WIDTH
        : FeedFormat.CSV);
  if (!definition.formats.includes(format)) {
    stream.destroy();
    throw new FeedFileError(
      FeedFileErrorCode.UNSUPPORTED_FORMAT,
      `A ${options.feed} file comes as ${definition.formats.join(', ')}, not ${format}.`,
    );
  }

  const decoder = iconv.decodeStream(iconvName(encoding)) as unknown as Transform;
  const decoded = pipeline(stream, decoder, () => undefined);
  const lines = physicalLines(decoded as AsyncIterable<string>);

  let rows: AsyncGenerator<FeedRow>;
  try {
    if (format === FeedFormat.CSV) {
      rows = (
        await csvRows(
          lines[Symbol.asyncIterator](),
          definition,
          options.delimiter ?? detectDelimiter(firstLine),
        )
      ).rows;
    } else if (format === FeedFormat.FIXED_WIDTH) rows = fixedWidthRows(lines, definition, TAXIS_LAYOUT);
    else rows = jsonlRows(lines, definition);
  } catch (error) {
    decoded.destroy();
    throw error;
  }

  return {
    format,
    encoding,
    encodingDetected: options.encoding === undefined,
    batches: batched(rows, batchSize, () => decoded.destroy()),
  } satisfies ParsedFeed;
};

async function* batched(
  rows: AsyncIterable<FeedRow>,
  size: number,
  release: () => void,
): AsyncGenerator<FeedRow[]> {
  let batch: FeedRow[] = [];
  try {
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    release();
  }
}
