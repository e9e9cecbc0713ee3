import type { EntityManager } from 'typeorm';
import { readRows } from '../database/query-rows.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  decodeCursor,
  toConnection,
  type ConnectionShape,
  type CursorPart,
} from './pagination.js';
import type { SqlParams } from './sql.js';

/** One column (or expression) of a list's order; together the keys are unique (end with an id). */
export interface PageKey {
  sql: string;
  /** What the cursor holds for it, checked before it reaches SQL. */
  part: CursorPart;
}

/** PostgreSQL type each cursor part is cast to when compared. */
const CAST: Record<CursorPart, string> = {
  uuid: 'uuid',
  bigint: 'bigint',
  decimal: 'numeric',
  number: 'double precision',
  text: 'text',
  timestamp: 'timestamptz',
};

/** How a key is selected so that it survives JSON exactly (timestamps to the microsecond, big numbers as text). */
function selectKey(key: PageKey): string {
  switch (key.part) {
    case 'timestamp':
      return `to_char((${key.sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    case 'bigint':
    case 'decimal':
      return `(${key.sql})::text`;
    default:
      return key.sql;
  }
}

export interface KeysetQuery {
  /** The statement's parameters so far (the filters'); the page adds its own. */
  q: SqlParams;
  /** The columns of a row. */
  columns: string;
  /** Everything after FROM up to WHERE: the table and its joins. */
  from: string;
  /** Filters, ANDed (scope first). */
  where: string[];
  /** The order, every key in one direction. */
  keys: PageKey[];
  direction?: 'ASC' | 'DESC';
  first?: number;
  after?: string;
  /** `count(*)` only when the client asked for totalCount (GraphQL) or the REST list shows `total`. */
  count: boolean;
  /** A named prepared statement (readRows): only for a statement text from a bounded set. */
  prepared?: boolean;
}

export interface KeysetPage<Row> {
  /** At most `first` rows, in order. */
  rows: Row[];
  /** The page as a Relay connection of `toNode(row)`. */
  connection<N>(toNode: (row: Row) => N): ConnectionShape<N>;
}

/**
 * One page of a keyset-paged list (rule 6): the skeleton every search shares (limit + 1 rows,
 * the cursor decoded and checked against the order's parts, the row comparison, the count only
 * when asked), so that a service writes only its filters and columns.
 */
export async function keysetPage<Row extends object>(
  em: EntityManager,
  query: KeysetQuery,
): Promise<KeysetPage<Row>> {
  const { q, keys } = query;
  const direction = query.direction ?? 'ASC';
  const limit = Math.min(query.first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const filters = query.where.length ? query.where.join(' AND ') : 'TRUE';
  const total = query.count
    ? (
        (await em.query(`SELECT count(*)::int AS n FROM ${query.from} WHERE ${filters}`, q.values)) as [
          { n: number },
        ]
      )[0].n
    : 0;
  let after = '';
  if (query.after) {
    // A cursor of another list or ordering is refused as BAD_USER_INPUT, never cast in SQL.
    const values = decodeCursor(
      query.after,
      keys.map((k) => k.part),
    ) as unknown[];
    const placeholders = values.map((v, i) => `${q.p(v)}::${CAST[keys[i]!.part]}`);
    after = ` AND (${keys.map((k) => k.sql).join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${placeholders.join(', ')})`;
  }
  const sql = `SELECT ${query.columns}, ${keys.map((k, i) => `${selectKey(k)} AS page_key_${i}`).join(', ')}
      FROM ${query.from} WHERE ${filters}${after}
      ORDER BY ${keys.map((k) => `${k.sql} ${direction}`).join(', ')} LIMIT ${q.p(limit + 1)}`;
  const fetched = query.prepared
    ? await readRows<Row>(em, sql, q.values)
    : ((await em.query(sql, q.values)) as Row[]);
  const keyOf = (row: Row) => keys.map((_, i) => (row as Record<string, unknown>)[`page_key_${i}`]);
  return {
    rows: fetched.slice(0, limit),
    connection: (toNode) => toConnection(fetched, limit, total, keyOf, !!query.after, toNode),
  };
}
