import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Role } from '../../src/auth/roles.js';
import { signToken } from '../../src/auth/tokens.js';
import { makeAfm } from '../../src/common/identifiers/afm.js';
import { makeAmka } from '../../src/common/identifiers/amka.js';
import { loadConfig } from '../../src/config/app-config.js';
import { percentile, printTable } from '../report.js';

/**
 * The mixed load of bench/topology/run.sh, sent through the load balancer: each worker registers a
 * person (GraphQL) and reads it back at once (REST, on the primary through PgBouncer), reads the
 * public directory (GraphQL and REST lists, HSDS: the replica), and now and then adds a provider
 * (REST) and reads it back by id. It checks every answer and exits 1 on any failed check.
 *
 * Settings (set by run.sh): LB_URL, JWT_SECRET, PRIMARY_URL, REPLICA_URL,
 * TOPOLOGY_SECONDS (default 20), TOPOLOGY_CONCURRENCY (default 16).
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run bench/topology/run.sh`);
  return value;
};
const LB = env('LB_URL');
const SECONDS = Number(process.env.TOPOLOGY_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.TOPOLOGY_CONCURRENCY ?? 16);
const PURPOSE = { 'X-Purpose': 'CASE_MANAGEMENT' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
type Json = any;

interface Sample {
  kind: string;
  ms: number;
}
const samples: Sample[] = [];
const statuses = new Map<number, number>();
const servedBy = new Map<string, number>();
const failures: string[] = [];
const personReads: string[] = [];
let directoryReads = 0;

function fail(message: string): void {
  if (failures.length < 20) failures.push(message);
  else if (failures.length === 20) failures.push('(further failures not listed)');
}

async function call(
  kind: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; requestId: string }> {
  const started = performance.now();
  const res = await fetch(`${LB}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  samples.push({ kind, ms: performance.now() - started });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const server = res.headers.get('x-served-by') ?? 'unknown';
  servedBy.set(server, (servedBy.get(server) ?? 0) + 1);
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (res.status >= 500) fail(`${kind}: ${res.status} ${text.slice(0, 200)}`);
  return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id') ?? '' };
}

const gql = (
  kind: string,
  token: string,
  query: string,
  variables?: unknown,
  headers?: Record<string, string>,
) => call(kind, 'POST', '/graphql', token, { query, variables }, headers);

const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id surname } } } }`;
const DIRECTORY: Array<[string, (token: string) => Promise<{ status: number; body: Json }>]> = [
  [
    'gql providers',
    (t) => gql('gql providers', t, '{ providers(first: 20) { edges { node { id name } } } }'),
  ],
  ['gql programmes', (t) => gql('gql programmes', t, '{ programmes(first: 20) { edges { node { id } } } }')],
  ['rest providers', (t) => call('rest providers', 'GET', '/api/v1/providers?limit=20', t)],
  ['rest hsds', (t) => call('rest hsds', 'GET', '/api/v1/hsds/organizations?per_page=20', t)],
];

async function worker(index: number, staff: string, officer: string, deadline: number): Promise<void> {
  for (let i = 0; performance.now() < deadline; i++) {
    // A write, then the same person read back at once: read-after-write on the primary.
    const serial = index * 100000 + i;
    const birthDate = `19${String(50 + (serial % 49)).padStart(2, '0')}-0${1 + (serial % 9)}-1${serial % 10}`;
    const surname = `Τοπολογ${[...String(serial)].map((d) => 'αβγδεζηθικ'[Number(d)]).join('')}`;
    const registered = await gql(
      'gql register',
      staff,
      REGISTER,
      {
        input: {
          givenName: 'Δοκιμή',
          surname,
          birthDate,
          gender: serial % 2 ? 'FEMALE' : 'MALE',
          municipalityCode: '4912',
          afm: makeAfm(String(40000000 + serial)),
          amka: makeAmka(birthDate, serial % 10000),
        },
      },
      PURPOSE,
    );
    const person = registered.body?.data?.registerPerson?.beneficiary;
    if (!person) fail(`register: ${JSON.stringify(registered.body).slice(0, 300)}`);
    else {
      const read = await call(
        'rest person by id',
        'GET',
        `/api/v1/beneficiaries/${person.id}`,
        staff,
        undefined,
        PURPOSE,
      );
      if (read.status !== 200 || read.body.surname !== surname)
        fail(`read-after-write of a person: ${read.status} ${JSON.stringify(read.body).slice(0, 200)}`);
      else personReads.push(read.requestId);
    }
    // Directory reads that tolerate lag: the replica.
    for (let k = 0; k < 3; k++) {
      const [kind, read] = DIRECTORY[(i * 3 + k + index) % DIRECTORY.length]!;
      const res = await read(staff);
      directoryReads++;
      if (res.status !== 200 || res.body?.errors)
        fail(`${kind}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    // Now and then a provider: written on the primary, read back by id at once (primary).
    if (i % 5 === 0) {
      const name = `Φορέας τοπολογίας ${index}-${i}`;
      const created = await call('rest create provider', 'POST', '/api/v1/providers', officer, {
        kindCode: 'NGO',
        name,
        municipalityCode: '4912',
      });
      if (created.status !== 201)
        fail(`create provider: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
      else {
        const read = await call(
          'rest provider by id',
          'GET',
          `/api/v1/providers/${created.body.id}`,
          officer,
        );
        if (read.status !== 200 || read.body.name !== name)
          fail(`read-after-write of a provider: ${read.status}`);
      }
    }
  }
}

async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql, params)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Transactions the replica has ended in the mitroa database (each directory request is one). */
const replicaTransactions = () =>
  count(
    env('REPLICA_URL'),
    `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`,
  );

