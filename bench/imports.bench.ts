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

interface MemoryPeaks {
  /** The process's resident set at its highest, and its parts at their highest (MB). */
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** The highest resident set in each phase of the import (MB). */
  rssByPhase: Map<string, number>;
}

/** Runs `fn` sampling the process's memory every 50 ms, by the phase `phase()` names. */
async function withPeakMemory<T>(
  phase: () => string,
  fn: () => Promise<T>,
): Promise<{ result: T; peaks: MemoryPeaks }> {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const peaks: MemoryPeaks = { rssMb: 0, heapUsedMb: 0, externalMb: 0, rssByPhase: new Map() };
  const sample = () => {
    const m = process.memoryUsage();
    peaks.rssMb = Math.max(peaks.rssMb, mb(m.rss));
    peaks.heapUsedMb = Math.max(peaks.heapUsedMb, mb(m.heapUsed));
    peaks.externalMb = Math.max(peaks.externalMb, mb(m.external));
    peaks.rssByPhase.set(phase(), Math.max(peaks.rssByPhase.get(phase()) ?? 0, mb(m.rss)));
  };
  sample();
  const timer = setInterval(sample, 50);
  try {
    const result = await fn();
    sample();
    return { result, peaks };
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
  // BENCH_EXPLAIN=<ms>: the plans of statements slower than that go to the server's log (auto_explain).
  if (process.env.BENCH_EXPLAIN)
    for (const setting of [
      `session_preload_libraries = 'auto_explain'`,
      `auto_explain.log_min_duration = ${Number(process.env.BENCH_EXPLAIN)}`,
      `auto_explain.log_analyze = on`,
      `auto_explain.log_nested_statements = on`,
    ])
      await admin(serverUrl, `ALTER DATABASE ${database} SET ${setting}`);
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
  const atRestMb = process.memoryUsage().rss / 1024 / 1024;
  // The phases' lengths, from the job row polled on the bench's own connection.
  const phases = new Map<string, number>();
  let phase = 'STORE';
  let since = performance.now();
  // The CPU seconds of this process (parsing, COPY text) per phase: steadier than wall time on a loaded machine.
  const cpu = new Map<string, number>();
  let cpuSince = process.cpuUsage();
  const { result, peaks } = await withPeakMemory(
    () => phase,
    async () => {
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
      const enter = (next: string) => {
        phases.set(phase, seconds(since));
        const used = process.cpuUsage(cpuSince);
        cpu.set(phase, (used.user + used.system) / 1e6);
        phase = next;
        since = performance.now();
        cpuSince = process.cpuUsage();
      };
      enter('STAGE');
      let polling = false;
      const poll = setInterval(() => {
        if (polling) return;
        polling = true;
        client
          .query<{ phase: string }>(`SELECT phase FROM import_job WHERE id = $1`, [job.id])
          .then(({ rows }) => {
            const now = rows[0]?.phase;
            if (now && now !== phase && now !== 'DONE') enter(now);
          })
          .catch(() => undefined)
          .finally(() => (polling = false));
      }, 100);
      await app.get(ImportRunner).run(job.id);
      clearInterval(poll);
      enter('DONE');
      const total = seconds(t0);
      const { rows } = await client.query(
        `SELECT id, status, rows_read, rows_created, rows_updated, rows_unchanged, rows_unmatched, rows_rejected, error
           FROM import_job WHERE id = $1`,
        [job.id],
      );
      return { total, job: rows[0] };
    },
  );
  await app.close();
  if (result.job.status !== 'SUCCEEDED') throw new Error(`the import failed: ${result.job.error}`);
  record('import end to end (store, stage, validate, merge)', rate(ROWS, result.total));
  record('ratio import / raw COPY', `${((100 * rawSeconds) / result.total).toFixed(1)}% (target ≥ 50%)`);
  record(
    'import phases (s)',
    [...phases]
      .map(
        ([name, s]) =>
          `${name.toLowerCase()} ${s.toFixed(1)} (CPU of this process ${cpu.get(name)!.toFixed(1)})`,
      )
      .join(', '),
  );
  record('peak RSS of the import', `${peaks.rssMb.toFixed(0)} MB (target < 300 MB)`);
  record(
    'memory',
    `service at rest ${atRestMb.toFixed(0)} MB RSS; peak RSS by phase ${[...peaks.rssByPhase]
      .map(([name, mb]) => `${name.toLowerCase()} ${mb.toFixed(0)}`)
      .join(
        ', ',
      )} MB; peak JS heap used ${peaks.heapUsedMb.toFixed(0)} MB, buffers outside the heap ${peaks.externalMb.toFixed(0)} MB`,
  );
  record(
    'counts',
    `read ${result.job.rows_read}, created ${result.job.rows_created}, updated ${result.job.rows_updated}, unchanged ${result.job.rows_unchanged}, unmatched ${result.job.rows_unmatched}, rejected ${result.job.rows_rejected}`,
  );

  // 3b. The floor under the merge: the facts the import wrote, inserted again in one statement into
  // an empty table with person_fact's columns, defaults, checks, indexes and foreign key.
  await client.query(`CREATE TABLE bench_fact_floor (LIKE person_fact INCLUDING ALL)`);
  await client.query(`ALTER TABLE bench_fact_floor ADD FOREIGN KEY (person_id) REFERENCES person (id)`);
  started = performance.now();
  const floor = await client.query(
    `INSERT INTO bench_fact_floor SELECT * FROM person_fact WHERE import_id = $1`,
    [result.job.id],
  );
  const floorSeconds = seconds(started);
  await client.query(`DROP TABLE bench_fact_floor`);
  record(
    "the import's facts alone, into an empty copy of person_fact",
    `${(floor.rowCount ?? 0).toLocaleString('en')} facts in ${floorSeconds.toFixed(1)} s: as file rows ${rate(ROWS, floorSeconds)}, ${((100 * rawSeconds) / floorSeconds).toFixed(1)}% of the raw COPY`,
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
