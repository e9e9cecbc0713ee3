import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROMA_BRANCH_MUNICIPALITIES } from '../demo/beneficiaries.seeder.js';
import { FeedEncoding, FeedFormat, FeedKind } from './contracts.js';
import { DEFAULT_PEOPLE_SEED, generateFeed } from './feed-generator.js';

/**
 * npm run feeds:generate -- --feed taxis --rows 1000000 [--format csv|fixed-width|jsonl]
 *   [--encoding utf-8|windows-1253|iso-8859-7] [--delimiter ';'|','] [--bad-share 0.02] [--seed N]
 *   [--people-seed N] [--people N] [--database-url URL] --out FILE
 *
 * Writes a synthetic feed file (src/imports/feed-generator.ts) and prints a summary as JSON.
 * --people-seed and --people name the synthetic population (the benchmarks' SEED and BENCH_PEOPLE;
 * default 20261123 and as many people as rows); --database-url reads the municipalities from that
 * database as the benchmarks do, so the file names exactly the people they loaded.
 */
const USAGE = `usage: npm run feeds:generate -- --feed taxis|efka|opeka|kepa|dypa|registry --rows N --out FILE
  [--format csv|fixed-width|jsonl] [--encoding utf-8|windows-1253|iso-8859-7] [--delimiter ';'|',']
  [--bad-share 0.02] [--seed N] [--people-seed N] [--people N] [--database-url URL]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function choice<T extends string>(
  value: string | undefined,
  map: Record<string, T>,
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  const found = map[value.toLowerCase()];
  if (!found) fail(`--${name} must be one of ${Object.keys(map).join(', ')}`);
  return found;
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a whole number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      feed: { type: 'string' },
      rows: { type: 'string' },
      format: { type: 'string' },
      encoding: { type: 'string' },
      delimiter: { type: 'string' },
      'bad-share': { type: 'string' },
      seed: { type: 'string' },
      'people-seed': { type: 'string' },
      people: { type: 'string' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const feed = choice(
    values.feed,
    Object.fromEntries(Object.values(FeedKind).map((k) => [k.toLowerCase(), k])) as Record<string, FeedKind>,
    'feed',
  );
  const rows = integer(values.rows, 'rows');
  if (!feed || rows === undefined || !values.out) fail('--feed, --rows and --out are required');
  const format = choice(
    values.format,
    { csv: FeedFormat.CSV, 'fixed-width': FeedFormat.FIXED_WIDTH, jsonl: FeedFormat.JSONL },
    'format',
  );
  const encoding = choice(
    values.encoding,
    {
      'utf-8': FeedEncoding.UTF8,
      utf8: FeedEncoding.UTF8,
      'windows-1253': FeedEncoding.WINDOWS_1253,
      'iso-8859-7': FeedEncoding.ISO_8859_7,
    },
    'encoding',
  );
  if (values.delimiter !== undefined && values.delimiter !== ';' && values.delimiter !== ',')
    fail("--delimiter must be ';' or ','");
  const badShare = values['bad-share'] === undefined ? 0 : Number(values['bad-share']);
  if (!(badShare >= 0 && badShare <= 1)) fail('--bad-share must be between 0 and 1');

  let municipalities: Array<{ code: string; weight: number }> | undefined;
  if (values['database-url']) {
    const client = new pg.Client({ connectionString: values['database-url'] });
    await client.connect();
    try {
      // The query of bench/synthetic-database.ts (syntheticPopulation), so the order is the same.
      municipalities = (
        await client.query<{ code: string; weight: number }>(
          `SELECT code, coalesce(population_2021, 1000)::int AS weight FROM municipality`,
        )
      ).rows;
    } finally {
      await client.end();
    }
  }

  const out = createWriteStream(values.out);
  const started = performance.now();
  const summary = await generateFeed(
    {
      feed,
      rows,
      format,
      encoding,
      delimiter: values.delimiter as ';' | ',' | undefined,
      badShare,
      seed: integer(values.seed, 'seed'),
      peopleSeed: integer(values['people-seed'], 'people-seed') ?? DEFAULT_PEOPLE_SEED,
      people: integer(values.people, 'people'),
      municipalities,
      romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
    },
    out,
  );
  out.end();
  await finished(out);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      file: values.out,
      feed,
      format: format ?? 'CSV',
      encoding: encoding ?? 'UTF-8',
      ...summary,
      seconds: Number(seconds.toFixed(1)),
    }) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
