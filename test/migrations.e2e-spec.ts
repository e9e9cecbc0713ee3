import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { oneQueryAtATime } from '../src/database/one-query-at-a-time.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** Rule 9: the schema changes only by migration, so entities and migrations must agree, and every migration can be undone. */
describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(db.url, { extra: { max: 2 } }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  /**
   * The database owns indexes, checks, defaults and foreign keys (entities need not repeat them), so
   * only what an entity maps must exist as mapped: its tables, its columns, their types and nullability.
   */
  it('give every entity its tables and columns, with the mapped types and nullability', async () => {
    // TypeORM reads the schema with parallel queries on one connection; queue them (pg 9 refuses).
    const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
    dataSource.createQueryRunner = (mode) => {
      const runner = createQueryRunner(mode);
      oneQueryAtATime(runner);
      return runner;
    };
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const disagreements = pending.upQueries
      .map((q) => q.query)
      .filter((sql) =>
        /CREATE TABLE|ADD COLUMN|ADD "|ALTER COLUMN "[^"]+" TYPE|SET NOT NULL|DROP NOT NULL|CREATE TYPE/i.test(
          sql,
        ),
      );
    expect(disagreements).toEqual([]);
  });

  it('can all be reverted and applied again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(n).toBe(0);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(count);
  });
});