async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: env('JWT_SECRET'),
    REFERRAL_LINK_SECRET: env('REFERRAL_LINK_SECRET'),
  });
  const staff = await signToken(
    config,
    'topology-centre',
    { roles: [Role.CENTRE_STAFF], municipalities: ['4912'] },
    '1h',
  );
  const officer = await signToken(
    config,
    'topology-officer',
    { roles: [Role.REGIONAL_OFFICER], region: '9' },
    '1h',
  );

  const replicaBefore = await replicaTransactions();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i, staff, officer, deadline)));
  const elapsed = (performance.now() - started) / 1000;
  // Backends report their counters to pg_stat_database within a second of going idle.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const replicaServed = (await replicaTransactions()) - replicaBefore;

  // Lag: the last provider written on the primary appears in the replica's directory list.
  const name = `Φορέας καθυστέρησης ${Date.now()}`;
  const created = await call('rest create provider', 'POST', '/api/v1/providers', officer, {
    kindCode: 'NGO',
    name,
    municipalityCode: '4912',
  });
  const lagStart = performance.now();
  let lagMs = -1;
  while (created.status === 201 && performance.now() - lagStart < 10000) {
    const list = await gql(
      'gql providers',
      staff,
      `query($s: String) { providers(search: $s) { edges { node { name } } } }`,
      {
        s: name,
      },
    );
    if (list.body?.data?.providers?.edges?.some((e: { node: { name: string } }) => e.node.name === name)) {
      lagMs = performance.now() - lagStart;
      break;
    }
  }
  if (lagMs < 0)
    fail('a provider written on the primary never appeared in the replica directory within 10 s');

  // Every read of a person left its audit row on the primary.
  const audited = await count(
    env('PRIMARY_URL'),
    `SELECT count(DISTINCT request_id) AS n FROM audit_event WHERE request_id = ANY($1) AND subject_type IS NOT NULL AND outcome = 'allowed'`,
    [personReads],
  );
  if (audited !== personReads.length) fail(`person reads audited: ${audited} of ${personReads.length}`);
  if (replicaServed < directoryReads)
    fail(`the replica ended ${replicaServed} transactions for ${directoryReads} directory reads`);

  const byKind = new Map<string, number[]>();
  for (const s of samples) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.ms]);
  printTable(
    'requests through haproxy (count, p50, p99)',
    [...byKind].map(([kind, ms]): [string, string] => [
      kind,
      `${String(ms.length).padStart(6)}  p50 ${percentile(ms, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(ms, 99).toFixed(1).padStart(7)} ms`,
    ]),
  );
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  console.log(
    `\n${samples.length} requests in ${elapsed.toFixed(1)} s at ${CONCURRENCY} connections: ${(samples.length / elapsed).toFixed(0)} req/s`,
  );
  console.log(`status codes: ${[...statuses].map(([s, c]) => `${s} x${c}`).join(', ')} (5xx: ${fivexx})`);
  console.log(`served by: ${[...servedBy].map(([s, c]) => `${s} x${c}`).join(', ')}`);
  console.log(
    `read-after-write: ${personReads.length} people read back at once and audited on the primary (${audited} audit rows)`,
  );
  console.log(
    `replica: ${replicaServed} transactions for ${directoryReads} directory reads; a new provider was listed there after ${lagMs.toFixed(0)} ms`,
  );
  if (failures.length) {
    console.log(`\nFAILED checks:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('\nall checks passed');
}

main().catch((error: unknown) => {
  console.error(`[topology] load failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
