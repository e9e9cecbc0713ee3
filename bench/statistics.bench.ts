import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
import { JobWorker } from '../src/jobs/job-worker.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { percentile, printTable } from './report.js';
import { writeProviders, writeReferrals } from './referrals-data.js';
import { admin, databaseExists, seedDemoProviders, syntheticPopulation } from './synthetic-database.js';

/**
 * Statistics at scale (issue 14): BENCH_PEOPLE (1,000,000) synthetic people (bench/synthetic-
 * database.ts) registered over the last three years, BENCH_ENROLMENTS (200,000) enrolments in the
 * demo programmes and BENCH_REFERRALS (200,000) referrals as bench:referrals makes them
 * (bench/referrals-data.ts: local providers, sent, accepted and completed times).
 *
 * 1. Refresh: a whole recount of the four summary tables (what the materialized views did every
 *    minute), then the job's run with nothing changed, after a busy minute of the country's desks,
 *    and after a change in every municipality: each table's duration and slices recounted.
 * 2. Write cost: a bulk insert of people, single-row registrations and a bulk referral update, with
 *    and without the statistics triggers (and the slice index), rolled back.
 * 3. A national report through the API: `statistics(area: COUNTRY EL, period: ALL)` over GraphQL as a
 *    national administrator: the first request (it builds the cubes), then BENCH_REQUESTS (300) at
 *    BENCH_CONCURRENCY (4) connections, p50 and p95 (target p95 under 1 s). The same for a regional
 *    officer (its region; the first request also computes the suppression of the whole cube).
 * 4. A change to its figure: one person registered, the refresh at once, answers until it shows;
 *    then BENCH_DELAY_SAMPLES (4) changes with the job worker on its schedule (pg-boss) while national
 *    reports keep coming: the delay from each insert to the first answer counting it (target under
 *    60 s), and the reports' p95 across the refreshes.
 *
 * Run: npm run bench:statistics (DATABASE_URL set; BENCH_PEOPLE=100000 for a quick run). The
 * database `mitroa_statistics_bench_<people>` is kept between runs (marked complete once loaded);
 * BENCH_DROP=1 drops it.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const ENROLMENTS = Number(process.env.BENCH_ENROLMENTS ?? 200_000);
const REFERRALS = Number(process.env.BENCH_REFERRALS ?? 200_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const SEED = 20_261_214;
/** Changes whose delay to the figure is measured with the job worker on its schedule. */
const DELAY_SAMPLES = Number(process.env.BENCH_DELAY_SAMPLES ?? 4);

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
  } else {
    const t = performance.now();
    const applied = await migrate(url);
    if (applied.length)
      rows.push([
        `migrations applied to the kept database (${applied.join(', ')})`,
        `${((performance.now() - t) / 1000).toFixed(1)} s`,
      ]);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-statistics-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    REFERRAL_LINK_SECRET: 'bench-referral-link-secret-of-32-characters-or-more',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    // The load generator stands for many callers with one token: no per-caller share of the pool.
    DATABASE_CONNECTIONS_PER_CALLER: '1000',
    DATABASE_POOL_SIZE: String(CONCURRENCY + 4),
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const statistics = app.get(StatisticsService);
    const refresh = async (label: string, options: { rebuild?: boolean } = {}) => {
      const t = performance.now();
      const results = await statistics.refresh(options);
      const ms = performance.now() - t;
      rows.push([
        label,
        `${(ms / 1000).toFixed(2)} s: ${results
          .map(
            (r) =>
              `${r.view.replace('stats_', '')} ${r.durationMs} ms (${r.rebuilt ? 'whole' : `${r.slices} slices`})`,
          )
          .join(', ')}`,
      ]);
      return ms;
    };

    // 1. What the materialized views did every minute: recount everything (now only on demand).
    await refresh('whole recount of the four summary tables (first run, CLI statistics-rebuild)', {
      rebuild: true,
    });
    const { rows: sizes } = await client.query<{ view: string; n: number }>(
      `SELECT 'people' AS view, count(*)::int AS n FROM stats_people UNION ALL
       SELECT 'households', count(*)::int FROM stats_households UNION ALL
       SELECT 'enrolments', count(*)::int FROM stats_enrolments UNION ALL
       SELECT 'referrals', count(*)::int FROM stats_referrals`,
    );
    rows.push([
      'rows in the summary tables (municipality x month x category)',
      sizes.map((s) => `${s.view} ${s.n}`).join(', '),
    ]);
    // 2. The job's run when nothing changed, a busy minute, and changes in every municipality.
    await refresh('refresh, nothing changed');
    const minute = await busyMinute(client);
    await refresh(`refresh after a busy minute (${minute})`);
    const everywhere = await everyMunicipality(client);
    await refresh(`refresh after changes in every municipality (${everywhere})`);

    // 3. What the triggers (and the slice indexes) cost the writes.
    rows.push(...(await writeCost(client)));

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

    // 4. Reports through the API.
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

    // 5. A change to its figure, refresh run at once: the answers keep the previous cube until the
    // new one is built beside them, so read until the change shows.
    const spata = ask(national, 'MUNICIPALITY', '4912');
    const register = () =>
      client.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key)
         VALUES ('4912', 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', '1985-01-01', 'FEMALE', 'nea engrafi', 'nea engrafi')`,
      );
    const until = async (before: number, changed: number) => {
      for (;;) {
        const answer = await timed(endpoint, spata);
        if (peopleTotal(JSON.parse(answer.text))! > before) return answer;
        if (performance.now() - changed > 300_000) throw new Error('the change did not appear in 5 minutes');
        await sleep(100);
      }
    };
    {
      const before = peopleTotal(JSON.parse((await timed(endpoint, spata)).text))!;
      const changed = performance.now();
      await register();
      await statistics.refresh();
      const refreshed = performance.now();
      const after = await until(before, changed);
      rows.push([
        'a change to its figure, refresh run at once (insert, refresh, answers until it shows)',
        `${((performance.now() - changed) / 1000).toFixed(2)} s, of which the refresh ${((refreshed - changed) / 1000).toFixed(2)} s (Spata ${before} -> ${peopleTotal(JSON.parse(after.text))})`,
      ]);
    }

    // 6. A change to its figure with the job worker on its schedule (pg-boss), while national
    // reports keep coming: the delay a user sees, and the report's p95 across refreshes.
    const worker = app.get(JobWorker);
    await worker.start();
    try {
      const delays: number[] = [];
      let stop = false;
      const load = fireUntil(
        endpoint,
        () => nationalReport,
        CONCURRENCY - 1,
        () => stop,
      );
      for (let i = 0; i < DELAY_SAMPLES; i++) {
        // a different moment of the minute each time
        await sleep(1000 + ((i * 23_000) % 45_000));
        const before = peopleTotal(JSON.parse((await timed(endpoint, spata)).text))!;
        const changed = performance.now();
        await register();
        for (;;) {
          await sleep(250);
          if (peopleTotal(JSON.parse((await timed(endpoint, spata)).text))! > before) break;
          if (performance.now() - changed > 300_000)
            throw new Error('the change did not appear in 5 minutes');
        }
        delays.push((performance.now() - changed) / 1000);
      }
      stop = true;
      const during = await load;
      rows.push([
        `a change to its figure with the job worker on its schedule (${DELAY_SAMPLES} changes)`,
        `${delays.map((d) => `${d.toFixed(1)} s`).join(', ')}; max ${Math.max(...delays).toFixed(1)} s (target under 60 s)`,
      ]);
      rows.push([
        `national report while the worker refreshes (${during.count} requests, ${CONCURRENCY - 1} connections)`,
        `p50 ${during.p50.toFixed(1)} ms  p95 ${during.p95.toFixed(1)} ms  max ${during.max.toFixed(0)} ms  errors ${during.errors}`,
      ]);
      const { rows: recorded } = await client.query<{
        view_name: string;
        duration_ms: number;
        slices: number;
      }>(`SELECT view_name, duration_ms, slices FROM statistics_refresh ORDER BY view_name`);
      rows.push([
        "the worker's last refresh",
        recorded
          .map((x) => `${x.view_name.replace('stats_', '')} ${x.duration_ms} ms (${x.slices} slices)`)
          .join(', '),
      ]);
    } finally {
      await worker.stop();
    }
  } finally {
    await client.end().catch(() => undefined);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  printTable(
    `statistics, ${PEOPLE.toLocaleString('en')} people, ${ENROLMENTS.toLocaleString('en')} enrolments, ${REFERRALS.toLocaleString('en')} referrals (a shared 2-core machine: other work may run alongside; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end)`,
    rows,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * About a minute of the country's desks, one statement each as the service writes them:
 * registrations in 120 municipalities, enrolments, referrals answered, people edited.
 */
async function busyMinute(client: pg.Client): Promise<string> {
  const { rows: codes } = await client.query<{ code: string }>(
    `SELECT code FROM municipality ORDER BY md5(code || now()::text) LIMIT 120`,
  );
  for (let i = 0; i < 300; i++)
    await client.query(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, name_key, phonetic_key)
       VALUES ($1, 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', '1990-01-01', 'MALE', 'nea engrafi', 'nea engrafi')`,
      [codes[i % codes.length]!.code],
    );
  const { rows: people } = await client.query<{ id: string }>(
    `SELECT id FROM person ORDER BY created_at DESC LIMIT 100`,
  );
  for (const p of people)
    await client.query(
      `INSERT INTO enrolment (person_id, programme_id, status, applied_on, source, created_by, updated_by)
       SELECT $1, id, 'APPLIED', current_date, 'CENTRE', 'system:bench', 'system:bench' FROM programme ORDER BY code LIMIT 1`,
      [p.id],
    );
  const { rows: referrals } = await client.query<{ id: string }>(
    `SELECT id FROM referral WHERE status = 'SENT' ORDER BY md5(id::text || now()::text) LIMIT 150`,
  );
  for (const r of referrals)
    await client.query(
      `UPDATE referral SET status = 'ACCEPTED', accepted_at = clock_timestamp(), version = version + 1 WHERE id = $1`,
      [r.id],
    );
  const { rows: edited } = await client.query<{ id: string }>(
    `SELECT id FROM person ORDER BY md5(id::text || now()::text) LIMIT 50`,
  );
  for (const p of edited)
    await client.query(`UPDATE person SET phone = '2100000000', version = version + 1 WHERE id = $1`, [p.id]);
  return '300 registrations in 120 municipalities, 100 enrolments, 150 referrals accepted, 50 people edited';
}

/** One registration, one enrolment and one referral answered in every municipality. */
async function everyMunicipality(client: pg.Client): Promise<string> {
  await client.query(
    `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                         gender, name_key, phonetic_key)
     SELECT code, 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', '1990-01-01', 'FEMALE', 'nea engrafi', 'nea engrafi'
       FROM municipality`,
  );
  await client.query(
    `INSERT INTO enrolment (person_id, programme_id, status, applied_on, source, created_by, updated_by)
     SELECT DISTINCT ON (p.municipality_code) p.id, (SELECT id FROM programme ORDER BY code LIMIT 1), 'APPLIED',
            current_date, 'CENTRE', 'system:bench', 'system:bench'
       FROM person p ORDER BY p.municipality_code, p.created_at DESC`,
  );
  await client.query(
    `UPDATE referral r SET status = 'ACCEPTED', accepted_at = clock_timestamp(), version = version + 1
       FROM (SELECT DISTINCT ON (from_municipality_code) id FROM referral WHERE status = 'SENT'
              ORDER BY from_municipality_code, created_at DESC) x
      WHERE r.id = x.id`,
  );
  return 'one registration, enrolment and referral answer in each of the 332 municipalities';
}

/**
 * The write path: a bulk insert of people, single-row registrations and a bulk referral update,
 * each with the statistics triggers and slice index and without them (in a transaction rolled
 * back, so the database is left as it was). Medians of 3.
 */
async function writeCost(client: pg.Client): Promise<Array<[string, string]>> {
  const BULK = 20_000;
  const SINGLE = 300;
  const insertBulk = `
    INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender,
                        name_key, phonetic_key)
    SELECT m.code, 'Μαζική', 'Εγγραφή', 'Maziki', 'Engrafi', '1980-01-01'::date + g % 9000, 'FEMALE', 'maziki engrafi',
           'maziki engrafi'
      FROM generate_series(1, ${BULK}) g
      JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n FROM municipality) m
        ON m.i = g % m.n`;
  const insertOne = `
    INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender,
                        name_key, phonetic_key)
    VALUES ('4912', 'Μία', 'Εγγραφή', 'Mia', 'Engrafi', '1980-01-01', 'MALE', 'mia engrafi', 'mia engrafi')`;
  const updateBulk = `
    UPDATE referral SET status = 'CANCELLED', completed_at = clock_timestamp(), version = version + 1
     WHERE id IN (SELECT id FROM referral WHERE status IN ('SENT', 'ACCEPTED') LIMIT ${BULK})`;
  const measure = async (withStatistics: boolean, table: string, run: () => Promise<unknown>) => {
    await client.query('BEGIN');
    try {
      if (!withStatistics) {
        await client.query(`ALTER TABLE ${table} DISABLE TRIGGER stats_mark_insert`);
        await client.query(`ALTER TABLE ${table} DISABLE TRIGGER stats_mark_update`);
        if (table === 'person') await client.query(`DROP INDEX person_municipality_created_idx`);
      }
      const t = performance.now();
      await run();
      return performance.now() - t;
    } finally {
      await client.query('ROLLBACK');
    }
  };
  const compare = async (label: string, table: string, run: () => Promise<unknown>) => {
    const withS: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 3; i++) {
      without.push(await measure(false, table, run));
      withS.push(await measure(true, table, run));
    }
    const a = percentile(without, 50);
    const b = percentile(withS, 50);
    return [
      `write cost: ${label}, without -> with the statistics triggers${table === 'person' ? ' and index' : ''}`,
      `${a.toFixed(0)} ms -> ${b.toFixed(0)} ms (x${(b / a).toFixed(2)})`,
    ] as [string, string];
  };
  return [
    await compare(`one INSERT of ${BULK.toLocaleString('en')} people`, 'person', () =>
      client.query(insertBulk),
    ),
    await compare(`${SINGLE} single-row registrations`, 'person', async () => {
      for (let i = 0; i < SINGLE; i++) await client.query(insertOne);
    }),
    await compare(`one UPDATE of ${BULK.toLocaleString('en')} referrals (status)`, 'referral', () =>
      client.query(updateBulk),
    ),
  ];
}

interface Fired {
  count: number;
  p50: number;
  p95: number;
  max: number;
  errors: number;
}

/** Requests on `concurrency` connections until `done()`. */
async function fireUntil(
  endpoint: string,
  request: () => { headers: Record<string, string>; body: string },
  concurrency: number,
  done: () => boolean,
): Promise<Fired> {
  const samples: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!done()) {
        try {
          samples.push((await timed(endpoint, request())).ms);
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    max: Math.max(...samples),
    errors,
  };
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
