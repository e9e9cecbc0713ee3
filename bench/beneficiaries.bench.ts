import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { AccessPurpose } from '../src/audit/purpose.js';
import { BeneficiaryService } from '../src/beneficiaries/beneficiary.service.js';
import { loadConfig } from '../src/config/app-config.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { phoneticKey } from '../src/common/greek/search-key.js';
import { describeError } from '../src/common/describe-error.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import type { SyntheticHousehold, SyntheticPerson } from '../src/demo/synthetic-people.js';
import { onInterrupt, once, percentile, printTable } from './report.js';
import { syntheticPopulation } from './synthetic-database.js';

/**
 * The beneficiary registry at national scale: loads BENCH_PEOPLE (default 1,000,000) synthetic
 * people with their households and groups into a fresh database, then measures look-up by AMKA and
 * name search in several query styles, against the issue's targets (p95 < 20 ms by AMKA, < 100 ms
 * by name) and against a primary-key look-up measured in the same run.
 *
 * Run: npm run bench (builds, then runs dist/bench/beneficiaries.bench.js); Ctrl-C drops what it made.
 * Uses the server of DATABASE_URL (a database of its own, dropped at the end unless BENCH_KEEP=1),
 * or an embedded PostgreSQL when DATABASE_URL is unset. BENCH_SAMPLES sets samples per query (1000),
 * BENCH_STYLE_SECONDS caps the seconds spent on one query style, BENCH_RAW=1 adds raw SQL for orientation.
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const SAMPLES = Math.max(1000, Number(process.env.BENCH_SAMPLES ?? 1000));
const WARM_UP = 100;
const STYLE_SECONDS = Number(process.env.BENCH_STYLE_SECONDS ?? Infinity);
const SEED = 20_261_123;

interface Measured {
  label: string;
  samples: number[];
  rows: number;
}

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let embeddedDir: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  const database = `mitroa_bench_${process.pid}`;
  let created = false;
  const open: { client?: pg.Client } = {};
  // Runs once: at the end, or on Ctrl-C (which also reaches the embedded server: it stops by itself).
  const cleanUp = once(async () => {
    // Dropped first (FORCE ends the loading session): ending a client in the middle of a COPY
    // waits for a reply that never comes. An embedded server's whole folder is removed below.
    if (created && !embedded && serverUrl && process.env.BENCH_KEEP !== '1')
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error) =>
        console.error(`could not drop ${database}: ${describeError(error)}`),
      );
    else if (created && !embedded) console.log(`\nkept database ${database}`);
    await Promise.race([open.client?.end().catch(() => undefined), setTimeout(2000)]);
    await embedded?.stop().catch(() => undefined);
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  });
  onInterrupt(cleanUp);
  if (!serverUrl) {
    embeddedDir = mkdtempSync(join(tmpdir(), 'mitroa-bench-'));
    embedded = await startEmbeddedPostgres(embeddedDir);
    serverUrl = embedded.url;
  }
  await adminQuery(serverUrl, `CREATE DATABASE ${database}`);
  created = true;
  const url = withDatabase(serverUrl, database);
  const client = (open.client = new pg.Client({ connectionString: url }));
  // A server going away (Ctrl-C) must not crash the process before it has cleaned up.
  client.on('error', () => undefined);
  try {
    await migrate(url);
    await client.connect();
    const load = await loadPeople(client);
    await measureAll(client, url, load);
  } finally {
    await cleanUp();
  }
}

interface Loaded {
  /** Every 1 in n Greek people with an AMKA, the subjects of the queries. */
  sample: SyntheticPerson[];
}

