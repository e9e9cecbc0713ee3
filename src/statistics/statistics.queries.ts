/**
 * The statistics module's SQL (rule 22). The figures themselves are kept by the materialized views
 * of migration 1764550000000 (municipality x month grain); these statements read them whole for a
 * cube (statistics-cube.ts), say when they were computed, and refresh them.
 */

/** One municipality and the areas it belongs to. */
export interface GeographyRow {
  code: string;
  name: string;
  regional_unit_code: string;
  regional_unit_name: string;
  old_prefecture: string;
  region_code: string;
  region_name: string;
  population_2021: number | null;
}

export const GEOGRAPHY = `
  SELECT m.code, m.name, m.regional_unit_code, u.name AS regional_unit_name, m.old_prefecture,
         m.region_code, r.name AS region_name, m.population_2021
    FROM municipality m
    JOIN regional_unit u ON u.code = m.regional_unit_code
    JOIN region r ON r.code = m.region_code
   ORDER BY m.code`;

/** One row of a statistics view: `n` of the measure in a municipality, a month, for one dimension's key. */
export interface MeasureRow {
  municipality_code: string;
  /** 'YYYY-MM' */
  month: string;
  special: boolean;
  dim: string;
  key: string;
  n: number;
}

/** When each view was last computed. */
export const AS_OF = `SELECT view_name, refreshed_at FROM statistics_refresh`;

/**
 * A view's rows and when it was computed, in one statement (one snapshot: a refresh committing in
 * between cannot pair new rows with an old time). The first row carries the time, the rest the rows.
 * `view` is one of the fixed names of MEASURES, never input.
 */
export function measureRowsSql(view: string): string {
  return `
    SELECT 0 AS header, NULL AS municipality_code, NULL AS month, NULL::boolean AS special, NULL AS dim, NULL AS key,
           NULL::int AS n, to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS as_of
      FROM statistics_refresh WHERE view_name = '${view}'
    UNION ALL
    SELECT 1, municipality_code, to_char(month, 'YYYY-MM'), special, dim, key, n, NULL FROM ${view}`;
}

/** Today's month in Athens ('YYYY-MM'): the last year of a cube. */
export const ATHENS_MONTH = `SELECT to_char(now() AT TIME ZONE 'Europe/Athens', 'YYYY-MM') AS month`;

/**
 * Refreshing one view (in a transaction of its own, as the owner): only one worker at a time does
 * it (the advisory lock; another finds it taken and leaves it), readers are never blocked
 * (CONCURRENTLY), and the time recorded is taken before the refresh reads anything, so every
 * change committed before `asOf` is in the figures.
 */
export const REFRESH_LOCK = `SELECT pg_try_advisory_xact_lock(hashtext('mitroa:statistics:' || $1)) AS locked, clock_timestamp() AS started`;
export function refreshSql(view: string): string {
  return `REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`;
}
export const RECORD_REFRESH = `
  UPDATE statistics_refresh
     SET refreshed_at = $2, duration_ms = (extract(epoch FROM clock_timestamp() - $2::timestamptz) * 1000)::int
   WHERE view_name = $1
  RETURNING duration_ms`;

/** Each municipality and the 2011 municipality whose boundary it is drawn with (maps). */
export const MUNICIPALITY_SHAPES = `SELECT code, predecessor_2011_code FROM municipality ORDER BY code`;
