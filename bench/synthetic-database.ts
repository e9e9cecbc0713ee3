import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { providersAndProgrammesSeeder } from '../src/demo/providers-and-programmes.seed.js';
import { runSeeder } from '../src/demo/seed-demo.js';
import { SyntheticPopulation } from '../src/demo/synthetic-people.js';

/**
 * The steps every benchmark's generated database shares, so that they all load the same country:
 * a synthetic population weighted by the 2021 census of the migrated geography, and the demo
 * providers and programmes through the registry's own seeder.
 */
export async function syntheticPopulation(client: pg.Client, seed: number): Promise<SyntheticPopulation> {
  const { rows: municipalities } = await client.query<{ code: string; weight: number }>(
    `SELECT code, coalesce(population_2021, 1000)::int AS weight FROM municipality`,
  );
  return new SyntheticPopulation({ seed, municipalities, romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES });
}

/** The demo providers and programmes (as `npm start` seeds them); returns the seeder's summary. */
export async function seedDemoProviders(url: string): Promise<string> {
  const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 2 } }));
  await dataSource.initialize();
  try {
    return await runSeeder(dataSource, providersAndProgrammesSeeder);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Recorded facts for every person already loaded, in one set-based statement per kind of fact
 * (deterministic: drawn from a hash of the person's id), so that benchmarks of the facts view and
 * of entitlements read a realistic mix: a TAXIS income declaration of the last two tax years on
 * the household's reference person (household facts count for every member), assets on most
 * households, EFKA insurance and pensions for the elderly, DYPA registrations for some adults,
 * KEPA percentages for people in the DISABILITY group, and a few self-declarations that a feed
 * outranks. Returns the number of rows written.
 */
export async function writeSyntheticFacts(
  client: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }> },
  referenceYear = 2025,
): Promise<number> {
  const h = (salt: string) => `abs(hashtext(p.id::text || '${salt}')) % 1000`;
  const statements = [
    // Income of the last two tax years (declared the following July) on the reference person.
    `INSERT INTO person_fact (person_id, kind, basis, tax_year, value_numeric, source, as_of, recorded_by)
     SELECT p.id, 'household_income_annual', 'FEED', y, round((2000 + ${h('inc')} * 40 + (y - $1) * 300)::numeric, 2),
            'TAXIS', make_date(y + 1, 7, 31), 'system:bench'
       FROM person p JOIN household_member m ON m.person_id = p.id AND m.relationship = 'REFERENCE_PERSON',
            generate_series($1 - 1, $1 - 0) AS y
      WHERE ${h('inc')} < 900`,
    `INSERT INTO person_fact (person_id, kind, basis, value_numeric, source, as_of, recorded_by)
     SELECT p.id, k, 'FEED', round((CASE k WHEN 'real_estate_value' THEN ${h('re')} * 200 ELSE ${h('veh')} * 12 END)::numeric, 2),
            'TAXIS', make_date($1 + 1, 7, 31), 'system:bench'
       FROM person p JOIN household_member m ON m.person_id = p.id AND m.relationship = 'REFERENCE_PERSON',
            unnest(ARRAY['real_estate_value', 'vehicle_value']) AS k
      WHERE ${h('assets')} < 800`,
    // A self-declared income of the last 6 months on some households (the desk's usual evidence).
    `INSERT INTO person_fact (person_id, kind, basis, value_numeric, source, as_of, recorded_by)
     SELECT p.id, 'household_income_last_6_months', 'SELF_DECLARED', round((${h('six')} * 6)::numeric, 2),
            'system:bench', make_date($1, 11, 1), 'system:bench'
       FROM person p JOIN household_member m ON m.person_id = p.id AND m.relationship = 'REFERENCE_PERSON'
      WHERE ${h('six')} < 600`,
    `INSERT INTO person_fact (person_id, kind, basis, value_boolean, source, as_of, recorded_by)
     SELECT p.id, 'insured', 'FEED', ${h('ins')} < 900, 'EFKA', make_date($1, 10, 1), 'system:bench'
       FROM person p WHERE p.birth_date <= make_date($1 - 18, 1, 1)`,
    `INSERT INTO person_fact (person_id, kind, basis, value_boolean, source, as_of, recorded_by)
     SELECT p.id, 'receives_pension', 'FEED', ${h('pen')} < 850, 'EFKA', make_date($1, 10, 1), 'system:bench'
       FROM person p WHERE p.birth_date <= make_date($1 - 62, 1, 1)`,
    `INSERT INTO person_fact (person_id, kind, basis, value_numeric, source, as_of, recorded_by)
     SELECT p.id, 'pension_amount', 'FEED', round((380 + ${h('pen')} * 1.5)::numeric, 2), 'EFKA', make_date($1, 10, 1), 'system:bench'
       FROM person p WHERE p.birth_date <= make_date($1 - 62, 1, 1) AND ${h('pen')} < 850`,
    `INSERT INTO person_fact (person_id, kind, basis, value_boolean, valid_from, source, as_of, recorded_by)
     SELECT p.id, 'unemployed', 'FEED', true, make_date($1 - 1, 1 + ${h('dypa')} % 12, 1), 'DYPA', make_date($1, 10, 1), 'system:bench'
       FROM person p WHERE p.birth_date BETWEEN make_date($1 - 64, 1, 1) AND make_date($1 - 18, 1, 1) AND ${h('dypa')} < 120`,
    `INSERT INTO person_fact (person_id, kind, basis, value_numeric, valid_from, valid_to, source, as_of, recorded_by)
     SELECT p.id, 'disability_percentage', 'FEED', (ARRAY[50, 60, 67, 70, 80, 95])[1 + ${h('kepa')} % 6],
            g.valid_from, g.valid_from + interval '3 years', 'KEPA', g.valid_from, 'system:bench'
       FROM person p JOIN person_group g ON g.person_id = p.id AND g.group_code = 'DISABILITY'`,
  ];
  let written = 0;
  for (const sql of statements)
    written += (await client.query(sql, sql.includes('$1') ? [referenceYear] : [])).rowCount ?? 0;
  return written;
}

/** Whether the server holds a database of this name. */
export async function databaseExists(serverUrl: string, database: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [database])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** Runs one statement on a connection of its own (CREATE/DROP DATABASE, VACUUM). */
export async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
