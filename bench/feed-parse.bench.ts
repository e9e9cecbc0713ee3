import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { FeedFormat, FeedKind } from '../src/imports/contracts.js';
import { parseFeed } from '../src/imports/formats/index.js';
import { physicalLines } from '../src/imports/formats/lines.js';
import { printTable } from './report.js';

/**
 * Throughput of the feed parser alone (no database): BENCH_ROWS (1,000,000) TAXIS rows per format
 * (CSV, fixed width, JSON lines; UTF-8, 2% bad rows of every kind), generated once into
 * BENCH_FEED_DIR (the temp directory) and kept for later runs. For each format it prints the rows
 * per second of parseFeed (every field checked, batches of 5,000 consumed) and per CPU-second (the
 * figure to trust on a shared machine), of reading, decoding and splitting the same file into lines
 * alone (the floor any parser pays), and the peak RSS. Each measurement runs in a fresh process
 * (this script with --parse or --lines), so the generator's memory is not counted.
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
  // Loaded here only: the measuring processes hold the parser and nothing else.
  await import('reflect-metadata');
  const { ROMA_BRANCH_MUNICIPALITIES } = await import('../src/demo/beneficiaries.seeder.js');
  const { generateFeed } = await import('../src/imports/feed-generator.js');
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

interface Measured {
  rows: number;
  bad: number;
  seconds: number;
  cpuSeconds: number;
  peakMb: number;
}

async function parse(path: string): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { result, peakMb } = await withPeakRss(async () => {
    const parsed = await parseFeed(createReadStream(path), { feed: FeedKind.TAXIS, batchSize: 5000 });
    let rows = 0;
    let bad = 0;
    for await (const batch of parsed.batches) {
      rows += batch.length;
      for (const row of batch) if (row.problems.length > 0) bad++;
    }
    return { rows, bad };
  });
  const used = process.cpuUsage(cpu);
  return {
    ...result,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb,
  };
}

async function linesOnly(path: string): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { result, peakMb } = await withPeakRss(async () => {
    const decoded = pipeline(createReadStream(path), iconv.decodeStream('utf-8'), () => undefined);
    let rows = 0;
    for await (const chunk of physicalLines(decoded as AsyncIterable<string>))
      for (const line of chunk) if (line.text) rows++;
    return { rows, bad: 0 };
  });
  const used = process.cpuUsage(cpu);
  return {
    ...result,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb,
  };
}

/** Runs one measurement in a fresh process of this script. */
function inChild(mode: '--parse' | '--lines', path: string): Measured {
  const out = execFileSync(process.execPath, [process.argv[1]!, mode, path], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en');

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  if (mode === '--parse' || mode === '--lines') {
    console.log(JSON.stringify(mode === '--parse' ? await parse(path!) : await linesOnly(path!)));
    return;
  }
  const results: Array<[string, string]> = [];
  for (const [format, extension] of FORMATS) {
    const file = await ensureFile(format, extension);
    const megabytes = statSync(file).size / 1024 / 1024;
    const floor = inChild('--lines', file);
    const parsed = inChild('--parse', file);
    if (parsed.rows !== ROWS) throw new Error(`${format}: parsed ${parsed.rows} rows of ${ROWS}`);
    results.push(
      [
        `${format} parseFeed`,
        `${rate(parsed.rows, parsed.seconds)} rows/s, ${rate(parsed.rows, parsed.cpuSeconds)} rows/CPU-s  (${parsed.seconds.toFixed(1)} s, ${(megabytes / parsed.seconds).toFixed(1)} MB/s, ${parsed.bad.toLocaleString('en')} bad rows, peak RSS ${parsed.peakMb.toFixed(0)} MB)`,
      ],
      [
        `${format} read+decode+lines`,
        `${rate(floor.rows, floor.seconds)} lines/s, ${rate(floor.rows, floor.cpuSeconds)} lines/CPU-s  (${floor.seconds.toFixed(1)} s, ${megabytes.toFixed(0)} MB file, peak RSS ${floor.peakMb.toFixed(0)} MB)`,
      ],
    );
  }
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  printTable(
    `feed parsing, ${ROWS.toLocaleString('en')} TAXIS rows per format (node ${process.version}, load average ${load})`,
    results,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
