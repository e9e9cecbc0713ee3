import type { EntityManager } from 'typeorm';

/**
 * The rows of a raw statement. TypeORM answers UPDATE and DELETE with `[rows, rowCount]` and
 * everything else with the rows; this hides the difference so RETURNING reads the same everywhere.
 */
export async function queryRows<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await em.query(sql, params);
  if (/^\s*(UPDATE|DELETE)\b/i.test(sql)) return (result as [T[], number])[0];
  return result as T[];
}
