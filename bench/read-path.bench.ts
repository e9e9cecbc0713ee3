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
import { Q1_PERSON_BY_AMKA, Q2_PEOPLE_OF_MUNICIPALITY, Q3_PROVIDERS_SERVING } from './read-queries.js';
import { percentile, printTable } from './report.js';
import { seedDemoProviders, syntheticPopulation, admin, databaseExists } from './synthetic-database.js';

/**
 * The read path under load: Q1-Q3 of issue 9 over HTTP at BENCH_CONCURRENCY (16) connections
 * against the app as `createApp` builds it (scope, row-level security and the read audit on), on a
 * database of BENCH_PEOPLE (50,000) synthetic people and the demo providers. Prints req/s, p50 and
 * p99 per query, BENCH_ROUNDS (3) rounds of BENCH_REQUESTS (2,000) requests each.
 *
 * Run: npm run build && DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node dist/bench/read-path.bench.js
 * The database `mitroa_read_bench_<people>` is kept between runs (so that before/after runs read the
 * same data); BENCH_DROP=1 drops it at the end.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = 20_261_201;
/** Only the queries whose label starts with one of these (`BENCH_QUERIES=Q2`, `Q1,Q3`), for profiling. */
const ONLY = process.env.BENCH_QUERIES?.split(',').map((q) => q.trim());

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = process.env.BENCH_DATABASE ?? `mitroa_read_bench_${PEOPLE}`;
  const url = withDatabase(serverUrl, database);
  if (!(await databaseExists(serverUrl, database))) await build(serverUrl, database, url);
  else await migrate(url);

  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-read-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    // The load generator stands for many callers with one token: no per-caller share of the pool.
    DATABASE_CONNECTIONS_PER_CALLER: '1000',
    DATABASE_POOL_SIZE: String(CONCURRENCY),
    ...(process.env.DATABASE_PREPARED_STATEMENTS
      ? { DATABASE_PREPARED_STATEMENTS: process.env.DATABASE_PREPARED_STATEMENTS }
      : {}),
  });
  const app = await createApp(config, url, { logger: false, logDestination: devNull() });
  const client = new pg.Client({ connectionString: url });
  try {
    await app.listen(0, '127.0.0.1');
    const endpoint = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const token = await signToken(config, 'bench', { roles: [Role.NATIONAL_ADMIN] }, '1h');
    await client.connect();
    const inputs = await pickInputs(client);
    const queries: Array<{ label: string; body: (i: number) => string }> = [
      {
        label: 'Q1 person by AMKA + groups + household members',
        body: (i) => JSON.stringify({ query: Q1_PERSON_BY_AMKA, variables: { amka: pick(inputs.amkas, i) } }),
      },
      {
        label: 'Q2 first 50 of a municipality + groups',
        body: (i) =>
          JSON.stringify({
            query: Q2_PEOPLE_OF_MUNICIPALITY,
            variables: { municipalityCode: pick(inputs.bigMunicipalities, i) },
          }),
      },
      {
        label: 'Q3 providers serving a municipality + services + hours',
        body: (i) =>
          JSON.stringify({
            query: Q3_PROVIDERS_SERVING,
            variables: { municipality: pick(inputs.servedMunicipalities, i) },
          }),
      },
    ];
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-purpose': 'CASE_MANAGEMENT',
    };
    const rows: Array<[string, string]> = [];
    for (let round = 1; round <= ROUNDS; round++)
      for (const q of queries.filter((q) => !ONLY || ONLY.some((o) => q.label.startsWith(o)))) {
        await fire(endpoint, headers, q.body, Math.min(200, REQUESTS)); // warm-up
        const r = await fire(endpoint, headers, q.body, REQUESTS);
        rows.push([
          `round ${round} ${q.label}`,
          `${r.perSecond.toFixed(0)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors}`,
        ]);
      }
    printTable(
      `read path, ${PEOPLE.toLocaleString('en')} people, ${CONCURRENCY} connections, ${REQUESTS} requests per round`,
      rows,
    );
  } finally {
    await client.end().catch(() => undefined);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

function pick<T>(list: T[], i: number): T {
  return list[(i * 7919) % list.length]!;
}

async function fire(
  endpoint: string,
  headers: Record<string, string>,
  body: (i: number) => string,
  total: number,
): Promise<{ perSecond: number; p50: number; p99: number; errors: number }> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      const response = await fetch(endpoint, { method: 'POST', headers, body: body(i) });
      const json = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || json.errors) {
        if (errors++ === 0) console.error(JSON.stringify(json).slice(0, 400));
      }
      samples.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: total / seconds, p50: percentile(samples, 50), p99: percentile(samples, 99), errors };
}

async function pickInputs(client: pg.Client) {
  const { rows: amkas } = await client.query<{ amka: string }>(
    `SELECT amka FROM person WHERE amka IS NOT NULL AND status = 'ACTIVE' ORDER BY md5(id::text) LIMIT 500`,
  );
  const { rows: big } = await client.query<{ code: string }>(
    `SELECT municipality_code AS code FROM person GROUP BY 1 ORDER BY count(*) DESC LIMIT 20`,
  );
  const { rows: served } = await client.query<{ code: string }>(
    `SELECT DISTINCT municipality_code AS code FROM provider ORDER BY 1`,
  );
  return {
    amkas: amkas.map((r) => r.amka),
    bigMunicipalities: big.map((r) => r.code),
    servedMunicipalities: served.map((r) => r.code),
  };
}

async function build(serverUrl: string, database: string, url: string): Promise<void> {
  console.log(`building ${database}`);
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const population = await syntheticPopulation(client, SEED);
    await writeHouseholds(client, population.households(PEOPLE), { actorId: 'system:bench' });
  } finally {
    await client.end();
  }
  await seedDemoProviders(url);
  await admin(url, 'VACUUM ANALYZE');
}

/** Request logs go nowhere (the logger still formats them, as in production at LOG_LEVEL=info). */
function devNull() {
  return { write: () => true };
}

await main();
