import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { Role } from '../../src/auth/roles.js';
import { signToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config/app-config.js';
import { withDatabase } from '../../src/database/database-url.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { percentile } from '../report.js';
import { adminQuery, prepareDatabase } from './database.js';
import { FLOOR_LEVELS } from './floor-statements.js';
import { benchQueries, type BenchQuery } from './queries.js';

const USAGE = `npm run bench:graphql -- [options]
  --people N         synthetic people to generate (default 1000000)
  --municipality C   the municipality of the queries (default 4912, Σπάτων - Αρτέμιδος)
  --rounds R         timed rounds per server and query, alternating (default 3)
  --seconds S        seconds per round (default 10)
  --warmup S         seconds of untimed warm-up per server and query (default 5)
  --connections N    concurrent connections (default 16)
  --queries Q0,Q1    run only these of Q0 (the empty query), Q1, Q2, Q3 (default: all)
  --floor            also serve the queries from the floor server (floor-server.ts) at its levels:
                     read, + scope and transaction, + audit, and the last two in one round trip
  --keep             keep the generated database (and the embedded server's folder)
  --reuse            serve the kept database of the same size if it is complete, else generate it; implies --keep
DATABASE_URL         a server to create the database on (default: an embedded PostgreSQL in .data/bench-graphql)`;

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '1000000' },
    municipality: { type: 'string', default: '4912' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    keep: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    queries: { type: 'string', default: 'Q0,Q1,Q2,Q3' },
    reuse: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const PEOPLE = positive('people');
const ROUNDS = positive('rounds');
const SECONDS = positive('seconds');
const WARMUP = Number(args.warmup);
const CONNECTIONS = positive('connections');
const KEEP = args.keep || args.reuse;
const MUNICIPALITY = args.municipality;
const JWT_SECRET = 'graphql-bench-secret-of-at-least-32-characters';
const HERE = dirname(fileURLToPath(import.meta.url));
const WORK_DIR = resolve('.data/bench-graphql');

function positive(name: 'people' | 'rounds' | 'seconds' | 'connections'): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

/** What to undo, newest first; run once, on success, failure or Ctrl-C. */
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error(`clean-up: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
let stopLoad: (() => void) | undefined;
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
  console.log('\ninterrupted: stopping the servers and cleaning up');
  stopLoad?.();
  void cleanUp().then(() => process.exit(130));
});
/**
 * Whatever ends the process before cleanUp is through (an error, process.exit elsewhere): what
 * must not outlive us is also undone here, synchronously.
 */
const atExit: Array<() => void> = [];
process.on('exit', () => atExit.forEach((undo) => undo()));

interface Side {
  name: string;
  /** The server's process id, for its CPU time. */
  pid: number;
  url: string;
  headers: Record<string, string>;
  document: (q: BenchQuery) => string;
  rows: (q: BenchQuery, data: unknown) => unknown;
}

async function main(): Promise<void> {
  mkdirSync(WORK_DIR, { recursive: true });
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded: EmbeddedDatabase = await startEmbeddedPostgres(join(WORK_DIR, 'postgres'));
    // Without --keep the whole server folder goes, and the database with it.
    const removeFolder = () => {
      if (!KEEP) rmSync(join(WORK_DIR, 'postgres'), { recursive: true, force: true });
    };
    cleanups.push(async () => {
      await embedded.stop();
      removeFolder();
    });
    atExit.push(removeFolder);
    serverUrl = embedded.url;
  }
  const database = `mitroa_bench_graphql_${PEOPLE}`;
  const url = withDatabase(serverUrl, database);
  const admin = serverUrl;
  cleanups.push(async () => {
    if (KEEP) console.log(`kept database ${database}${process.env.DATABASE_URL ? '' : ` in ${WORK_DIR}`}`);
    else if (process.env.DATABASE_URL)
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  if (await prepareDatabase(serverUrl, database, url, PEOPLE, args.reuse))
    console.log(`generated database ${database}`);

  const facts = await databaseFacts(url);
  const [mitroaPort, postgraphilePort] = [await freePort(), await freePort()];
  const floorPorts = args.floor ? await Promise.all(FLOOR_LEVELS.map(() => freePort())) : [];
  const appDir = join(WORK_DIR, 'app');
  mkdirSync(appDir, { recursive: true });
  cleanups.push(() => rmSync(appDir, { recursive: true, force: true }));
  const [mitroaPid, postgraphilePid] = await Promise.all([
    startServer('mitroa-server.js', url, {
      BENCH_PORT: String(mitroaPort),
      BENCH_JWT_SECRET: JWT_SECRET,
      BENCH_DATA_DIR: appDir,
    }),
    startServer('postgraphile-server.js', url, { BENCH_PORT: String(postgraphilePort) }),
  ]);
  const floorPids = await Promise.all(
    floorPorts.map((port, i) =>
      startServer('floor-server.js', url, {
        BENCH_PORT: String(port),
        BENCH_JWT_SECRET: JWT_SECRET,
        FLOOR_LEVEL: FLOOR_LEVELS[i]!,
        FLOOR_POOL_SIZE: String(CONNECTIONS),
      }),
    ),
  );

  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET,
    REFERRAL_LINK_SECRET: `links-${JWT_SECRET}`,
    DATA_DIR: appDir,
  });
  const token = await signToken(config, 'bench-centre-staff', {
    roles: [Role.CENTRE_STAFF],
    municipalities: [MUNICIPALITY],
  });
  const sides: Side[] = [
    {
      name: 'mitroa',
      pid: mitroaPid,
      url: `http://127.0.0.1:${mitroaPort}/graphql`,
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'CASE_MANAGEMENT' },
      document: (q) => q.mitroa,
      rows: (q, data) => q.rowsOfMitroa(data),
    },
    {
      name: 'PostGraphile',
      pid: postgraphilePid,
      url: `http://127.0.0.1:${postgraphilePort}/graphql`,
      headers: {},
      document: (q) => q.postgraphile,
      rows: (q, data) => q.rowsOfPostgraphile(data),
    },
  ];
  const floors: Side[] = floorPorts.map((port, i) => ({
    ...sides[0]!,
    name: `floor: ${FLOOR_LEVELS[i]}`,
    pid: floorPids[i]!,
    url: `http://127.0.0.1:${port}/graphql`,
  }));
  const wanted = args.queries.split(',').map((name) => name.trim().toUpperCase());
  const queries = benchQueries(MUNICIPALITY, facts.amkas).filter((q) => wanted.includes(q.name));
  if (queries.length === 0) throw new Error(`--queries names none of Q0, Q1, Q2, Q3: ${args.queries}`);
  for (const q of queries)
    for (const other of [sides[1]!, ...floors]) await checkSameRows(q, [sides[0]!, other]);
  sides.push(...floors);

  console.log(
    `\n${PEOPLE.toLocaleString('en')} people, municipality ${MUNICIPALITY} (${facts.residents} residents, ${facts.providers} providers serving it), ` +
      `${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per server and query, alternating, after ${WARMUP} s of warm-up each; ` +
      `PostgreSQL ${facts.server}, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const results: string[][] = [];
  const cpuResults: string[][] = [];
  const floorResults: string[][] = [];
  for (const q of queries) {
    const perSide = <T>(zero: () => T) => Object.fromEntries(sides.map((s) => [s.name, zero()]));
    const measured = perSide<number[]>(() => []);
    const seconds = perSide(() => 0);
    const serverCpu = perSide(() => 0);
    const databaseCpu = perSide(() => 0);
    if (WARMUP > 0) for (const side of sides) await load(q, side, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of sides) {
        const [serverBefore, databaseBefore] = [cpuMs(side.pid) ?? 0, await databaseCpuMs(url)];
        const { latencies, duration } = await load(q, side, SECONDS);
        const [serverAfter, databaseAfter] = [cpuMs(side.pid) ?? 0, await databaseCpuMs(url)];
        serverCpu[side.name] += serverAfter - serverBefore;
        databaseCpu[side.name] += databaseCpuBetween(databaseBefore, databaseAfter);
        // One by one: tens of thousands of arguments in one push() overflow the stack (Q0).
        for (const latency of latencies) measured[side.name]!.push(latency);
        seconds[side.name] += duration;
        console.log(
          `  ${q.name} round ${round + 1} ${side.name}: ${(latencies.length / duration).toFixed(0)} req/s, ` +
            `CPU per request: server ${((serverAfter - serverBefore) / latencies.length).toFixed(2)} ms, ` +
            `database ${(databaseCpuBetween(databaseBefore, databaseAfter) / latencies.length).toFixed(2)} ms`,
        );
      }
    }
    const rate = (s: string) => measured[s]!.length / seconds[s]!;
    const perRequest = (cpu: Record<string, number>, s: string) =>
      `${(cpu[s]! / measured[s]!.length).toFixed(2)} ms`;
    cpuResults.push([
      `${q.name} ${q.title}`,
      perRequest(serverCpu, 'mitroa'),
      perRequest(databaseCpu, 'mitroa'),
      perRequest(serverCpu, 'PostGraphile'),
      perRequest(databaseCpu, 'PostGraphile'),
    ]);
    results.push([
      `${q.name} ${q.title}`,
      rate('mitroa').toFixed(0),
      rate('PostGraphile').toFixed(0),
      (rate('mitroa') / rate('PostGraphile')).toFixed(2),
      ms(percentile(measured.mitroa!, 50)),
      ms(percentile(measured.mitroa!, 99)),
      ms(percentile(measured.PostGraphile!, 50)),
      ms(percentile(measured.PostGraphile!, 99)),
      `${measured.mitroa!.length} / ${measured.PostGraphile!.length}`,
    ]);
    for (const side of sides)
      floorResults.push([
        q.name,
        side.name,
        rate(side.name).toFixed(0),
        (rate(side.name) / rate('PostGraphile')).toFixed(2),
        ms(percentile(measured[side.name]!, 99)),
        perRequest(serverCpu, side.name),
        perRequest(databaseCpu, side.name),
      ]);
  }
  printMarkdown(
    [
      'query',
      'mitroa req/s',
      'PostGraphile req/s',
      'ratio',
      'mitroa p50',
      'mitroa p99',
      'PostGraphile p50',
      'PostGraphile p99',
      'samples (mitroa / PostGraphile)',
    ],
    results,
  );
  printMarkdown(
    [
      'query (CPU time per request, from /proc)',
      'mitroa server',
      'mitroa database',
      'PostGraphile server',
      'PostGraphile database',
    ],
    cpuResults,
  );
  if (floorPorts.length > 0)
    printMarkdown(
      [
        'query',
        'server',
        'req/s',
        'ratio to PostGraphile',
        'p99',
        'server CPU per request',
        'database CPU per request',
      ],
      floorResults,
    );
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

function printMarkdown(header: string[], rows: string[][]): void {
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** Sampled AMKAs of the municipality's residents (Q1), and facts for the table's heading. */
async function databaseFacts(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: amkas } = await client.query<{ amka: string }>(
      `SELECT amka FROM person WHERE municipality_code = $1 AND amka IS NOT NULL AND status = 'ACTIVE'
        ORDER BY id LIMIT 500`,
      [MUNICIPALITY],
    );
    const [{ n: residents }] = (
      await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM person WHERE municipality_code = $1`,
        [MUNICIPALITY],
      )
    ).rows as [{ n: number }];
    const [{ n: providers }] = (
      await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM providers_serving($1)`, [
        MUNICIPALITY,
      ])
    ).rows as [{ n: number }];
    const [{ v: server }] = (
      await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)
    ).rows as [{ v: string }];
    if (amkas.length === 0) throw new Error(`No resident of municipality ${MUNICIPALITY} has an AMKA.`);
    return { amkas: amkas.map((r) => r.amka), residents, providers, server };
  } finally {
    await client.end();
  }
}

/** Forks a server, stops it at clean-up, and resolves when it listens. */
async function startServer(script: string, url: string, env: Record<string, string>): Promise<number> {
  const child: ChildProcess = fork(join(HERE, script), [url], {
    // As the Dockerfile runs the service: some libraries (graphql-js among them) check NODE_ENV.
    env: { ...process.env, NODE_ENV: 'production', GRAPHILE_ENV: 'production', ...env },
    // The server's stdout is its request log: generated (as in production) but not kept.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  atExit.push(() => child.kill('SIGKILL'));
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  );
  await new Promise<void>((ready, fail) => {
    child.once('message', () => ready());
    child.once('exit', (code) => fail(new Error(`${script} exited (${code}) before it was ready`)));
  });
  return child.pid!;
}

/**
 * CPU time (ms) a process has used, user and system, from /proc (Linux); undefined elsewhere or
 * once it has gone. CPU per request holds on a machine shared with other work, where req/s do not.
 */
function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The CPU time of every PostgreSQL backend serving the benchmark's database (both servers' pools). */
async function databaseCpuMs(url: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const times = new Map<number, number>();
    for (const { pid } of rows) {
      const t = cpuMs(pid);
      if (t !== undefined) times.set(pid, t);
    }
    return times;
  } finally {
    await client.end();
  }
}

/** CPU used by the database's backends between two readings (backends that came and went are missed). */
function databaseCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, t] of after) total += t - (before.get(pid) ?? 0);
  return total;
}

async function post(side: Side, q: BenchQuery, i: number): Promise<unknown> {
  const response = await fetch(side.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...side.headers },
    body: JSON.stringify({ query: side.document(q), variables: q.variables(i) }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (!response.ok || body.errors || !body.data)
    throw new Error(
      `${side.name} ${q.name} answered ${response.status}: ${JSON.stringify(body).slice(0, 2000)}`,
    );
  return body.data;
}

/** Both servers must return the same rows for every request the load will send, else no timing. */
async function checkSameRows(q: BenchQuery, [a, b]: Side[]): Promise<void> {
  let rows = 0;
  for (let i = 0; i < q.distinct; i++) {
    const left = a!.rows(q, await post(a!, q, i));
    const right = b!.rows(q, await post(b!, q, i));
    if (JSON.stringify(left) !== JSON.stringify(right)) {
      throw new Error(
        `${q.name}: ${a!.name} and ${b!.name} answer different rows for ${JSON.stringify(q.variables(i))}\n` +
          `${a!.name}: ${JSON.stringify(left)}\n${b!.name}: ${JSON.stringify(right)}`,
      );
    }
    if (left === null) throw new Error(`${q.name}: no row for ${JSON.stringify(q.variables(i))}`);
    rows += Array.isArray(left) ? left.length : 1;
  }
  if (rows === 0) throw new Error(`${q.name}: both answer no rows; the comparison would prove nothing`);
  console.log(`${q.name}: both answer the same rows (${q.distinct} requests, ${rows} top-level rows)`);
}

/** One round: `seconds` of load at CONNECTIONS; every answer must be a 200 without GraphQL errors. */
async function load(
  q: BenchQuery,
  side: Side,
  seconds: number,
): Promise<{ latencies: number[]; duration: number }> {
  const latencies: number[] = [];
  let n = 0;
  let failed = 0;
  let firstFailure = '';
  const document = side.document(q);
  let finish!: (result: autocannon.Result) => void;
  let abort!: (error: Error) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    abort = reject;
  });
  const instance = autocannon(
    {
      url: side.url,
      method: 'POST',
      connections: CONNECTIONS,
      duration: seconds,
      headers: { 'content-type': 'application/json', ...side.headers },
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ query: document, variables: q.variables(n++) }),
          }),
          onResponse: (status, body) => {
            if (status !== 200 || body.startsWith('{"errors"') || body.includes('"errors":[')) {
              failed++;
              firstFailure ||= `${status} ${body.slice(0, 500)}`;
            }
          },
        },
      ],
    },
    (error, result) => (error ? abort(error) : finish(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  stopLoad = () => instance.stop();
  const result = await finished;
  stopLoad = undefined;
  if (failed > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `${side.name} ${q.name}: ${failed} failed answers, ${result.errors} errors, ${result.timeouts} timeouts; first: ${firstFailure}`,
    );
  return { latencies, duration: result.duration };
}

function freePort(): Promise<number> {
  return new Promise((found, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => found(port));
    });
  });
}

try {
  await main();
} catch (error) {
  if (!interrupted) console.error(`\nbench:graphql failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
