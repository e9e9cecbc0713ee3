import { describeError } from '../common/describe-error.js';
import type { AppConfig } from '../config/app-config.js';
import { migrate } from './data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

export interface DatabaseHandle {
  url: string;
  embedded?: EmbeddedDatabase;
  appliedMigrations: string[];
}

/**
 * The database the service runs on: DATABASE_URL when set, otherwise an embedded PostgreSQL kept in
 * DATA_DIR; pending migrations are applied either way.
 */
export async function openDatabase(
  config: AppConfig,
  log: (message: string) => void,
  options: { share?: boolean } = {},
): Promise<DatabaseHandle> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres(
      config.DATA_DIR,
      (m) => {
        if (/FATAL|PANIC|stopping the embedded|removing .*postmaster\.pid/.test(m)) log(m);
      },
      options,
    );
    log(
      embedded.sharedWith
        ? `using the embedded PostgreSQL of the running service (pid ${embedded.sharedWith}) in ${config.DATA_DIR}/pg`
        : `DATABASE_URL is not set: the embedded PostgreSQL runs in ${config.DATA_DIR}/pg (unix socket, no TCP port)`,
    );
  }
  let url = config.DATABASE_URL ?? embedded!.url;
  try {
    if (embedded) url = await ensureDatabase(embedded.url, 'mitroa');
    const appliedMigrations = await migrate(url);
    if (appliedMigrations.length) log(`applied migrations: ${appliedMigrations.join(', ')}`);
    return { url, embedded, appliedMigrations };
  } catch (error) {
    // Never leave an embedded server behind us, and say which database failed (without its password).
    await embedded?.stop().catch(() => undefined);
    throw new Error(`Opening the database ${describeDatabase(url)} failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.hostname) || 'on a unix socket'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const { withDatabase } = await import('./database-url.js');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}
