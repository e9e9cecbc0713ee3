import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../src/database/database-url.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs SQL as the database owner, to check what a request wrote (or did not). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template built by global-setup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.MITROA_TEST_SERVER_URL;
  const template = process.env.MITROA_TEST_TEMPLATE;
  if (!serverUrl || !template)
    throw new Error('test database server not prepared: run the tests through jest (global-setup)');
  const name = `mitroa_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = withDatabase(serverUrl, name);
  let pool: pg.Pool | undefined;
  return {
    name,
    url,
    query: async <T>(sql: string, params: unknown[] = []) => {
      pool ??= new pg.Pool({ connectionString: url, max: 2 });
      return (await pool.query(sql, params)).rows as T[];
    },
    drop: async () => {
      await pool?.end();
      await dropDatabase(serverUrl, name);
    },
  };
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

/**
 * Drops a test database once its connections are gone. Pools end their idle connections without
 * waiting for them to close; dropping WITH (FORCE) at that moment would kill one, and its pool would
 * raise the error with no listener left to take it. So wait (briefly) first, then force.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`,
        [name],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
