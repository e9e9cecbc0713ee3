import type { RequestContext } from '../auth/request-context.js';
import type { SqlParams } from '../common/sql.js';
import { isUuid } from '../common/validators.js';
import { readRows } from '../database/query-rows.js';
import { NO_INCLUDES, withIncludes, type PersonIncludes } from './person-includes.js';
import { PERSON_COLUMNS, scopeSql, type PersonRow } from './person-rows.js';

/** Relations to read with the people (person-includes.ts), and ADULT_AGE for a household's composition. */
export interface IncludeOptions {
  include: PersonIncludes;
  adultAge: number;
}

/**
 * The beneficiary registry's hot reads (issue 9), in one place beside BeneficiaryService: each is
 * one statement, area-scoped in its WHERE clause, and runs as a named prepared statement (readRows)
 * since its text comes from a bounded set.
 */

/** Surname order of lists (expression indexes person_sort_idx and person_municipality_sort_idx). */
export const SORT_KEY = `lower(p.surname_latin || ' ' || p.given_name_latin)`;

export type SortedRow = PersonRow & { score: string | number; sort_key: string };

/** People by id within the caller's area (any not there is simply absent). */
export function peopleByIds(ctx: RequestContext, ids: readonly string[]): Promise<PersonRow[]> {
  const params: unknown[] = [ids.filter(isUuid)];
  const scope = scopeSql(ctx, 'p.municipality_code', params);
  return readRows<PersonRow>(
    ctx.em,
    `SELECT ${PERSON_COLUMNS} FROM person p WHERE p.id = ANY($1::uuid[]) AND ${scope}`,
    params,
  );
}

/** The person of the caller's area holding an AFM or AMKA (a merged record no longer answers). */
export function personByIdentifier(
  ctx: RequestContext,
  column: 'afm' | 'amka',
  value: string,
  { include, adultAge }: IncludeOptions = { include: NO_INCLUDES, adultAge: 0 },
): Promise<PersonRow[]> {
  const params: unknown[] = [value];
  const scope = scopeSql(ctx, 'p.municipality_code', params);
  const sql = `SELECT ${PERSON_COLUMNS} FROM person p WHERE p.${column} = $1 AND p.status <> 'MERGED' AND ${scope}`;
  return readRows<PersonRow>(ctx.em, withIncludes(ctx, sql, params, include, adultAge), params);
}

/**
 * One page (limit + 1 rows, to tell whether there is a next) of the people matching `where`, in
 * surname order after the cursor. A municipality's list reads person_municipality_sort_idx.
 */
export function sortedPeople(
  ctx: RequestContext,
  query: SqlParams,
  where: string[],
  limit: number,
  cursor: { sortKey: string; id: string } | undefined,
  { include, adultAge }: IncludeOptions = { include: NO_INCLUDES, adultAge: 0 },
): Promise<SortedRow[]> {
  const after = cursor
    ? `(${SORT_KEY}, p.id) > (${query.p(cursor.sortKey)}, ${query.p(cursor.id)}::uuid)`
    : 'TRUE';
  const sql = `SELECT ${PERSON_COLUMNS}, 1 AS score, ${SORT_KEY} AS sort_key
       FROM person p WHERE ${where.join(' AND ')} AND ${after}
      ORDER BY ${SORT_KEY}, p.id
      LIMIT ${limit + 1}`;
  return readRows<SortedRow>(
    ctx.em,
    withIncludes(ctx, sql, query.values, include, adultAge, 'b.sort_key, b.id'),
    query.values,
  );
}

/** How many people match `where` (parameters as before any cursor was added). */
export async function countPeople(ctx: RequestContext, where: string[], params: unknown[]): Promise<number> {
  const rows = await readRows<{ n: number }>(
    ctx.em,
    `SELECT count(*)::int AS n FROM person p WHERE ${where.join(' AND ')}`,
    params,
  );
  return rows[0]?.n ?? 0;
}
