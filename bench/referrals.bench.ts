import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { Role } from '../src/auth/roles.js';
import { signToken } from '../src/auth/tokens.js';
import { loadConfig, type AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { verifyWebhook } from '../src/outbox/webhook-signature.js';
import { REFERRAL_COLUMNS, REFERRAL_FROM } from '../src/referrals/referrals.queries.js';
import { writeProviders, writeReferrals } from './referrals-data.js';
import { percentile, printTable } from './report.js';
import { admin, databaseExists, seedDemoProviders, syntheticPopulation } from './synthetic-database.js';

/**
 * Referrals at scale (issue 12): BENCH_REFERRALS (200,000) referrals of BENCH_PEOPLE (300,000)
 * synthetic people (bench/referrals-data.ts), read through the whole service over GraphQL/HTTP with
 * the production configuration (area scope, row-level security as mitroa_app, the read audit):
 *
 * - a provider's inbox (provider staff token; the 20 busiest providers in turn), all and waiting;
 * - a centre's overdue referrals still waiting for an answer (centre staff token; the 20
 *   municipalities with the most referrals in turn);
 * - a person's referral history (centre staff of the person's municipality);
 *
 * each BENCH_REQUESTS (1,000) times at 1 connection and at BENCH_CONCURRENCY (4), with p50/p95/p99
 * and requests per second (target p95 under 50 ms for the inbox and the overdue list). The plans of
 * the same SQL are printed with EXPLAIN (ANALYZE, BUFFERS) under the same role and settings.
 *
 * Then event delivery: BENCH_EVENTS (20,000) events written to the outbox in one transaction, a
 * local receiver (node:http) verifying every signature, and the real worker (dist/src/worker.js,
 * `npm run worker`) delivering: events per second with one worker and with two, and whether every
 * event arrived exactly once.
 *
 * BENCH_SCENARIOS=inbox,overdue runs only the reads whose name holds one of the words; BENCH_DELIVERY=0
 * skips the delivery part. Run: npm run bench:referrals (DATABASE_URL set). The database `mitroa_referrals_bench_<people>_<referrals>`
 * is kept between runs (marked complete only once loaded); BENCH_DROP=1 drops it at the end.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 300_000);
const REFERRALS = Number(process.env.BENCH_REFERRALS ?? 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const SEED = 20_261_212;
const COMPLETE = 'mitroa referrals bench: loaded';
const JWT_SECRET = 'bench-secret-of-at-least-32-characters';
const RECEIVER_SECRET = 'the-bench-receiver-secret-of-32-characters';

type Row = [string, string];

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const database = process.env.BENCH_DATABASE ?? `mitroa_referrals_bench_${PEOPLE}_${REFERRALS}`;
  const url = withDatabase(serverUrl, database);
  const rows: Row[] = [];
  if (!(await isComplete(serverUrl, database))) {
    const { seconds, summary } = await build(serverUrl, database, url);
    rows.push(['build', `${seconds.toFixed(1)} s (${summary})`]);
  } else await migrate(url);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    rows.push(...(await shape(client)));
    rows.push(...(await throughTheApi(client, url)));
    if (process.env.BENCH_DELIVERY !== '0') {
      rows.push(...(await delivery(client, url, 1)));
      rows.push(...(await delivery(client, url, 2)));
    }
  } finally {
    await client.end().catch(() => undefined);
    if (process.env.BENCH_DROP === '1')
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
  printTable(
    `referrals, ${REFERRALS.toLocaleString('en')} referrals of ${PEOPLE.toLocaleString('en')} people ` +
      `(2 cores shared with other work; load average now ${load.join(' ')})`,
    rows,
  );
}

async function isComplete(serverUrl: string, database: string): Promise<boolean> {
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

async function build(
  serverUrl: string,
  database: string,
  url: string,
): Promise<{ seconds: number; summary: string }> {
  console.log(`building ${database}`);
  const started = performance.now();
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let summary: string;
  try {
    const population = await syntheticPopulation(client, SEED);
    await writeHouseholds(client, population.households(PEOPLE), {
      actorId: 'system:bench',
      batchSize: 10000,
    });
    console.log(`people: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await seedDemoProviders(url);
    const providers = await writeProviders(client);
    const t = performance.now();
    const written = await writeReferrals(client, REFERRALS);
    console.log(`referrals: ${((performance.now() - t) / 1000).toFixed(0)} s`);
    summary = `${providers} generated providers, ${written.referrals} referrals, ${written.history} history rows, ${written.consents} consents`;
  } finally {
    await client.end();
  }
  await admin(url, 'VACUUM ANALYZE');
  await admin(serverUrl, `COMMENT ON DATABASE ${database} IS '${COMPLETE}'`);
  return { seconds: (performance.now() - started) / 1000, summary };
}

/** What the generated data looks like: statuses, the overdue share, providers and history. */
async function shape(client: pg.Client): Promise<Row[]> {
  const { rows } = await client.query<Record<string, string>>(`
    SELECT (SELECT string_agg(status || ' ' || n, ', ' ORDER BY n DESC)
              FROM (SELECT status, count(*) AS n FROM referral GROUP BY status) s) AS statuses,
           (SELECT count(*) FROM referral WHERE overdue AND status = 'SENT') AS overdue_waiting,
           (SELECT count(*) FROM referral WHERE overdue) AS overdue_ever,
           (SELECT count(DISTINCT provider_id) FROM referral) AS providers,
           (SELECT max(n) FROM (SELECT count(*) AS n FROM referral GROUP BY provider_id) p) AS busiest,
           (SELECT count(DISTINCT from_municipality_code) FROM referral) AS municipalities,
           (SELECT count(DISTINCT person_id) FROM referral) AS people,
           (SELECT count(*) FROM referral_history) AS history`);
  const r = rows[0]!;
  return [
    ['statuses', r.statuses!],
    [
      'overdue',
      `${r.overdue_waiting} waiting (SENT, flagged), ${r.overdue_ever} ever flagged (${((100 * Number(r.overdue_waiting)) / REFERRALS).toFixed(1)} % / ${((100 * Number(r.overdue_ever)) / REFERRALS).toFixed(1)} %)`,
    ],
    [
      'spread',
      `${r.providers} providers (busiest ${r.busiest}), ${r.municipalities} referring municipalities, ${r.people} people, ${r.history} history rows`,
    ],
  ];
}

interface Scenario {
  name: string;
  query: string;
  /** Token and variables of the i-th request. */
  request(i: number): { token: string; variables: Record<string, unknown> };
  /** The SQL of the service (ReferralsService.list) for EXPLAIN, as it runs for request 0. */
  explain?: { sql: string; params: unknown[]; area: string; provider: string };
}

const NODE = `id status kind dueOn overdue urgency categoryCode reminders updatedAt
  person { givenName surname phone }`;

async function throughTheApi(client: pg.Client, url: string): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-referrals-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET,
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    // The load generator stands for many callers with one token: no per-caller share of the pool.
    DATABASE_CONNECTIONS_PER_CALLER: '1000',
    DATABASE_POOL_SIZE: String(Math.max(4, CONCURRENCY)),
  });
  const scenarios = await buildScenarios(client, config);
  const out: Row[] = [];
  for (const s of scenarios) if (s.explain) out.push(...(await explain(client, s)));
  // Request logs at info, as in production, to a sink.
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  try {
    await app.listen(0, '127.0.0.1');
    const endpoint = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    for (const s of scenarios) {
      const body = (i: number) => {
        const { token, variables } = s.request(i);
        return {
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'x-purpose': 'REFERRAL',
          },
          body: JSON.stringify({ query: s.query, variables }),
        };
      };
      await fire(endpoint, body, Math.min(100, REQUESTS), CONCURRENCY); // warm-up
      const serial = await fire(endpoint, body, REQUESTS, 1);
      const parallel = await fire(endpoint, body, REQUESTS, CONCURRENCY);
      out.push([`${s.name} (1 connection)`, describe(serial)]);
      out.push([`${s.name} (${CONCURRENCY} connections)`, describe(parallel)]);
      console.log(
        out
          .slice(-2)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      );
    }
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

