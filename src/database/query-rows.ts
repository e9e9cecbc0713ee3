import { createHash } from 'node:crypto';
import type pg from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

/**
 * The rows of a raw statement. TypeORM answers UPDATE and DELETE with `[rows, rowCount]` and
 * everything else with the rows; this hides the difference so RETURNING reads the same everywhere.
 */
export async function queryRows<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await em.query(sql, params);
  if (/^\s*(UPDATE|DELETE)\b/i.test(sql)) return (result as [T[], number])[0];
  return result as T[];
}

/** The runner's `data` key TransactionService sets when DATABASE_PREPARED_STATEMENTS is on. */
export const PREPARED_STATEMENTS = 'preparedStatements';

/**
 * The rows of a hot read, as a named prepared statement when the request's transaction allows it
 * (DATABASE_PREPARED_STATEMENTS): PostgreSQL parses and plans it once per connection instead of
 * at every request. The name is a hash of the text, so one name never means two statements; use it
 * only for statements whose text comes from a bounded set (values always as parameters).
 */
export async function readRows<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const runner = em.queryRunner;
  // TypeORM keeps the runner's pg client in a protected field; the runner is connected by now.
  const client = (runner as unknown as { databaseConnection?: pg.PoolClient } | undefined)
    ?.databaseConnection;
  if (!client || runner?.data?.[PREPARED_STATEMENTS] !== true) return (await em.query(sql, params)) as T[];
  const name = `m_${createHash('sha1').update(sql).digest('base64url').slice(0, 24)}`;
  try {
    return (await client.query<T & pg.QueryResultRow>({ name, text: sql, values: params })).rows;
  } catch (error) {
    // The same error type as em.query, so that database-errors.ts maps it alike.
    throw new QueryFailedError(sql, params, error as Error);
  }
}
