import { DataSource } from 'typeorm';
import { systemActor } from '../auth/actor.js';
import { areaSetting } from '../database/transaction.service.js';
import { RequestContext } from '../auth/request-context.js';
import { dataSourceOptions } from '../database/data-source.js';
import { flushAudit } from '../audit/audit-writer.js';
import { beneficiariesDemoSeeder } from './beneficiaries.seeder.js';
import { providersAndProgrammesSeeder } from './providers-and-programmes.seed.js';

/**
 * One registry's demo data. Each runs in its own transaction, as the system actor, and must be
 * idempotent: `npm start` calls every seeder at each start-up, so a seeder checks whether its data
 * is there before adding it.
 */
export interface DemoSeeder {
  name: string;
  seed(ctx: RequestContext): Promise<string>;
}

/** Registries add their seeders here, in dependency order (providers before people who are referred to them). */
export const DEMO_SEEDERS: DemoSeeder[] = [providersAndProgrammesSeeder, beneficiariesDemoSeeder];

export async function seedDemoData(databaseUrl: string, log: (message: string) => void): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, { extra: { max: 2 } }));
  await dataSource.initialize();
  try {
    for (const seeder of DEMO_SEEDERS)
      log(`demo data, ${seeder.name}: ${await runSeeder(dataSource, seeder)}`);
    if (DEMO_SEEDERS.length === 0)
      log('demo data: geography is seeded by migration; no registry demo data yet');
  } finally {
    await dataSource.destroy();
  }
}

/** Runs one seeder in a transaction of its own as the system actor, for the whole country; returns its summary. */
export async function runSeeder(dataSource: DataSource, seeder: DemoSeeder): Promise<string> {
  const ctx = new RequestContext('seed-demo', systemActor('seed-demo'));
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    // The functions behind row-level security read the area even for the owner.
    await runner.query(`SELECT set_config('mitroa.area', $1, true)`, [areaSetting(ctx.actor.scope)]);
    ctx.bind(runner);
    const summary = await seeder.seed(ctx);
    await flushAudit(ctx, runner.manager);
    await runner.commitTransaction();
    return summary;
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  } finally {
    ctx.bind(undefined);
    await runner.release();
  }
}
