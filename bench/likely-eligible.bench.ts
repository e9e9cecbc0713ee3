import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { LikelyEligibleService } from '../src/statistics/likely-eligible.service.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { printTable } from './report.js';
import {
  admin,
  databaseExists,
  seedDemoProviders,
  syntheticPopulation,
  writeSyntheticFacts,
} from './synthetic-database.js';

/**
 * The cost of "likely eligible, not enrolled" per municipality x programme (issue 14,
 * docs/statistics.md): LikelyEligibleService.refresh() on a generated database of BENCH_PEOPLE
 * (1,000,000) people with facts (bench/synthetic-database.ts), the demo programmes and
 * BENCH_ENROLMENTS (PEOPLE / 5) enrolments, run BENCH_RUNS (2) times, against the reference of the
 * same run: the registry statistics refresh (StatisticsService.refresh(), every minute today).
 *
 * Run: npm run bench:likely-eligible (DATABASE_URL set; BENCH_PEOPLE=200000 for a quicker run). The
 * database `mitroa_likely_eligible_bench_<people>` is kept between runs; BENCH_DROP=1 drops it.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const ENROLMENTS = Number(process.env.BENCH_ENROLMENTS ?? Math.round(PEOPLE / 5));
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const SEED = 20_261_202;

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = process.env.BENCH_DATABASE ?? `mitroa_likely_eligible_bench_${PEOPLE}`;
  const url = withDatabase(serverUrl, database);
  const rows: Array<[string, string]> = [];
  if (!(await databaseExists(serverUrl, database))) {
    const seconds = await build(serverUrl, database, url);
    rows.push([
      'build (people, households, facts, programmes, enrolments; not timed below)',
      `${seconds.toFixed(0)} s`,
    ]);
  } else await migrate(url);

  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-likely-eligible-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  try {
    const statistics = app.get(StatisticsService);
    const likely = app.get(LikelyEligibleService);
    for (let run = 1; run <= RUNS; run++) {
      let t = performance.now();
      const reference = await statistics.refresh();
      const referenceMs = performance.now() - t;
      t = performance.now();
      const result = await likely.refresh();
      const ms = performance.now() - t;
      rows.push(
        [
          `run ${run}: registry statistics refresh (reference, 4 views)`,
          `${(referenceMs / 1000).toFixed(1)} s (${reference.map((r) => `${r.view} ${(r.durationMs / 1000).toFixed(1)} s`).join(', ')})`,
        ],
        [
          `run ${run}: likely eligible, not enrolled`,
          `${(ms / 1000).toFixed(1)} s = ${(ms / referenceMs).toFixed(1)} x the reference; ${result.people?.toLocaleString('en')} people, ${result.evaluations?.toLocaleString('en')} evaluations, ${Math.round((result.people ?? 0) / (ms / 1000)).toLocaleString('en')} people/s`,
        ],
        [
          `run ${run}:   phases`,
          `programmes and open enrolments ${result.phases?.prepareMs} ms, facts streamed and evaluated ${result.phases?.evaluateMs} ms, counts written ${result.phases?.writeMs} ms`,
        ],
      );
    }
    rows.push(['peak RSS of this process', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`]);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  const counts = new pg.Client({ connectionString: url });
  await counts.connect();
  try {
    const { rows: summary } = await counts.query<{ rows: number; programmes: number; not_enrolled: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT programme_id)::int AS programmes,
              coalesce(sum(eligible_not_enrolled), 0)::int AS not_enrolled FROM stats_likely_eligible`,
    );
    rows.push([
      'stats_likely_eligible',
      `${summary[0]!.rows} rows (municipality x programme), ${summary[0]!.programmes} programmes, ${summary[0]!.not_enrolled.toLocaleString('en')} likely eligible not enrolled`,
    ]);
  } finally {
    await counts.end();
  }
  printTable(
    `likely eligible, not enrolled: ${PEOPLE.toLocaleString('en')} people, ${ENROLMENTS.toLocaleString('en')} enrolments (a shared 2-core machine: other work may run alongside)`,
    rows,
  );
}

async function build(serverUrl: string, database: string, url: string): Promise<number> {
  console.log(`building ${database}`);
  const started = performance.now();
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const population = await syntheticPopulation(client, SEED);
    await writeHouseholds(client, population.households(PEOPLE), {
      actorId: 'system:bench',
      batchSize: 10000,
    });
    console.log(`facts: ${await writeSyntheticFacts(client)} rows`);
  } finally {
    await client.end();
  }
  await seedDemoProviders(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Enrolments: people drawn by hash, each in one demo programme, in a status by hash.
    await c.query(
      `WITH g AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n FROM programme),
            p AS (SELECT id, abs(hashtext(id::text || 'e')) AS h FROM person ORDER BY md5(id::text) LIMIT $1)
       INSERT INTO enrolment (person_id, programme_id, status, applied_on, started_on, ended_on, source, created_by, updated_by)
       SELECT p.id, g.id, s.status, current_date - 30, CASE WHEN s.status <> 'APPLIED' THEN current_date - 30 END,
              CASE WHEN s.status = 'ENDED' THEN current_date - 1 END, 'CENTRE', 'system:bench', 'system:bench'
         FROM p JOIN g ON g.i = p.h % g.n
         CROSS JOIN LATERAL (SELECT (ARRAY['APPLIED', 'ACTIVE', 'ACTIVE', 'SUSPENDED', 'ENDED'])[1 + p.h % 5] AS status) s`,
      [ENROLMENTS],
    );
  } finally {
    await c.end();
  }
  await admin(url, 'VACUUM ANALYZE');
  return (performance.now() - started) / 1000;
}

await main();