async function buildScenarios(client: pg.Client, config: AppConfig): Promise<Scenario[]> {
  const { rows: providers } = await client.query<{ provider_id: string }>(
    `SELECT provider_id FROM referral WHERE provider_id IS NOT NULL
      GROUP BY provider_id ORDER BY count(*) DESC LIMIT 20`,
  );
  const { rows: municipalities } = await client.query<{ code: string }>(
    `SELECT from_municipality_code AS code FROM referral GROUP BY 1 ORDER BY count(*) DESC LIMIT 20`,
  );
  const { rows: people } = await client.query<{ person_id: string; code: string }>(
    `SELECT r.person_id, p.municipality_code AS code FROM referral r JOIN person p ON p.id = r.person_id
      GROUP BY 1, 2 ORDER BY md5(r.person_id::text) LIMIT 500`,
  );
  const providerTokens = await Promise.all(
    providers.map(({ provider_id }, i) =>
      signToken(config, `provider-staff-${i}`, { roles: [Role.PROVIDER_STAFF], provider: provider_id }, '2h'),
    ),
  );
  const centreTokens = new Map<string, string>();
  for (const code of new Set([...municipalities.map((m) => m.code), ...people.map((p) => p.code)]))
    centreTokens.set(
      code,
      await signToken(
        config,
        `centre-staff-${code}`,
        { roles: [Role.CENTRE_STAFF], municipalities: [code] },
        '2h',
      ),
    );
  const page = `totalCount pageInfo { hasNextPage endCursor } edges { node { ${NODE} } }`;
  // As ReferralsService.list builds it (visibleSql, its filters, the page of 20 and one more).
  const listSql = (where: string) =>
    `SELECT ${REFERRAL_COLUMNS}, referral_shared_person(r.id) AS shared
       FROM ${REFERRAL_FROM} WHERE ${where} ORDER BY r.updated_at DESC, r.id DESC LIMIT 21`;
  const inboxWhere = `r.provider_id = $1 AND NOT r.special_category`;
  const overdueWhere = `(r.from_municipality_code = ANY($1::text[]) OR r.to_municipality_code = ANY($1::text[]))
    AND NOT r.special_category AND r.status = $2 AND r.overdue = $3`;
  const provider0 = providers[0]!.provider_id;
  const code0 = municipalities[0]!.code;
  const scenarios: Scenario[] = [
    {
      // The floor every request pays on this machine now: authentication, the rate limit kept in
      // PostgreSQL, Nest and Apollo; no transaction, no audit.
      name: 'reference: { __typename } with a provider token',
      query: `query { __typename }`,
      request: (i) => ({ token: providerTokens[i % providerTokens.length]!, variables: {} }),
    },
    {
      name: "provider's inbox, all (20 busiest providers)",
      query: `query { referrals(first: 20) { ${page} } }`,
      request: (i) => ({ token: providerTokens[i % providerTokens.length]!, variables: {} }),
      explain: { sql: listSql(inboxWhere), params: [provider0], area: '', provider: provider0 },
    },
    {
      name: "provider's inbox, waiting (SENT)",
      query: `query { referrals(first: 20, status: SENT) { ${page} } }`,
      request: (i) => ({ token: providerTokens[i % providerTokens.length]!, variables: {} }),
      explain: {
        sql: listSql(`${inboxWhere} AND r.status = $2`),
        params: [provider0, 'SENT'],
        area: '',
        provider: provider0,
      },
    },
    {
      name: "centre's overdue, waiting (20 largest centres)",
      query: `query { referrals(first: 20, overdue: true, status: SENT) { ${page} } }`,
      request: (i) => ({
        token: centreTokens.get(municipalities[i % municipalities.length]!.code)!,
        variables: {},
      }),
      explain: {
        sql: listSql(overdueWhere),
        params: [[code0], 'SENT', true],
        area: `{${code0}}`,
        provider: '',
      },
    },
    {
      name: "centre's overdue, ever flagged",
      query: `query { referrals(first: 20, overdue: true) { ${page} } }`,
      request: (i) => ({
        token: centreTokens.get(municipalities[i % municipalities.length]!.code)!,
        variables: {},
      }),
    },
    {
      name: "a person's referral history (500 people)",
      query: `query($id: UUID!) { referrals(first: 20, personId: $id) { ${page} } }`,
      request: (i) => {
        const p = people[(i * 7919) % people.length]!;
        return { token: centreTokens.get(p.code)!, variables: { id: p.person_id } };
      },
    },
  ];
  // BENCH_SCENARIOS=inbox,overdue: only the scenarios whose name contains one of these words.
  const only = process.env.BENCH_SCENARIOS?.split(',').filter(Boolean);
  return only ? scenarios.filter((s) => only.some((word) => s.name.includes(word))) : scenarios;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the page's SQL and of its count, as mitroa_app with the caller's settings. */
async function explain(client: pg.Client, s: Scenario): Promise<Row[]> {
  const e = s.explain!;
  const out: Row[] = [];
  const count = e.sql
    .replace(/^SELECT[\s\S]*?FROM \(SELECT r0/, 'SELECT count(*) FROM (SELECT r0')
    .replace(/ ORDER BY r\.updated_at DESC, r\.id DESC LIMIT 21$/, '');
  for (const [label, sql] of [
    ['page', e.sql],
    ['count', count],
  ] as const) {
    await client.query('BEGIN');
    try {
      await client.query(
        `SELECT set_config('role', 'mitroa_app', true), set_config('mitroa.area', $1, true), set_config('mitroa.provider', $2, true)`,
        [e.area, e.provider],
      );
      // Twice: the first run of a session compiles referral_shared_person (plpgsql), which a pooled
      // connection of the service has long done.
      let rows: Array<{ 'QUERY PLAN': string }> = [];
      for (let run = 0; run < 2; run++)
        ({ rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
          e.params,
        ));
      const plan = rows.map((r) => r['QUERY PLAN']);
      if (process.env.BENCH_PLANS === '1') console.log(`\n${s.name}, ${label}:\n${plan.join('\n')}`);
      const time = plan.find((l) => l.startsWith('Execution Time'))!;
      // The scans of referral and its indexes, as the plan names them.
      const scans = plan
        .map((l) =>
          /(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?(?: using (\S+))? on (\S+)/.exec(
            l,
          ),
        )
        .filter((m): m is RegExpExecArray => !!m && /^referral(_|$)/.test(m[2] ?? m[3]!))
        .map((m) => `${m[1]} ${m[2] ?? m[3]}`);
      out.push([
        `  plan: ${s.name}, ${label}`,
        `${time.replace('Execution Time: ', '')}; ${[...new Set(scans)].join(', ')}`,
      ]);
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return out;
}

interface Figures {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

const describe = (r: Figures) =>
  `${r.perSecond.toFixed(0)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors}`;

async function fire(
  endpoint: string,
  request: (i: number) => { headers: Record<string, string>; body: string },
  total: number,
  concurrency: number,
): Promise<Figures> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const { headers, body } = request(next++);
      const t = performance.now();
      const response = await fetch(endpoint, { method: 'POST', headers, body });
      const json = (await response.json()) as { errors?: unknown[]; data?: unknown };
      samples.push(performance.now() - t);
      if (!response.ok || json.errors || !json.data)
        if (errors++ === 0) console.error(JSON.stringify(json).slice(0, 400));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: total / seconds,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    errors,
  };
}

/**
 * EVENTS events in the outbox (one transaction, as a busy minute of the schedule would write them),
 * delivered by `workers` worker processes to a receiver that verifies each signature: events per
 * second from the commit to the last delivery recorded, and whether each arrived exactly once.
 */
async function delivery(client: pg.Client, url: string, workers: number): Promise<Row[]> {
  const arrivals = new Map<string, number>();
  let badSignatures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const signature = req.headers['x-mitroa-signature'] as string | undefined;
      if (!verifyWebhook(RECEIVER_SECRET, body, signature).ok) {
        badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const id = req.headers['x-mitroa-event-id'] as string;
      arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const name = `bench receiver ${workers} ${Date.now()}`;
  await client.query(`UPDATE webhook_subscription SET active = false WHERE name LIKE 'bench receiver %'`);
  await client.query(
    `INSERT INTO webhook_subscription (name, url, secret, topics, created_by)
     VALUES ($1, $2, $3, '{referral.updated}', 'system:bench')`,
    [name, hook, RECEIVER_SECRET],
  );
  // Nothing of an earlier run left to publish or deliver.
  await client.query(`UPDATE outbox_event SET position = nextval('outbox_event_position_seq'), published_at = now()
                       WHERE position IS NULL`);
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) children.push(await startWorker(url));
    const { rows: inserted } = await client.query<{ id: string }>(
      `INSERT INTO outbox_event (topic, aggregate_type, aggregate_id, municipality_code, provider_id, payload)
       SELECT 'referral.updated', 'referral', r.id::text, r.from_municipality_code, r.provider_id,
              jsonb_build_object('id', r.id, 'kind', r.kind, 'status', r.status, 'providerId', r.provider_id,
                                 'dueOn', r.due_on, 'overdue', r.overdue, 'reminders', r.reminders, 'version', r.version)
         FROM referral r ORDER BY r.id LIMIT $1
       RETURNING id`,
      [EVENTS],
    );
    const started = performance.now();
    const deadline = Date.now() + 30 * 60_000;
    // How many dispatch jobs run at once across the workers (the queue's policy decides).
    let mostActive = 0;
    for (;;) {
      const { rows: active } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'outbox-dispatch' AND state = 'active'`,
      );
      mostActive = Math.max(mostActive, active[0]!.n);
      const { rows } = await client.query<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
          WHERE s.name = $1 AND d.delivered_at IS NULL`,
        [name],
      );
      const { rows: fanned } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
          WHERE s.name = $1`,
        [name],
      );
      if (fanned[0]!.n === inserted.length && rows[0]!.pending === 0) break;
      if (Date.now() > deadline)
        throw new Error(`deliveries still pending after 30 minutes: ${rows[0]!.pending}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const ids = new Set(inserted.map((r) => r.id));
    const once = [...ids].filter((id) => arrivals.get(id) === 1).length;
    const twice = [...arrivals.values()].filter((n) => n > 1).length;
    const strangers = [...arrivals.keys()].filter((id) => !ids.has(id)).length;
    return [
      [
        `event delivery, ${workers} worker process${workers > 1 ? 'es' : ''}`,
        `${inserted.length} events in ${seconds.toFixed(1)} s: ${(inserted.length / seconds).toFixed(0)} events/s`,
      ],
      [
        '  arrived (by X-Mitroa-Event-Id)',
        `exactly once ${once}/${ids.size}, more than once ${twice}, unknown ${strangers}, bad signatures ${badSignatures}`,
      ],
      ['  dispatch jobs running at once (most seen)', String(mostActive)],
    ];
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        (c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.on('exit', resolve))),
      ),
    );
    server.closeAllConnections();
    server.close();
  }
}

/** `npm run worker` (dist/src/worker.js) on the bench database; resolves once it runs. */
function startWorker(url: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('../src/worker.js', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-referrals-bench-worker-'));
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: url,
      JWT_SECRET,
      REFERRAL_LINK_SECRET: `links-${JWT_SECRET}`,
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      if (output.includes('worker running')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`the worker exited (${code}): ${output.slice(-2000)}`));
    });
  });
}

await main();
