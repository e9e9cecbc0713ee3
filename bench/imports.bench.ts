import 'reflect-metadata';
import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished, pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { FeedFormat, FeedKind } from '../src/imports/contracts.js';
import { generateFeed } from '../src/imports/feed-generator.js';
import { parseFeed } from '../src/imports/formats/index.js';
import type { ImportJobRow } from '../src/imports/import-runner.js';
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
 * 3. the import, as the product runs it: `npm run cli -- import --feed taxis --file F` (the node
 *    flags of package.json's cli script, NODE_ENV=production) in a process of its own, which stores
 *    the file and runs ImportRunner (stage, validate, merge) as the job worker would; its peak RSS
 *    is the kernel's high-water mark of that process, its RSS and CPU sampled every 50 ms by phase;
 * 4. a row-by-row baseline on BENCH_ORM_ROWS (10,000) rows, as an ORM save loop does it: through
 *    TypeORM, for each parsed row a SELECT of its person, then per fact a SELECT and an INSERT or
 *    UPDATE, each its own statement (and its own transaction).
 *
 * Prints the rows per second of each, the ratio of the import to the raw COPY (target ≥ 50%) and
 * the peak RSS of the import process (target < 300 MB). Run: npm run bench:imports (DATABASE_URL
 * set; Linux, for /proc). NODE_OPTIONS reaches the import process too (e.g. --trace-gc).
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

/** The job's row once the CLI has exited: it has finished, one way or the other. */
type FinishedJob = ImportJobRow & { finished_at: Date };

interface Phase {
  name: string;
  seconds: number;
  /** CPU seconds of the import process in the phase. */
  cpu: number;
  peakRssMb: number;
}

interface CliRun {
  command: string;
  job: FinishedJob;
  /** start (process start to the file's first byte stored), store, stage, validate, merge, exit. */
  phases: Phase[];
  /** The kernel's high-water mark of the process's resident set (VmHWM), MB. */
  peakRssMb: number;
  /** RSS when the CLI begins to store the file (its application started), MB. */
  bootRssMb: number;
  output: string;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * Runs `node <the flags of package.json's cli script> dist/src/cli.js import --feed taxis --file F`
 * (what `npm run cli -- import` runs, with NODE_ENV=production), samples the process's RSS and CPU
 * from /proc every 50 ms, and times its phases from the job row (the file is stored in the
 * transaction that inserts the job, whose created_at is that transaction's start). Linux only.
 */
async function runCliImport(url: string, file: string): Promise<CliRun> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const script = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.cli!;
  const words = script.split(/\s+/);
  const flags = words.slice(1, words.indexOf('dist/src/cli.js'));
  const args = [...flags, 'dist/src/cli.js', 'import', '--feed', 'taxis', '--file', file];
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      JWT_SECRET: 'bench-secret-of-at-least-32-characters',
      REFERRAL_LINK_SECRET: 'bench-referral-secret-of-at-least-32-characters',
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mitroa-imports-bench-')),
      IMPORT_MAX_BYTES: String(4 * 1024 * 1024 * 1024),
    },
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

  const samples: Array<{ t: number; rssKb: number; ticks: number }> = [];
  let hwmKb = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      // The fields after the command name (which is in parentheses and may hold spaces).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      hwmKb = Math.max(hwmKb, kb('VmHWM'));
      // utime and stime, the 14th and 15th fields of stat (counted from the pid).
      samples.push({ t: Date.now(), rssKb: kb('VmRSS'), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process has exited
    }
  };
  const sampler = setInterval(sample, 50);

  // The job's phases as they change, polled on a connection of the bench.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const changes: Array<{ name: string; t: number }> = [];
  let job: ImportJobRow | undefined;
  let running = true;
  const poll = (async () => {
    while (running) {
      const { rows } = await client.query<ImportJobRow>(
        `SELECT * FROM import_job WHERE created_at >= $1 ORDER BY created_at DESC LIMIT 1`,
        [new Date(started - 1000)],
      );
      const now = rows[0];
      if (now && !job) changes.push({ name: 'STORE', t: now.created_at.getTime() });
      if (now && now.phase !== changes[changes.length - 1]?.name)
        changes.push({ name: now.phase, t: Date.now() });
      job = now ?? job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const code = await exited;
  clearInterval(sampler);
  running = false;
  await poll;
  const { rows } = await client.query<ImportJobRow>(`SELECT * FROM import_job WHERE id = $1`, [job?.id]);
  await client.end();
  const finished = rows[0];
  if (code !== 0 || !finished?.finished_at)
    throw new Error(`the CLI import ended with ${code}, its job unfinished:\n${output}`);
  const done: FinishedJob = { ...finished, finished_at: finished.finished_at };
  // DONE is when the job finished; what follows is the CLI closing its application.
  const bounds = [
    { name: 'START', t: started },
    ...changes.filter((c) => c.name !== 'DONE'),
    { name: 'EXIT', t: done.finished_at.getTime() },
  ];
  const phases = bounds.map((b, i) => {
    const end = bounds[i + 1]?.t ?? samples[samples.length - 1]!.t;
    const inside = samples.filter((s) => s.t >= b.t && s.t < end);
    const before = samples.filter((s) => s.t < b.t).pop();
    const last = inside[inside.length - 1];
    return {
      name: b.name,
      seconds: (end - b.t) / 1000,
      cpu: last ? (last.ticks - (before?.ticks ?? 0)) / TICKS : 0,
      peakRssMb: Math.max(0, ...inside.map((s) => s.rssKb)) / 1024,
    };
  });
  const storing = samples.find((s) => s.t >= (changes[0]?.t ?? Infinity));
  return {
    command: `node ${args.join(' ').replace(file, basename(file))}`,
    job: done,
    phases,
    peakRssMb: hwmKb / 1024,
    bootRssMb: (storing?.rssKb ?? 0) / 1024,
    output,
  };
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

  // 3. The import, end to end, in its own process: the CLI, started as `npm run cli` starts it.
  const run = await runCliImport(url, file);
  const { job } = run;
  if (job.status !== 'SUCCEEDED') throw new Error(`the import failed: ${job.error}\n${run.output}`);
  const total = (job.finished_at.getTime() - job.created_at.getTime()) / 1000;
  record('import end to end (store, stage, validate, merge)', rate(ROWS, total));
  record('ratio import / raw COPY', `${((100 * rawSeconds) / total).toFixed(1)}% (target ≥ 50%)`);
  record(
    'import phases (s)',
    run.phases
      .map(
        (p) =>
          `${p.name.toLowerCase()} ${p.seconds.toFixed(1)} (CPU of the import process ${p.cpu.toFixed(1)})`,
      )
      .join(', '),
  );
  record(
    'peak RSS of the import process',
    `${run.peakRssMb.toFixed(0)} MB (target < 300 MB): \`${run.command}\`, the kernel's high-water mark (VmHWM)`,
  );
  record(
    'memory',
    `at the end of its start-up ${run.bootRssMb.toFixed(0)} MB RSS; peak RSS by phase ${run.phases
      .map((p) => `${p.name.toLowerCase()} ${p.peakRssMb.toFixed(0)}`)
      .join(', ')} MB (sampled every 50 ms)`,
  );
  record(
    'counts',
    `read ${job.rows_read}, created ${job.rows_created}, updated ${job.rows_updated}, unchanged ${job.rows_unchanged}, unmatched ${job.rows_unmatched}, rejected ${job.rows_rejected}`,
  );

  // 3b. The floor under the merge: the facts the import wrote, inserted again in one statement into
  // an empty table with person_fact's columns, defaults, checks, indexes and foreign key.
  await client.query(`CREATE TABLE bench_fact_floor (LIKE person_fact INCLUDING ALL)`);
  await client.query(`ALTER TABLE bench_fact_floor ADD FOREIGN KEY (person_id) REFERENCES person (id)`);
  started = performance.now();
  const floor = await client.query(
    `INSERT INTO bench_fact_floor SELECT * FROM person_fact WHERE import_id = $1`,
    [job.id],
  );
  const floorSeconds = seconds(started);
  await client.query(`DROP TABLE bench_fact_floor`);
  record(
    "the import's facts alone, into an empty copy of person_fact",
    `${(floor.rowCount ?? 0).toLocaleString('en')} facts in ${floorSeconds.toFixed(1)} s: as file rows ${rate(ROWS, floorSeconds)}, ${((100 * rawSeconds) / floorSeconds).toFixed(1)}% of the raw COPY`,
  );

  // 4. Row by row with the ORM, for context, into an empty person_fact (TRUNCATE: a DELETE of the
  // import's millions of facts would leave as many dead rows for every lookup of the loop to skip).
  await client.query(`TRUNCATE person_fact`);
  await client.query(`VACUUM ANALYZE person_fact`);
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