async function loadPeople(client: pg.Client): Promise<Loaded> {
  const population = await syntheticPopulation(client, SEED);
  const sample: SyntheticPerson[] = [];
  const every = Math.max(1, Math.floor(PEOPLE / (SAMPLES * 2)));
  let seen = 0;
  function* tap(households: Iterable<SyntheticHousehold>): Generator<SyntheticHousehold> {
    for (const household of households) {
      for (const { person } of household.members)
        if (++seen % every === 0 && person.citizenship === 'GR' && person.amka) sample.push(person);
      yield household;
    }
  }
  const started = performance.now();
  let reported = 0;
  const totals = await writeHouseholds(client, tap(population.households(PEOPLE)), {
    actorId: 'system:bench',
    batchSize: 10_000,
    onBatch: (t) => {
      if (t.people - reported >= 100_000) {
        reported = t.people;
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `  loaded ${t.people.toLocaleString('en')} people, ${(t.people / seconds).toFixed(0)} people/s`,
        );
      }
    },
  });
  const loadMs = performance.now() - started;
  const analyzeStarted = performance.now();
  await client.query('ANALYZE');
  const analyzeMs = performance.now() - analyzeStarted;
  const { rows: sizes } = await client.query<{ name: string; size: string }>(
    `SELECT c.relname AS name, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
     FROM pg_class c WHERE c.relname IN ('person', 'person_history', 'household', 'household_member', 'person_group',
       'person_phonetic_key_trgm', 'person_phonetic_words_gin', 'person_sort_idx') ORDER BY c.relname`,
  );
  const { rows: groups } = await client.query<{ group_code: string; n: string }>(
    `SELECT group_code, count(*) AS n FROM person_group GROUP BY group_code ORDER BY group_code`,
  );
  const { rows: server } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  printTable(`load of ${PEOPLE.toLocaleString('en')} synthetic people`, [
    ['server', server[0]!.v],
    [
      'people / households / memberships / groups',
      `${totals.people} / ${totals.households} / ${totals.members} / ${totals.groups}`,
    ],
    ['groups', groups.map((g) => `${g.group_code} ${g.n}`).join(', ')],
    ['load incl. generation and history rows (s)', (loadMs / 1000).toFixed(1)],
    ['people per second', (totals.people / (loadMs / 1000)).toFixed(0)],
    ['ANALYZE (s)', (analyzeMs / 1000).toFixed(1)],
    ...sizes.map((s): [string, string] => [`size of ${s.name}`, s.size]),
  ]);
  return { sample };
}

/** A query style: how a centre worker types a search for a given person. */
interface Style {
  label: string;
  run(person: SyntheticPerson): Promise<number>;
}

async function measureAll(client: pg.Client, url: string, loaded: Loaded): Promise<void> {
  const people = loaded.sample;
  let { rows: ids } = await client.query<{ id: string }>(
    `SELECT id FROM person TABLESAMPLE SYSTEM (1) LIMIT ${SAMPLES}`,
  );
  // A 1 % sample of a small table's few pages can be empty.
  if (ids.length === 0)
    ({ rows: ids } = await client.query<{ id: string }>(`SELECT id FROM person LIMIT ${SAMPLES}`));
  const references: Style[] = [
    { label: 'reference: SELECT 1', run: async () => (await client.query('SELECT 1')).rowCount ?? 0 },
    {
      label: 'reference: person by primary key',
      run: async (_p) => {
        const id = ids[Math.floor(Math.random() * ids.length)]!.id;
        return (await client.query('SELECT * FROM person WHERE id = $1', [id])).rowCount ?? 0;
      },
    },
  ];
  const measuredReferences: Measured[] = [];
  for (const style of references) measuredReferences.push(await measure(style, people));
  const service = await serviceStyles(url);
  try {
    const results = [...measuredReferences];
    for (const style of service.styles) results.push(await measure(style, people));
    report(
      'BeneficiaryService (national system actor, purpose CASE_MANAGEMENT, one transaction per call)',
      results,
    );
  } finally {
    await service.close();
  }
  if (process.env.BENCH_RAW === '1') {
    const results = [...measuredReferences];
    for (const style of rawSqlStyles(client)) results.push(await measure(style, people));
    report('raw SQL (orientation: per-word trigram match on phonetic_key only)', results);
  }
}

/**
 * The registry's own service, as a request calls it: a RequestContext with a national system actor
 * and a purpose, bound to a transaction opened by TransactionService (which also writes the audit
 * entries of the read, as every request does), first page of 20.
 */
