import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished, pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions, migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { FeedFormat, FeedKind } from '../src/imports/contracts.js';
import { generateFeed } from '../src/imports/feed-generator.js';
import { parseFeed } from '../src/imports/formats/index.js';
import { ImportRunner } from '../src/imports/import-runner.js';
import { ImportsService } from '../src/imports/imports.service.js';
import { printTable } from './report.js';
import { admin, databaseExists } from './synthetic-database.js';

/**
 * The import pipeline end to end against a raw COPY of the same file (issue 13). For BENCH_ROWS
 * (1,000,000) generated TAXIS CSV rows (2% bad rows of every kind; the file of bench:feed-parse,
 * kept in BENCH_FEED_DIR), in a database of its own (`mitroa_imports_bench_<rows>`, rebuilt each run):
 *
 * 1. raw COPY: the file streamed into a bare table of one text column per line (the floor of
 *    getting the bytes into PostgreSQL);
 * 2. people: 90% of the file's AFMs registered (set-based from that table), so 10% are unmatched;
 * 3. the import: the file stored through ImportsService.create, then ImportRunner.run (stage,
 *    validate, merge) in this process, its peak RSS sampled every 50 ms;
 * 4. a row-by-row baseline on BENCH_ORM_ROWS (10,000) rows, as an ORM save loop does it: through
 *    TypeORM, for each parsed row a SELECT of its person, then per fact a SELECT and an INSERT or
 *    UPDATE, each its own statement.
 *
 * Prints the rows per second of each, the ratio of the import to the raw COPY (target ≥ 50%) and
 * the peak RSS (target < 300 MB). Run: npm run bench:imports (DATABASE_URL set).
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ORM_ROWS = Number(process.env.BENCH_ORM_ROWS ?? 10_000);
const DIR = process.env.BENCH_FEED_DIR ?? tmpdir();

async function ensureFile(rows = ROWS): Promise<string> {
  const path = join(DIR, `mitroa-bench-taxis-${rows}.csv`);
  if (existsSync(path)) return path;
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  await generateFeed(
    {
      feed: FeedKind.TAXIS,
      format: FeedFormat.CSV,
      rows,
      badShare: 0.02,
      seed: 1,
      romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
    },
    out,
  );
  out.end();
  await finished(out);
  renameSync(partial, path);
  return path;
}

async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await fn();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

const seconds = (started: number) => (performance.now() - started) / 1000;
const rate = (rows: number, s: number) =>
  `${Math.round(rows / s).toLocaleString('en')} rows/s (${s.toFixed(1)} s)`;

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const file = await ensureFile();
  const megabytes = statSync(file).size / 1024 / 1024;
  const database = `mitroa_imports_bench_${ROWS}`;
  const url = withDatabase(serverUrl, database);
  if (await databaseExists(serverUrl, database))
    await admin(serverUrl, `DROP DATABASE ${database} WITH (FORCE)`);
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const results: Array<[string, string]> = [];
  const record = (name: string, value: string) => {
    results.push([name, value]);
    console.log(`${name}: ${value}`);
  };
  record('file', `${ROWS.toLocaleString('en')} TAXIS rows, ${megabytes.toFixed(0)} MB`);

  // 1. Raw COPY of the same file into a bare table.
  await client.query(`CREATE UNLOGGED TABLE bench_raw (line text)`);
  let started = performance.now();
  await pipeline(
    createReadStream(file),
    client.query(copyFrom(`COPY bench_raw FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`)),
  );
  const rawSeconds = seconds(started);
  record('raw COPY into a bare table', rate(ROWS, rawSeconds));

  // 2. 90% of the file's people registered.
  await client.query(`
    INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, afm, name_key, phonetic_key)
    SELECT '4912', 'Άννα', 'Οικονόμου', 'ANNA', 'OIKONOMOU', '1980-01-01', 'FEMALE', afm, 'x', 'x'
      FROM (SELECT DISTINCT split_part(line, ';', 1) AS afm FROM bench_raw) a
     WHERE afm ~ '^[0-9]{9}$' AND hashtext(afm) % 10 <> 0
    ON CONFLICT DO NOTHING`);
  await client.query(`DROP TABLE bench_raw`);
  await client.query(`VACUUM ANALYZE person`);

  // 3. The import, end to end.
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mitroa-imports-bench-')),
    IMPORT_MAX_BYTES: String(4 * 1024 * 1024 * 1024),
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  const { result, peakMb } = await withPeakRss(async () => {
    const ctx = new RequestContext(randomUUID(), systemActor('bench'));
    const t0 = performance.now();
    const job = await app
      .get(TransactionService)
      .run(ctx, () =>
        app
          .get(ImportsService)
          .create(
            ctx,
            { feed: FeedKind.TAXIS, fileName: 'bench.csv', dryRun: false },
            createReadStream(file),
          ),
      );
    const stored = seconds(t0);
    await app.get(ImportRunner).run(job.id);
    const total = seconds(t0);
    const { rows } = await client.query(
      `SELECT status, rows_read, rows_created, rows_updated, rows_unchanged, rows_unmatched, rows_rejected, error
         FROM import_job WHERE id = $1`,
      [job.id],
    );
    return { stored, total, job: rows[0] };
  });
  await app.close();
  if (result.job.status !== 'SUCCEEDED') throw new Error(`the import failed: ${result.job.error}`);
  record('import: file stored', `${result.stored.toFixed(1)} s`);
  record('import end to end (store, stage, validate, merge)', rate(ROWS, result.total));
  record('ratio import / raw COPY', `${((100 * rawSeconds) / result.total).toFixed(0)}% (target ≥ 50%)`);
  record('peak RSS of the import', `${peakMb.toFixed(0)} MB (target < 300 MB)`);
  record(
    'counts',
    `read ${result.job.rows_read}, created ${result.job.rows_created}, updated ${result.job.rows_updated}, unchanged ${result.job.rows_unchanged}, unmatched ${result.job.rows_unmatched}, rejected ${result.job.rows_rejected}`,
  );

  // 4. Row by row with the ORM, for context.
  await client.query(`DELETE FROM person_fact`);
  const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 1 } }));
  await dataSource.initialize();
  started = performance.now();
  let done = 0;
  // A file of its own (the same generator and seed), read to its end.
  const parsed = await parseFeed(createReadStream(await ensureFile(ORM_ROWS)), {
    feed: FeedKind.TAXIS,
    batchSize: 1000,
  });
  for await (const batch of parsed.batches)
    for (const row of batch) {
      done++;
      if (row.problems.length) continue;
      const [person] = await dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM person WHERE afm = $1 AND status <> 'MERGED'`,
        [row.values.afm],
      );
      if (!person) continue;
      const year = Number(row.values.tax_year);
      for (const [kind, field] of [
        ['household_income_annual', 'household_income'],
        ['real_estate_value', 'real_estate_value'],
        ['vehicle_value', 'vehicle_value'],
      ] as const) {
        const value = row.values[field];
        if (value === null || value === undefined) continue;
        const asOf = `${year + 1}-07-31`;
        const [existing] = await dataSource.query<Array<{ id: string; value_numeric: string }>>(
          `SELECT id, value_numeric FROM person_fact
            WHERE person_id = $1 AND kind = $2 AND source = 'TAXIS' AND tax_year = $3 AND as_of = $4 AND basis = 'FEED'`,
          [person.id, kind, year, asOf],
        );
        if (!existing)
          await dataSource.query(
            `INSERT INTO person_fact (person_id, kind, basis, source, tax_year, as_of, value_numeric)
             VALUES ($1, $2, 'FEED', 'TAXIS', $3, $4, $5)`,
            [person.id, kind, year, asOf, value],
          );
        else if (existing.value_numeric !== value)
          await dataSource.query(`UPDATE person_fact SET value_numeric = $2 WHERE id = $1`, [
            existing.id,
            value,
          ]);
      }
    }
  const ormSeconds = seconds(started);
  await dataSource.destroy();
  record(
    `row by row through TypeORM (${ORM_ROWS.toLocaleString('en')} rows)`,
    rate(Math.min(done, ORM_ROWS), ormSeconds),
  );
  await client.end();
  printTable(`Feed import, ${ROWS.toLocaleString('en')} TAXIS rows`, results);
}

await main();
