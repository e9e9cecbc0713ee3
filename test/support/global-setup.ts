import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { migrate } from '../../src/database/data-source.js';
import { withDatabase } from '../../src/database/database-url.js';

/**
 * Runs once before all test files: finds a PostgreSQL server (DATABASE_URL, else an embedded one in
 * .data/test), and builds a template database with every migration applied. Each test file then
 * clones that template into a database of its own (see test-database.ts), which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres(process.env.TEST_DATA_DIR ?? '.data/test');
    (globalThis as Record<string, unknown>).__mitroaEmbedded = embedded;
    serverUrl = embedded.url;
  }
  const template = `mitroa_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await dropStaleTestDatabases(admin);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await migrate(withDatabase(serverUrl, template));
  process.env.MITROA_TEST_SERVER_URL = serverUrl;
  process.env.MITROA_TEST_TEMPLATE = template;
}

/** Databases left by an interrupted earlier run (their creator process is gone). */
async function dropStaleTestDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'mitroa\\_test\\_%' OR datname LIKE 'mitroa\\_t\\_%'`,
  );
  for (const { datname } of rows) {
    const pid = Number(/_(\d+)(?:_|$)/.exec(datname)?.[1]);
    if (pid && isAlive(pid) && pid !== process.pid) continue;
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
