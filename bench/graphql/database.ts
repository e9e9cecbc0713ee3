import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { migrate } from '../../src/database/data-source.js';
import { writeHouseholds } from '../../src/demo/bulk-people.js';
import { seedDemoProviders, syntheticPopulation } from '../synthetic-database.js';

const SEED = 20_261_123;
/** Set on the database once it is complete, so that --reuse never serves a half-loaded one. */
const COMPLETE = 'mitroa graphql bench: complete';

/**
 * What PostGraphile needs to answer Q1-Q3 as mitroa does; created in the bench database only,
 * never by a migration. All are SQL functions PostgreSQL inlines, so the planner sees the plain
 * expressions and PostGraphile still runs one statement.
 * - people_by_amka: mitroa's look-up (any status but MERGED). A plain `condition: { amka }` cannot
 *   use the partial unique index person_amka_uq (its predicate names status) and scans the table;
 * - person_sort_key: mitroa's name order, as a computed column PostGraphile may order by
 *   (SORT_KEY_ASC); the expression is that of person_sort_idx;
 * - providers_serving: mitroa's "serving a municipality" (home or service area), a root field;
 * - an index on household_member (person_id): PostGraphile's person -> memberships relation
 *   filters on person_id alone, which the partial unique index (current memberships) cannot serve,
 *   so without it every Q1 scans all memberships (41 req/s at 1,000,000 people).
 */
const POSTGRAPHILE_SUPPORT = `
  CREATE OR REPLACE FUNCTION people_by_amka(amka text) RETURNS SETOF person
    LANGUAGE sql STABLE ROWS 1 AS $$
      SELECT p.* FROM person p WHERE p.amka = people_by_amka.amka AND p.status <> 'MERGED'
    $$;
  CREATE OR REPLACE FUNCTION person_sort_key(p person) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT lower(p.surname_latin || ' ' || p.given_name_latin) $$;
  COMMENT ON FUNCTION person_sort_key(person) IS E'@behavior +orderBy';
  CREATE OR REPLACE FUNCTION providers_serving(municipality text) RETURNS SETOF provider
    LANGUAGE sql STABLE AS $$
      SELECT p.* FROM provider p
       WHERE p.municipality_code = municipality
          OR EXISTS (SELECT 1 FROM provider_service_area a
                      WHERE a.provider_id = p.id AND a.municipality_code = municipality)
    $$;
  CREATE INDEX IF NOT EXISTS bench_household_member_person_idx ON household_member (person_id);`;

/**
 * Makes (or, with reuse, finds) the bench database: migrations, `people` synthetic people with
 * their households and groups (the set-based loader of src/demo/bulk-people.ts), the demo providers
 * and programmes, ANALYZE. Returns whether it was generated now.
 */
export async function prepareDatabase(
  serverUrl: string,
  database: string,
  url: string,
  people: number,
  reuse: boolean,
): Promise<boolean> {
  if (reuse && (await isComplete(serverUrl, database))) {
    console.log(`reusing database ${database}`);
    return false;
  }
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await adminQuery(serverUrl, `CREATE DATABASE ${database}`);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await loadPeople(client, people);
    await seedProviders(url);
    await client.query(POSTGRAPHILE_SUPPORT);
    await client.query('ANALYZE');
    await client.query(`COMMENT ON DATABASE ${database} IS '${COMPLETE}'`);
  } finally {
    await client.end();
  }
  return true;
}

async function loadPeople(client: pg.Client, people: number): Promise<void> {
  const population = await syntheticPopulation(client, SEED);
  const started = performance.now();
  let reported = 0;
  const totals = await writeHouseholds(client, population.households(people), {
    actorId: 'system:bench',
    batchSize: 10_000,
    onBatch: (t) => {
      if (t.people - reported < 100_000 && t.people < people) return;
      reported = t.people;
      const seconds = (performance.now() - started) / 1000;
      console.log(`  loaded ${t.people.toLocaleString('en')} people in ${seconds.toFixed(0)} s`);
    },
  });
  console.log(
    `  ${totals.people} people, ${totals.households} households, ${totals.members} memberships, ${totals.groups} groups`,
  );
}

/** The demo providers and programmes, through the registry's own seeder (as `npm start` seeds them). */
async function seedProviders(url: string): Promise<void> {
  console.log(`  demo data: ${await seedDemoProviders(url)}`);
}

async function isComplete(serverUrl: string, database: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [database],
    );
    return rows[0]?.comment === COMPLETE;
  } finally {
    await admin.end();
  }
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
