import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { latinName, personKeys } from '../src/beneficiaries/person-keys.js';
import { personKeyFunctionsSql } from '../src/beneficiaries/person-keys.sql.js';
import { withDatabase } from '../src/database/database-url.js';
import { FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, OTHER_SURNAMES } from '../src/demo/greek-names.js';
import { printTable } from './report.js';
import { admin } from './synthetic-database.js';

/**
 * The SQL twins of person-keys.ts (what the REGISTRY feed's merge computes per row) against the
 * TypeScript a registration runs, on the same BENCH_ROWS (20,000) Greek names: a person's Latin
 * names and keys (latinName twice, personKeys), in one statement over an unnested array, and in a
 * loop in this process. Run in a database of its own (`mitroa_person_keys_bench`, dropped after).
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:person-keys
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = 'mitroa_person_keys_bench';

const given = [...MALE_GIVEN_NAMES, ...FEMALE_GIVEN_NAMES];
const names = Array.from({ length: ROWS }, (_, i) => ({
  givenName: given[(i * 7) % given.length]!,
  surname: OTHER_SURNAMES[(i * 13) % OTHER_SURNAMES.length]![i % 2],
}));

await admin(serverUrl, `DROP DATABASE IF EXISTS ${database}`);
await admin(serverUrl, `CREATE DATABASE ${database}`);
const client = new pg.Client({ connectionString: withDatabase(serverUrl, database) });
await client.connect();
try {
  for (const sql of personKeyFunctionsSql()) await client.query(sql);
  const sqlStart = performance.now();
  const { rows } = await client.query<{ name_key: string }>(
    `SELECT k.name_key
       FROM unnest($1::text[], $2::text[]) AS u(g, s),
            LATERAL (SELECT person_latin_name(g) AS gl, person_latin_name(s) AS sl) l,
            LATERAL person_name_keys(g, s, l.gl, l.sl) k`,
    [names.map((n) => n.givenName), names.map((n) => n.surname)],
  );
  const sqlSeconds = (performance.now() - sqlStart) / 1000;
  const tsStart = performance.now();
  let keys = 0;
  for (const n of names) {
    const givenNameLatin = latinName(n.givenName);
    const surnameLatin = latinName(n.surname);
    keys += personKeys({ ...n, givenNameLatin, surnameLatin }).nameKey.length;
  }
  const tsSeconds = (performance.now() - tsStart) / 1000;
  if (rows.length !== ROWS || keys === 0) throw new Error('the benchmark computed nothing');
  const { loadavg } = await import('node:os');
  printTable(`person keys of ${ROWS} names`, [
    ['SQL twins (one statement)', `${Math.round(ROWS / sqlSeconds)} names/s (${sqlSeconds.toFixed(2)} s)`],
    ['TypeScript (this process)', `${Math.round(ROWS / tsSeconds)} names/s (${tsSeconds.toFixed(2)} s)`],
    ['SQL / TypeScript', `${(tsSeconds / sqlSeconds).toFixed(3)}`],
    ['load average (1 min)', loadavg()[0]!.toFixed(1)],
  ]);
} finally {
  await client.end();
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${database}`);
}
