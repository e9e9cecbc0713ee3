import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { Role } from '../src/auth/roles.js';
import { signToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { percentile, printTable } from './report.js';
import { writeProviders, writeReferrals } from './referrals-data.js';
import { admin, databaseExists, seedDemoProviders, syntheticPopulation } from './synthetic-database.js';

/**
 * Statistics at scale (issue 14): BENCH_PEOPLE (1,000,000) synthetic people (bench/synthetic-
 * database.ts) registered over the last three years, BENCH_ENROLMENTS (200,000) enrolments in the
 * demo programmes and BENCH_REFERRALS (200,000) referrals to the demo providers.
 *
 * 1. Refresh: the four materialized views refreshed CONCURRENTLY (what the job worker runs every
 *    minute), each view's duration: the delay from a change to its figure is at most the schedule
 *    (60 s) plus this.
 * 2. A national report through the API: `statistics(area: COUNTRY EL, period: ALL)` over GraphQL as a
 *    national administrator: the first request after a refresh (it rebuilds the cubes), then
 *    BENCH_REQUESTS (300) at BENCH_CONCURRENCY (4) connections, p50 and p95 (target p95 under 1 s).
 *    The same for a regional officer (its region; the first request also computes the suppression
 *    of the whole cube).
 * 3. A change to its figure: one person registered, the refresh, then the first answer that counts
 *    them: the time from the insert to that answer with the refresh run at once.
 *
 * Run: npm run bench:statistics (DATABASE_URL set; BENCH_PEOPLE=100000 for a quick run). The
 * database `mitroa_statistics_bench_<people>` is kept between runs; BENCH_DROP=1 drops it.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const ENROLMENTS = Number(process.env.BENCH_ENROLMENTS ?? 200_000);
const REFERRALS = Number(process.env.BENCH_REFERRALS ?? 200_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const SEED = 20_261_214;

const REPORT = `query($area: StatisticsAreaInput!, $period: String!) { statistics(area: $area, period: $period) {
  asOf smallCellsSuppressed peoplePer1000Residents
  tables { measure asOf total { count suppressed } breakdowns { dimension cells { key count suppressed } }
           trend { key count suppressed } } } }`;

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = process.env.BENCH_DATABASE ?? `mitroa_statistics_bench_${PEOPLE}`;
  const url = withDatabase(serverUrl, database);
  const rows: Array<[string, string]> = [];
  if (!(await loaded(serverUrl, database))) {
    const seconds = await build(serverUrl, database, url);
    rows.push([
      'build (people, households, enrolments, referrals; not part of the figures)',
      `${seconds.toFixed(0)} s`,
    ]);
  } else await migrate(url);

  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-statistics-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    DATABASE_POOL_SIZE: String(CONCURRENCY + 1),
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const statistics = app.get(StatisticsService);
    const refreshStarted = performance.now();
    const refreshed = await statistics.refresh();
    const refreshMs = performance.now() - refreshStarted;
    for (const r of refreshed) rows.push([`refresh ${r.view} (CONCURRENTLY)`, `${r.durationMs} ms`]);
    rows.push(['refresh of all four views (the job, every minute)', `${(refreshMs / 1000).toFixed(1)} s`]);
    const { rows: sizes } = await client.query<{ view: string; n: number }>(
      `SELECT 'stats_people' AS view, count(*)::int AS n FROM stats_people UNION ALL
       SELECT 'stats_households', count(*)::int FROM stats_households UNION ALL
       SELECT 'stats_enrolments', count(*)::int FROM stats_enrolments UNION ALL
       SELECT 'stats_referrals', count(*)::int FROM stats_referrals`,
    );
    rows.push([
      'rows in the views (municipality x month x category)',
      sizes.map((s) => `${s.view} ${s.n}`).join(', '),
    ]);

    await app.listen(0, '127.0.0.1');
    const endpoint = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const national = await signToken(config, 'bench', { roles: [Role.NATIONAL_ADMIN] }, '1h');
    const region = await signToken(
      config,
      'bench-region',
      { roles: [Role.REGIONAL_OFFICER], region: '9' },
      '1h',
    );
    const ask = (token: string, level: string, code: string, period = 'ALL') => ({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: REPORT, variables: { area: { level, code }, period } }),
    });
    const nationalReport = ask(national, 'COUNTRY', 'EL');
    const regionReport = ask(region, 'REGION', '9');

    const cold = await timed(endpoint, nationalReport);
    rows.push([
      'national report, first request after a refresh (builds the cubes)',
      `${cold.ms.toFixed(0)} ms`,
    ]);
    const r = await fire(endpoint, () => nationalReport, REQUESTS, CONCURRENCY);
    rows.push([
      `national report (COUNTRY, ALL) over GraphQL, ${CONCURRENCY} connections`,
      `${r.perSecond.toFixed(0)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  errors ${r.errors}`,
    ]);
    const periods = ['2025', '2025-Q3', '2025-07', 'ALL'];
    const byPeriod = await fire(
      endpoint,
      (i) => ask(national, 'COUNTRY', 'EL', periods[i % periods.length]!),
      REQUESTS,
      CONCURRENCY,
    );
    rows.push([
      'national report, periods mixed (year, quarter, month, ALL)',
      `p50 ${byPeriod.p50.toFixed(1)} ms  p95 ${byPeriod.p95.toFixed(1)} ms  errors ${byPeriod.errors}`,
    ]);
    const coldRegion = await timed(endpoint, regionReport);
    rows.push([
      'regional report, first request (suppression of the whole cubes)',
      `${coldRegion.ms.toFixed(0)} ms`,
    ]);
    const rr = await fire(endpoint, () => regionReport, REQUESTS, CONCURRENCY);
    rows.push([
      `regional report (REGION 9, ALL, suppressed) over GraphQL, ${CONCURRENCY} connections`,
      `${rr.perSecond.toFixed(0)} req/s  p50 ${rr.p50.toFixed(1)} ms  p95 ${rr.p95.toFixed(1)} ms  errors ${rr.errors}`,
    ]);

    // A change to its figure: register one person in Spata, refresh, read until counted.
    const spata = ask(national, 'MUNICIPALITY', '4912');
    const before = peopleTotal(JSON.parse((await timed(endpoint, spata)).text));
    const changed = performance.now();
    await client.query(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, name_key, phonetic_key)
       VALUES ('4912', 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', '1985-01-01', 'FEMALE', 'nea engrafi', 'nea engrafi')`,
    );
    await statistics.refresh();
    const after = await timed(endpoint, spata);
    const delay = performance.now() - changed;
    rows.push([
      'a change to its figure, refresh run at once (insert, refresh, first answer)',
      `${(delay / 1000).toFixed(1)} s (Spata ${before} -> ${peopleTotal(JSON.parse(after.text))}); with the schedule: up to 60 s more`,
    ]);
  } finally {
    await client.end().catch(() => undefined);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  printTable(
    `statistics, ${PEOPLE.toLocaleString('en')} people, ${ENROLMENTS.toLocaleString('en')} enrolments, ${REFERRALS.toLocaleString('en')} referrals (a shared 2-core machine: other work may run alongside)`,
    rows,
  );
}

function peopleTotal(body: {
  data?: { statistics: { tables: Array<{ measure: string; total: { count: number } }> } };
}) {
  return body.data?.statistics.tables.find((t) => t.measure === 'PEOPLE')?.total.count;
}

async function timed(endpoint: string, req: { headers: Record<string, string>; body: string }) {
  const t = performance.now();
  const res = await fetch(endpoint, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  if (!res.ok || text.includes('"errors"'))
    throw new Error(`report failed: ${res.status} ${text.slice(0, 300)}`);
  return { ms: performance.now() - t, text };
}

async function fire(
  endpoint: string,
  request: (i: number) => { headers: Record<string, string>; body: string },
  total: number,
  concurrency: number,
): Promise<{ perSecond: number; p50: number; p95: number; errors: number }> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        try {
          samples.push((await timed(endpoint, request(i))).ms);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: total / seconds, p50: percentile(samples, 50), p95: percentile(samples, 95), errors };
}

/** Marks a database whose load completed (a build stopped half-way is built again). */
const COMPLETE = 'mitroa statistics bench: load complete';

async function loaded(serverUrl: string, database: string): Promise<boolean> {
  if (!(await databaseExists(serverUrl, database))) return false;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ c: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`,
      [database],
    );
    if (rows[0]?.c === COMPLETE) return true;
  } finally {
    await client.end();
  }
  console.log(`${database} exists but its load did not complete: building it again`);
  await admin(serverUrl, `DROP DATABASE ${database} WITH (FORCE)`);
  return false;
}

async function build(serverUrl: string, database: string, url: string): Promise<number> {
  console.log(`building ${database}`);
  const started = performance.now();
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Half-empty pages, so that dating the registrations below is a HOT update (created_at has no
    // index): without it, 1,000,000 rows rewrite every index, trigram ones included (over 10 minutes).
    await client.query(`ALTER TABLE person SET (fillfactor = 50)`);
    await client.query(`ALTER TABLE household SET (fillfactor = 50)`);
    const population = await syntheticPopulation(client, SEED);
    await writeHouseholds(client, population.households(PEOPLE), {
      actorId: 'system:bench',
      batchSize: 10000,
    });
    console.log('people written');
    await client.end();
    await seedDemoProviders(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // Registrations spread over the last three years (deterministic per person).
      await c.query(
        `UPDATE person SET created_at = now() - (abs(hashtext(id::text)) % 1095) * interval '1 day'`,
      );
      await c.query(
        `UPDATE household h SET created_at = p.created_at
           FROM household_member m JOIN person p ON p.id = m.person_id
          WHERE m.household_id = h.id AND m.relationship = 'REFERENCE_PERSON'`,
      );
      // Enrolments: people drawn by hash, each in one demo programme, in a status by hash.
      await c.query(
        `WITH g AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n FROM programme),
              p AS (SELECT id, created_at, abs(hashtext(id::text || 'e')) AS h FROM person ORDER BY md5(id::text) LIMIT $1)
         INSERT INTO enrolment (person_id, programme_id, status, applied_on, started_on, ended_on, source, created_by, updated_by)
         SELECT p.id, g.id, s.status, p.created_at::date, CASE WHEN s.status <> 'APPLIED' THEN p.created_at::date END,
                CASE WHEN s.status = 'ENDED' THEN p.created_at::date END, 'CENTRE', 'system:bench', 'system:bench'
           FROM p JOIN g ON g.i = p.h % g.n
           CROSS JOIN LATERAL (SELECT (ARRAY['APPLIED', 'ACTIVE', 'ACTIVE', 'SUSPENDED', 'ENDED'])[1 + p.h % 5] AS status) s`,
        [ENROLMENTS],
      );
      // Referrals as bench:referrals generates them (bench/referrals-data.ts): local providers, the
      // lifecycle's statuses with their sent, accepted and completed times.
      await writeProviders(c);
      const written = await writeReferrals(c, REFERRALS, 1095);
      console.log(`referrals written: ${written.referrals}`);
    } finally {
      await c.end();
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  await admin(url, 'VACUUM ANALYZE');
  await admin(serverUrl, `COMMENT ON DATABASE ${database} IS '${COMPLETE}'`);
  return (performance.now() - started) / 1000;
}

await main();
