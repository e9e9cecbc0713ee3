import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { Role } from '../src/auth/roles.js';
import { signToken } from '../src/auth/tokens.js';
import { todayInAthens } from '../src/common/athens-time.js';
import { loadConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { EligibilityOutcome, type PersonFacts } from '../src/eligibility/contracts.js';
import { PROGRAMMES_AVAILABLE, type ProgrammeRow } from '../src/eligibility/entitlements.queries.js';
import {
  outcomeOf,
  prepareProgramme,
  type PreparedProgramme,
} from '../src/eligibility/programme-evaluation.js';
import { parametersAsOf } from '../src/eligibility/rules/index.js';
import { percentile, printTable } from './report.js';
import {
  seedDemoProviders,
  syntheticPopulation,
  writeSyntheticFacts,
  admin,
  databaseExists,
} from './synthetic-database.js';

/**
 * Entitlements at scale (issue 11): every demo programme evaluated for every one of BENCH_PEOPLE
 * (1,000,000) synthetic people with facts (bench/synthetic-database.ts), and the demo programmes
 * with their seeded rules, then one person's `entitlements` through the API.
 *
 * 1. Whole population: the facts of the people are streamed in batches of BENCH_BATCH (5,000)
 *    from the facts view (`person_fact_values`, one statement through a cursor), and each person is
 *    evaluated in Node against every programme that reaches their municipality, with the rules
 *    compiled once (outcome and amount only). Prints people per second, total seconds and the
 *    process's peak RSS. Targets: under 60 s for the million, under 1 GB.
 * 2. One person through the API: `entitlements(personId:)` over GraphQL/HTTP at BENCH_CONCURRENCY
 *    (4) connections, BENCH_REQUESTS (1,000) requests as a national administrator; p50 and p95
 *    (target p95 under 50 ms).
 *
 * Run: npm run bench:entitlements (DATABASE_URL set; BENCH_PEOPLE=100000 for a quick run). The
 * database `mitroa_entitlements_bench_<people>` is kept between runs; BENCH_DROP=1 drops it.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const SEED = 20_261_211;
// Today: the synthetic households and facts are dated from the day the database was built.
const AS_OF = process.env.BENCH_AS_OF ?? todayInAthens();

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = process.env.BENCH_DATABASE ?? `mitroa_entitlements_bench_${PEOPLE}`;
  const url = withDatabase(serverUrl, database);
  const rows: Array<[string, string]> = [];
  if (!(await databaseExists(serverUrl, database))) {
    const seconds = await build(serverUrl, database, url);
    rows.push(['build (people, households, facts, demo programmes)', `${seconds.toFixed(1)} s`]);
  } else await migrate(url);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    rows.push(...(await wholePopulation(client)));
    rows.push(...(await onePersonThroughTheApi(client, url)));
  } finally {
    await client.end().catch(() => undefined);
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  printTable(
    `entitlements, ${PEOPLE.toLocaleString('en')} people, as of ${AS_OF} (a shared 2-core machine: other work may run alongside)`,
    rows,
  );
}

/** Every programme for every person: facts streamed in batches, rules run in Node. */
async function wholePopulation(client: pg.Client): Promise<Array<[string, string]>> {
  const { rows: municipalities } = await client.query<{ code: string }>(`SELECT code FROM municipality`);
  // Programmes reaching each municipality: the same SQL as the API, once per municipality.
  const reaching = new Map<string, Array<{ p: PreparedProgramme; params: Record<string, number> }>>();
  for (const { code } of municipalities) {
    const { rows } = await client.query<ProgrammeRow>(PROGRAMMES_AVAILABLE, [code, AS_OF, null]);
    reaching.set(
      code,
      rows.map((r) => {
        const p = prepareProgramme(r);
        return { p, params: parametersAsOf(r.parameters, AS_OF) };
      }),
    );
  }
  const counts = new Map<string, Record<EligibilityOutcome, number>>();
  let evaluations = 0;
  let people = 0;
  const started = performance.now();
  let factsMs = 0;
  // One statement over the whole population through a cursor, as FactsService.forEachBatch reads an
  // area: the view's joins run set-wise once, instead of once per batch of ids.
  await client.query('BEGIN');
  await client.query(`SET LOCAL work_mem = '64MB'`);
  await client.query('SET LOCAL jit = off');
  await client.query(
    `DECLARE everyone NO SCROLL CURSOR FOR SELECT person_id, municipality_code, fact_values FROM person_fact_values($1::date)`,
    [AS_OF],
  );
  for (;;) {
    const t = performance.now();
    const { rows } = await client.query<{
      person_id: string;
      municipality_code: string;
      fact_values: string | null;
    }>(`FETCH ${BATCH} FROM everyone`);
    factsMs += performance.now() - t;
    if (rows.length === 0) break;
    for (const row of rows) {
      const facts = asFacts(row.fact_values);
      for (const { p, params } of reaching.get(row.municipality_code) ?? []) {
        const { outcome } = outcomeOf(p, facts, params);
        let c = counts.get(p.row.code);
        if (!c) counts.set(p.row.code, (c = { ELIGIBLE: 0, NOT_ELIGIBLE: 0, CANNOT_TELL: 0 }));
        c[outcome]++;
        evaluations++;
      }
    }
    people += rows.length;
    if (rows.length < BATCH) break;
  }
  await client.query('COMMIT');
  const seconds = (performance.now() - started) / 1000;
  const out: Array<[string, string]> = [
    [
      'whole population: every programme for every person',
      `${people.toLocaleString('en')} people, ${evaluations.toLocaleString('en')} evaluations in ${seconds.toFixed(1)} s`,
    ],
    ['  people per second', `${Math.round(people / seconds).toLocaleString('en')}`],
    ['  of which reading facts (SQL)', `${(factsMs / 1000).toFixed(1)} s`],
    ['  peak RSS of this process', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`],
  ];
  for (const [code, c] of [...counts].sort())
    out.push([
      `  ${code}`,
      `eligible ${c.ELIGIBLE}  not eligible ${c.NOT_ELIGIBLE}  cannot tell ${c.CANNOT_TELL}`,
    ]);
  return out;
}

/** The view's values (JSON text) as the rule compiler reads them: `{ name: { value } }`. */
function asFacts(text: string | null): PersonFacts {
  const facts: Record<string, { value: unknown }> = {};
  if (!text) return facts as PersonFacts;
  const values = JSON.parse(text) as Record<string, unknown>;
  for (const k in values) if (values[k] !== null) facts[k] = { value: values[k] };
  return facts as PersonFacts;
}

async function onePersonThroughTheApi(client: pg.Client, url: string): Promise<Array<[string, string]>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-entitlements-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    // The load generator stands for many callers with one token: no per-caller share of the pool.
    DATABASE_CONNECTIONS_PER_CALLER: '1000',
    DATABASE_POOL_SIZE: String(CONCURRENCY),
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  try {
    await app.listen(0, '127.0.0.1');
    const endpoint = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const token = await signToken(config, 'bench', { roles: [Role.NATIONAL_ADMIN] }, '1h');
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM person WHERE status = 'ACTIVE' ORDER BY md5(id::text) LIMIT 500`,
    );
    const query = `query($id: UUID!) { entitlements(personId: $id, purpose: ELIGIBILITY_ASSESSMENT) {
      withheldProgrammes entitlements { programmeCode outcome amount summary
        criteria { id status explanation shortfall missing { fact suppliers } }
        providers { name proximity distanceKm opensNext { date opensAt } } } } }`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const body = (i: number) =>
      JSON.stringify({ query, variables: { id: rows[(i * 7919) % rows.length]!.id } });
    await fire(endpoint, headers, body, Math.min(100, REQUESTS), CONCURRENCY);
    const serial = await fire(endpoint, headers, body, Math.min(200, REQUESTS), 1);
    const r = await fire(endpoint, headers, body, REQUESTS, CONCURRENCY);
    return [
      [
        `one person's entitlements over GraphQL (1 connection)`,
        `${serial.perSecond.toFixed(0)} req/s  p50 ${serial.p50.toFixed(1)} ms  p95 ${serial.p95.toFixed(1)} ms  errors ${serial.errors}`,
      ],
      [
        `one person's entitlements over GraphQL (${CONCURRENCY} connections)`,
        `${r.perSecond.toFixed(0)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  errors ${r.errors}`,
      ],
    ];
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function fire(
  endpoint: string,
  headers: Record<string, string>,
  body: (i: number) => string,
  total: number,
  concurrency: number,
): Promise<{ perSecond: number; p50: number; p95: number; errors: number }> {
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
      if (!response.ok || json.errors) if (errors++ === 0) console.error(JSON.stringify(json).slice(0, 400));
      samples.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: total / seconds, p50: percentile(samples, 50), p95: percentile(samples, 95), errors };
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
  await admin(url, 'VACUUM ANALYZE');
  return (performance.now() - started) / 1000;
}

await main();
