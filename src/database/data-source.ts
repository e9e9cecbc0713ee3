import type pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations/index.js';
import { ALL_ENTITIES } from './entities.js';
import { SafeTypeOrmLogger } from './typeorm-logger.js';

/** TypeORM options for one PostgreSQL database; the schema comes from migrations only. */
export function dataSourceOptions(
  url: string,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    // Errors only, and never with the query's parameters (personal data): see SafeTypeOrmLogger.
    logging: ['error', 'warn'],
    logger: new SafeTypeOrmLogger(),
    applicationName: 'mitroa',
    extra: { max: 20 },
    ...overrides,
  } as DataSourceOptions;
}

/** Opens a connection, applies pending migrations and closes it again. */
export async function migrate(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { extra: { max: 2 } }));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** The pg pool under a TypeORM data source (guarded by connection-budget.ts once the module starts). */
export function poolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}