async function serviceStyles(url: string): Promise<{ styles: Style[]; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-bench-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
  });
  const app = await createApp(config, url, { logger: false });
  const service = app.get(BeneficiaryService);
  const transactions = app.get(TransactionService);
  let n = 0;
  const call = <T>(work: (ctx: RequestContext) => Promise<T>): Promise<T> => {
    const ctx = new RequestContext(`bench-${++n}`, systemActor('bench'), AccessPurpose.CASE_MANAGEMENT);
    return transactions.run(ctx, () => work(ctx));
  };
  const search: NameSearch = async (text, filter = {}) =>
    (await call((ctx) => service.search(ctx, { text, ...filter }, { first: 20 }))).edges.length;
  return {
    styles: [
      {
        label: 'AMKA',
        run: async (p) => ((await call((ctx) => service.findByIdentifier(ctx, { amka: p.amka! }))) ? 1 : 0),
      },
      ...nameStyles(search),
    ],
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The raw statements a registry search is expected to run: exact AMKA through its unique index, and
 * names through the trigram index on phonetic_key, every word of the query required to match a word
 * of the key (`<%`, word similarity), best match first. Requiring each word keeps the bitmap small:
 * one `<%` over the whole query string would let the planner fall back to a sequential scan.
 */
function rawSqlStyles(client: pg.Client): Style[] {
  const byName = async (query: string, filter: { birthYear?: number; municipalityCode?: string } = {}) => {
    const words = phoneticKey(query).split(' ').filter(Boolean);
    const { rows } = await client.query(
      `SELECT id, given_name, surname, birth_date, municipality_code
       FROM person
       WHERE status = 'ACTIVE'
         AND ${words.map((_, i) => `$${i + 4} <% phonetic_key`).join(' AND ')}
         AND ($2::int IS NULL OR birth_date >= make_date($2, 1, 1) AND birth_date < make_date($2 + 1, 1, 1))
         AND ($3::text IS NULL OR municipality_code = $3)
       ORDER BY word_similarity($1, phonetic_key) DESC, id
       LIMIT 21`,
      [words.join(' '), filter.birthYear ?? null, filter.municipalityCode ?? null, ...words],
    );
    return rows.length;
  };
  return [
    {
      label: 'AMKA',
      run: async (p) =>
        (await client.query(`SELECT * FROM person WHERE amka = $1 AND status <> 'MERGED'`, [p.amka]))
          .rowCount ?? 0,
    },
    ...nameStyles(byName),
  ];
}

type NameSearch = (
  query: string,
  filter?: { birthYear?: number; municipalityCode?: string },
) => Promise<number>;

/** The query styles of the issue, each built from a sampled person. */
function nameStyles(search: NameSearch): Style[] {
  return [
    { label: 'name: Greek with accents', run: (p) => search(`${p.givenName} ${p.surname}`) },
    {
      label: 'name: upper-case Greek',
      run: (p) => search(`${p.surname} ${p.givenName}`.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase()),
    },
    { label: 'name: Latin', run: (p) => search(`${p.givenNameLatin} ${p.surnameLatin}`.toLowerCase()) },
    {
      label: 'name: Latin with a typo',
      run: (p) => search(`${p.givenNameLatin.toLowerCase()} ${typo(p.surnameLatin.toLowerCase())}`),
    },
    { label: 'name: surname only (Greek)', run: (p) => search(p.surname) },
    {
      label: 'name: surname + birth year + municipality',
      run: (p) =>
        search(p.surname, {
          birthYear: Number(p.birthDate.slice(0, 4)),
          municipalityCode: p.municipalityCode,
        }),
    },
  ];
}

/** A typing slip as people make them: "ou" written "u", else a doubled letter single, else a letter dropped. */
function typo(word: string): string {
  if (word.includes('ou')) return word.replace('ou', 'u');
  const doubled = /(\p{L})\1/u.exec(word);
  if (doubled) return word.replace(doubled[0], doubled[1]!);
  return word.length > 4 ? word.slice(0, 2) + word.slice(3) : word;
}

/**
 * Warm-up (WARM_UP calls or 10 s), then SAMPLES timed calls, cycling through the sampled people.
 * BENCH_STYLE_SECONDS caps the timed part of one style (for slow queries on a small machine); the
 * table then says how many samples there are.
 */
async function measure(style: Style, people: SyntheticPerson[]): Promise<Measured> {
  const warmUpEnd = performance.now() + 10_000;
  for (let i = 0; i < WARM_UP && performance.now() < warmUpEnd; i++)
    await style.run(people[i % people.length]!);
  const samples: number[] = [];
  let rows = 0;
  const end = performance.now() + STYLE_SECONDS * 1000;
  for (let i = 0; i < SAMPLES && performance.now() < end; i++) {
    const person = people[(i * 7) % people.length]!;
    const started = performance.now();
    rows += await style.run(person);
    samples.push(performance.now() - started);
  }
  return { label: style.label, samples, rows: rows / samples.length };
}

function report(title: string, results: Measured[]): void {
  const pk = results.find((r) => r.label === 'reference: person by primary key');
  const pkP50 = pk ? percentile(pk.samples, 50) : NaN;
  printTable(
    title,
    results.map((r): [string, string] => {
      const p50 = percentile(r.samples, 50);
      const p95 = percentile(r.samples, 95);
      const p99 = percentile(r.samples, 99);
      const target = r.label.startsWith('AMKA') ? 20 : r.label.startsWith('name') ? 100 : undefined;
      return [
        r.label,
        `n ${r.samples.length}  p50 ${p50.toFixed(2)}  p95 ${p95.toFixed(2)}  p99 ${p99.toFixed(2)} ms` +
          `  rows ${r.rows.toFixed(1)}  ×pk ${(p50 / pkP50).toFixed(1)}` +
          (target ? `  target p95 < ${target}: ${p95 < target ? 'met' : 'MISSED'}` : ''),
      ];
    }),
  );
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

await main();
