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
