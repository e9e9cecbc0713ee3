import 'reflect-metadata';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { FeedFormat, FeedKind } from '../src/imports/contracts.js';
import { generateFeed } from '../src/imports/feed-generator.js';
import { parseFeed } from '../src/imports/formats/index.js';
import { physicalLines } from '../src/imports/formats/lines.js';
import { printTable } from './report.js';

/**
 * Throughput of the feed parser alone (no database): BENCH_ROWS (1,000,000) TAXIS rows per format
 * (CSV, fixed width, JSON lines; UTF-8, 2% bad rows of every kind), generated once into
 * BENCH_FEED_DIR (the temp directory) and kept for later runs. For each format it prints the rows
 * per second of parseFeed (every field checked, batches of 5,000 consumed), of reading, decoding
 * and splitting the same file into lines alone (the floor any parser pays), and the peak RSS of the
 * process while parsing.
 *
 * Run: npm run bench:feed-parse
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DIR = process.env.BENCH_FEED_DIR ?? tmpdir();
const FORMATS: Array<[FeedFormat, string]> = [
  [FeedFormat.CSV, 'csv'],
  [FeedFormat.FIXED_WIDTH, 'txt'],
  [FeedFormat.JSONL, 'jsonl'],
];

async function ensureFile(format: FeedFormat, extension: string): Promise<string> {
  const path = join(DIR, `mitroa-bench-taxis-${ROWS}.${extension}`);
  if (existsSync(path)) return path;
  const started = performance.now();
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const summary = await generateFeed(
    {
      feed: FeedKind.TAXIS,
      format,
      rows: ROWS,
      badShare: 0.02,
      seed: 1,
      romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
    },
    out,
  );
  out.end();
  await finished(out);
  renameSync(partial, path);
  console.log(
    `generated ${path}: ${summary.rows.toLocaleString('en')} rows, ${summary.badRows.toLocaleString('en')} bad, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return path;
}

/** Peak RSS while `fn` runs, sampled every 50 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

async function parse(path: string): Promise<{ rows: number; bad: number; seconds: number }> {
  const started = performance.now();
  const parsed = await parseFeed(createReadStream(path), { feed: FeedKind.TAXIS, batchSize: 5000 });
  let rows = 0;
  let bad = 0;
  for await (const batch of parsed.batches) {
    rows += batch.length;
    for (const row of batch) if (row.problems.length > 0) bad++;
  }
  return { rows, bad, seconds: (performance.now() - started) / 1000 };
}

async function linesOnly(path: string): Promise<{ lines: number; seconds: number }> {
  const started = performance.now();
  const decoded = pipeline(createReadStream(path), iconv.decodeStream('utf-8'), () => undefined);
  let lines = 0;
  for await (const line of physicalLines(decoded as AsyncIterable<string>)) if (line.text) lines++;
  return { lines, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const results: Array<[string, string]> = [];
  for (const [format, extension] of FORMATS) {
    const path = await ensureFile(format, extension);
    const megabytes = statSync(path).size / 1024 / 1024;
    const floor = await linesOnly(path);
    const { result, peakMb } = await withPeakRss(() => parse(path));
    if (result.rows !== ROWS) throw new Error(`${format}: parsed ${result.rows} rows of ${ROWS}`);
    results.push(
      [
        `${format} parseFeed`,
        `${Math.round(result.rows / result.seconds).toLocaleString('en')} rows/s  (${result.seconds.toFixed(1)} s, ${(megabytes / result.seconds).toFixed(1)} MB/s, ${result.bad.toLocaleString('en')} bad rows, peak RSS ${peakMb.toFixed(0)} MB)`,
      ],
      [
        `${format} read+decode+lines`,
        `${Math.round(floor.lines / floor.seconds).toLocaleString('en')} lines/s  (${floor.seconds.toFixed(1)} s, ${megabytes.toFixed(0)} MB file)`,
      ],
    );
  }
  printTable(
    `feed parsing, ${ROWS.toLocaleString('en')} TAXIS rows per format (node ${process.version})`,
    results,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
