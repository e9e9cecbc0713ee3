import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withDatabase } from '../src/database/database-url.js';
import { admin, databaseExists } from './synthetic-database.js';
import { printTable } from './report.js';

/**
 * How far an import can get towards "50% of a raw COPY" (issue 13), before it parses, validates or
 * matches anything: the cost of writing the same number of rows durably, next to the raw COPY of
 * their lines. For BENCH_ROWS (1,000,000) TAXIS-like lines, in a database of its own:
 *
 * 1. raw COPY: the lines streamed from this process into a bare UNLOGGED one-column table, in
 *    chunks of 1,000 lines as a file is read, as bench:imports does (the yardstick);
 * 2. a logged table of one row per line (person, tax year, three values, import, as-of) with no index;
 * 3. the same with one unique index (person, tax year): the least a fact store that can be read by
 *    person, and merged ON CONFLICT, needs;
 * 4. the same rows as `person_fact` holds them today: three facts per line, its primary key, three
 *    indexes and the foreign key to the person.
 *
 * Each write is an INSERT ... SELECT inside the server from rows already there, in the order of the
 * person id (the kindest order for the indexes), after a CHECKPOINT: a lower bound of what an import
 * pays. The best ratio an import could reach is raw / (raw + write), printed for 3 and 4.
 * Run: npm run bench:fact-floor (DATABASE_URL set).
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

function* lineChunks(): Generator<string> {
  for (let from = 1; from <= ROWS; from += 1000) {
    let chunk = '';
    for (let i = from; i < from + 1000 && i <= ROWS; i++)
      chunk += `${100_000_000 + i};2024;${(i * 7919) % 50_000},${i % 100};${(i * 104_729) % 300_000},00;${i % 4}\n`;
    yield chunk;
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = `mitroa_fact_floor_bench_${ROWS}`;
  if (await databaseExists(serverUrl, database))
    await admin(serverUrl, `DROP DATABASE ${database} WITH (FORCE)`);
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, database) });
  await client.connect();
  const timed = async (sql: string): Promise<number> => {
    await client.query('CHECKPOINT');
    const started = performance.now();
    await client.query(sql);
    return (performance.now() - started) / 1000;
  };
  try {
    await client.query(`CREATE UNLOGGED TABLE bench_raw (line text)`);
    const started = performance.now();
    await pipeline(
      Readable.from(lineChunks()),
      client.query(
        copyFrom(`COPY bench_raw FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`),
      ),
    );
    const raw = (performance.now() - started) / 1000;

    await client.query(`CREATE TABLE person_stub (id uuid PRIMARY KEY, afm text NOT NULL UNIQUE)`);
    await client.query(
      `INSERT INTO person_stub SELECT gen_random_uuid(), split_part(line, ';', 1) FROM bench_raw`,
    );
    const columns = `person_id uuid NOT NULL, tax_year int NOT NULL, income numeric, real_estate numeric, vehicles int, import_id uuid, as_of date`;
    const oneRowPerLine = (table: string) => `
      INSERT INTO ${table} SELECT p.id, 2024, 1, 2, 3, '00000000-0000-0000-0000-000000000001', current_date
        FROM person_stub p ORDER BY p.id`;
    await client.query(`CREATE TABLE fact_no_index (${columns})`);
    const noIndex = await timed(oneRowPerLine('fact_no_index'));
    await client.query(`CREATE TABLE fact_one_index (${columns}, UNIQUE (person_id, tax_year))`);
    const oneIndex = await timed(oneRowPerLine('fact_one_index'));
    // person_fact's shape today (migrations 1763900000000, 1764300000000): keys, indexes, foreign key.
    await client.query(`
      CREATE TABLE fact_today (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), person_id uuid NOT NULL REFERENCES person_stub,
        kind text NOT NULL, source text NOT NULL, tax_year int, as_of date NOT NULL, value_numeric numeric,
        basis text NOT NULL, import_id uuid)`);
    await client.query(
      `CREATE UNIQUE INDEX ON fact_today (person_id, kind, source, coalesce(tax_year, 0), as_of) WHERE basis = 'FEED'`,
    );
    await client.query(`CREATE INDEX ON fact_today (person_id, kind)`);
    await client.query(`CREATE INDEX ON fact_today (import_id) WHERE import_id IS NOT NULL`);
    const today = await timed(`
      INSERT INTO fact_today (person_id, kind, source, tax_year, as_of, value_numeric, basis, import_id)
      SELECT p.id, k, 'TAXIS', 2024, current_date, 1, 'FEED', '00000000-0000-0000-0000-000000000001'
        FROM person_stub p, unnest(ARRAY['household_income_annual', 'real_estate_value', 'vehicle_value']) k
       ORDER BY p.id, k`);

    const rate = (s: number) => `${Math.round(ROWS / s).toLocaleString('en')} lines/s (${s.toFixed(1)} s)`;
    const best = (write: number) =>
      `an import ${((100 * raw) / (raw + write)).toFixed(0)}% of the raw COPY at best`;
    printTable(`Writing ${ROWS.toLocaleString('en')} lines' facts, against their raw COPY`, [
      ['raw COPY into a bare unlogged table', rate(raw)],
      ['one row per line, no index', rate(noIndex)],
      ['one row per line, one unique index', `${rate(oneIndex)}: ${best(oneIndex)}`],
      ['person_fact today (3 facts per line, key, 3 indexes, FK)', `${rate(today)}: ${best(today)}`],
    ]);
  } finally {
    await client.end();
    await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
