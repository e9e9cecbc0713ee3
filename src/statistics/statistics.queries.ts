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

/**
 * When each table was last brought up to date (`refreshed_at`, the `asOf`) and when its contents
 * last changed (`changed_at`: a cube built since is still current).
 */
export const AS_OF = `
  SELECT view_name, refreshed_at, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS changed_at
    FROM statistics_refresh`;

/**
 * A table's rows and when it was computed, in one statement (one snapshot: a refresh committing in
 * between cannot pair new rows with an old time). The rows come as one text, a line each: a few
 * hundred thousand rows cost the API process a split rather than a parsed row object each.
 * `view` is one of the fixed names of MEASURES, never input.
 */
export function measureRowsSql(view: string): string {
  return `
    SELECT to_char(r.refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS as_of,
           to_char(r.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS changed_at,
           (SELECT coalesce(string_agg(concat_ws(E'\\t', municipality_code, to_char(month, 'YYYY-MM'), special::int, dim,
                                                 key, n), E'\\n'), '')
              FROM ${view}) AS rows
      FROM statistics_refresh r WHERE r.view_name = '${view}'`;
}

/** measureRowsSql's `rows`: one line per row, `municipality_code month special(0/1) dim key n` by tabs (codes hold neither). */
export function unpackMeasureRows(packed: string): MeasureRow[] {
  if (!packed) return [];
  return packed.split('\n').map((line) => {
    const [municipality_code, month, special, dim, key, n] = line.split('\t') as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return { municipality_code, month, special: special === '1', dim, key, n: Number(n) };
  });
}

/** Today's month in Athens ('YYYY-MM'): the last year of a cube. */
export const ATHENS_MONTH = `SELECT to_char(now() AT TIME ZONE 'Europe/Athens', 'YYYY-MM') AS month`;

/**
 * The summary tables (migration 1764600000000) are recounted by slice: a (municipality, month) of
 * one measure. Each measure's count is written once, here, with a filter spliced in: every row
 * (`whole`), or only the rows of the slices given as parallel arrays $1 (municipality codes) and
 * $2 (months), found by an index range on (area, time) between the first and the last month.
 */
export type Slices = 'whole' | 'slices';

/** The month of a registration time, in Athens (as every figure counts it). */
const athensMonth = (t: string) => `date_trunc('month', ${t} AT TIME ZONE 'Europe/Athens')::date`;

/** `area` and `time` of the rows in the given slices; `time` a timestamptz, or a date when `isDate`. */
function sliceFilter(slices: Slices, area: string, time: string, isDate = false): string {
  if (slices === 'whole') return 'true';
  const month = isDate ? `date_trunc('month', ${time})::date` : athensMonth(time);
  const lo = isDate
    ? `(SELECT min(m) FROM unnest($2::date[]) m)`
    : `(SELECT min(m)::timestamp AT TIME ZONE 'Europe/Athens' FROM unnest($2::date[]) m)`;
  const hi = isDate
    ? `(SELECT (max(m) + interval '1 month')::date FROM unnest($2::date[]) m)`
    : `(SELECT (max(m) + interval '1 month') AT TIME ZONE 'Europe/Athens' FROM unnest($2::date[]) m)`;
  return `${area} = ANY ($1::text[]) AND ${time} >= ${lo} AND ${time} < ${hi}
          AND (${area}, ${month}) IN (SELECT * FROM unnest($1::text[], $2::date[]))`;
}

/** Ages are counted on the day of the count, in five bands (docs/statistics.md). */
const TODAY = `(now() AT TIME ZONE 'Europe/Athens')::date`;

/**
 * The age from which a household's member is an adult in its composition: the default ADULT_AGE,
 * fixed like the age bands' boundaries (a setting changed later would leave the stored figures
 * counted by the old age).
 */
export const ADULT_AGE = 18;

/** Referral times (docs/statistics.md): whole days in Athens, in bands; NONE when it did not happen. */
const dayBand = (from: string, to: string) => `CASE
    WHEN ${from} IS NULL OR ${to} IS NULL THEN 'NONE'
    WHEN (${to} AT TIME ZONE 'Europe/Athens')::date - (${from} AT TIME ZONE 'Europe/Athens')::date <= 0 THEN 'SAME_DAY'
    WHEN (${to} AT TIME ZONE 'Europe/Athens')::date - (${from} AT TIME ZONE 'Europe/Athens')::date <= 3 THEN '1-3'
    WHEN (${to} AT TIME ZONE 'Europe/Athens')::date - (${from} AT TIME ZONE 'Europe/Athens')::date <= 7 THEN '4-7'
    WHEN (${to} AT TIME ZONE 'Europe/Athens')::date - (${from} AT TIME ZONE 'Europe/Athens')::date <= 30 THEN '8-30'
    ELSE '31+' END`;

/** The rows of one measure's summary table: (municipality_code, month, special, dim, key, n). */
export const SUMMARY_ROWS: Record<string, (slices: Slices) => string> = {
  stats_people: (slices) => `
    WITH p AS (
      SELECT p.id, p.municipality_code, p.gender, ${athensMonth('p.created_at')} AS month,
             CASE WHEN a.years < 18 THEN '0-17' WHEN a.years < 30 THEN '18-29' WHEN a.years < 55 THEN '30-54'
                  WHEN a.years < 65 THEN '55-64' ELSE '65+' END AS age_band
        FROM person p
        CROSS JOIN LATERAL (SELECT extract(year FROM age(${TODAY}, p.birth_date))::int AS years) a
       WHERE p.status <> 'MERGED' AND ${sliceFilter(slices, 'p.municipality_code', 'p.created_at')}
    )
    SELECT municipality_code, month, false AS special,
           CASE WHEN GROUPING(gender) = 0 THEN 'gender' WHEN GROUPING(age_band) = 0 THEN 'ageBand' ELSE 'total' END AS dim,
           coalesce(gender, age_band, '') AS key, count(*)::int AS n
      FROM p
     GROUP BY GROUPING SETS ((municipality_code, month), (municipality_code, month, gender), (municipality_code, month, age_band))
    UNION ALL
    SELECT p.municipality_code, p.month, false, 'group', g.group_code, count(DISTINCT p.id)::int
      FROM p JOIN person_group g ON g.person_id = p.id
     WHERE g.valid_from <= ${TODAY} AND (g.valid_to IS NULL OR g.valid_to >= ${TODAY})
     GROUP BY p.municipality_code, p.month, g.group_code`,

  // Composition (docs/statistics.md): current members, adults (ADULT_AGE, in years on the day of
  // the count) and minors, as householdSelect counts them (src/beneficiaries/household.service.ts).
  stats_households: (slices) => `
    WITH h AS (
      SELECT h.municipality_code, ${athensMonth('h.created_at')} AS month,
             CASE WHEN s.members >= 6 THEN '6+' ELSE s.members::text END AS size,
             CASE WHEN s.members = 0 THEN 'EMPTY'
                  WHEN s.adults = 0 THEN 'CHILDREN_ONLY'
                  WHEN s.adults = 1 THEN CASE WHEN s.minors = 0 THEN 'ONE_ADULT' ELSE 'ONE_ADULT_WITH_CHILDREN' END
                  ELSE CASE WHEN s.minors = 0 THEN 'ADULTS' ELSE 'ADULTS_WITH_CHILDREN' END END AS composition
        FROM household h
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS members,
                 count(*) FILTER (WHERE p.birth_date <= ${TODAY} - make_interval(years => ${ADULT_AGE}))::int AS adults,
                 count(*) FILTER (WHERE p.birth_date > ${TODAY} - make_interval(years => ${ADULT_AGE}))::int AS minors
            FROM household_member m JOIN person p ON p.id = m.person_id
           WHERE m.household_id = h.id AND m.left_on IS NULL) s
       WHERE ${sliceFilter(slices, 'h.municipality_code', 'h.created_at')}
    )
    SELECT municipality_code, month, false AS special,
           CASE WHEN GROUPING(size) = 0 THEN 'size' WHEN GROUPING(composition) = 0 THEN 'composition' ELSE 'total' END AS dim,
           coalesce(size, composition, '') AS key, count(*)::int AS n
      FROM h
     GROUP BY GROUPING SETS ((municipality_code, month), (municipality_code, month, size),
                            (municipality_code, month, composition))`,

  stats_enrolments: (slices) => `
    WITH e AS (
      SELECT p.municipality_code, date_trunc('month', e.applied_on)::date AS month,
             g.special_category AS special, g.code AS programme, e.status
        FROM enrolment e JOIN person p ON p.id = e.person_id JOIN programme g ON g.id = e.programme_id
       WHERE p.status <> 'MERGED' AND ${sliceFilter(slices, 'p.municipality_code', 'e.applied_on', true)}
    )
    SELECT municipality_code, month, special,
           CASE WHEN GROUPING(programme) = 0 THEN 'programme' WHEN GROUPING(status) = 0 THEN 'status' ELSE 'total' END AS dim,
           coalesce(programme, status, '') AS key, count(*)::int AS n
      FROM e
     GROUP BY GROUPING SETS ((municipality_code, month, special), (municipality_code, month, special, programme),
                            (municipality_code, month, special, status))`,

  // Time to accept: from sending to acceptance; time to complete: from sending to completion (a
  // COMPLETED referral; completed_at is also the end of a rejected or cancelled one).
  stats_referrals: (slices) => `
    WITH r AS (
      SELECT r.from_municipality_code AS municipality_code, ${athensMonth('r.created_at')} AS month,
             r.special_category AS special, r.status, coalesce(r.outcome, 'NONE') AS outcome,
             coalesce(r.category_code, 'NONE') AS need, coalesce(pr.kind_code, 'NONE') AS provider_kind,
             ${dayBand('r.sent_at', 'r.accepted_at')} AS accept_time,
             ${dayBand('r.sent_at', "CASE WHEN r.status = 'COMPLETED' THEN r.completed_at END")} AS complete_time
        FROM referral r LEFT JOIN provider pr ON pr.id = r.provider_id
       WHERE ${sliceFilter(slices, 'r.from_municipality_code', 'r.created_at')}
    )
    SELECT municipality_code, month, special,
           CASE WHEN GROUPING(status) = 0 THEN 'status' WHEN GROUPING(outcome) = 0 THEN 'outcome'
                WHEN GROUPING(need) = 0 THEN 'need' WHEN GROUPING(provider_kind) = 0 THEN 'providerKind'
                WHEN GROUPING(accept_time) = 0 THEN 'acceptTime' WHEN GROUPING(complete_time) = 0 THEN 'completeTime'
                ELSE 'total' END AS dim,
           coalesce(status, outcome, need, provider_kind, accept_time, complete_time, '') AS key, count(*)::int AS n
      FROM r
     GROUP BY GROUPING SETS ((municipality_code, month, special), (municipality_code, month, special, status),
                            (municipality_code, month, special, outcome), (municipality_code, month, special, need),
                            (municipality_code, month, special, provider_kind),
                            (municipality_code, month, special, accept_time),
                            (municipality_code, month, special, complete_time))`,
};

/** The measure name the triggers mark slices of (stats_dirty.measure), per summary table. */
export const DIRTY_MEASURE: Record<string, string> = {
  stats_people: 'people',
  stats_households: 'households',
  stats_enrolments: 'enrolments',
  stats_referrals: 'referrals',
};

/**
 * Recounting one summary table (in a REPEATABLE READ transaction of its own, as the owner): only
 * one worker at a time (the advisory lock; another finds it taken and leaves it). `started` is the
 * transaction's start, before its snapshot: every change committed before it is visible to the
 * recount, so it is the `asOf` of the figures.
 */
export const REFRESH_START = `
  SELECT pg_try_advisory_xact_lock(hashtext('mitroa:statistics:' || $1)) AS locked, now() AS started,
         r.rebuild_needed, to_char(r.calendar_day, 'YYYY-MM-DD') AS calendar_day,
         to_char(${TODAY}, 'YYYY-MM-DD') AS today
    FROM statistics_refresh r WHERE r.view_name = $1`;

/** Age bands change on birthdays: the boundaries of the bands of SUMMARY_ROWS.stats_people. */
const AGE_BOUNDARIES = [ADULT_AGE, 30, 55, 65];

/** People whose age passed `years` between $1 and $2 (a day either side). */
const turned = (years: number) =>
  `p.birth_date BETWEEN ($1::date - interval '${years} years' - interval '1 day')::date AND ($2::date - interval '${years} years' + interval '1 day')::date`;

/**
 * The calendar's changes to the figures since the last count ($1, 'YYYY-MM-DD') up to today ($2):
 * the people slices of people who reached an age band's boundary and of group memberships that
 * began or ended, and the households slices of the households of people who came of age (their
 * composition changes). A day either side: marking too much only recounts a slice again.
 */
export const MARK_CALENDAR = `
  INSERT INTO stats_dirty (measure, municipality_code, month)
  SELECT DISTINCT 'people', p.municipality_code, ${athensMonth('p.created_at')}
    FROM person p
   WHERE ${AGE_BOUNDARIES.map(turned).join('\n      OR ')}
  UNION
  SELECT 'people', p.municipality_code, ${athensMonth('p.created_at')}
    FROM person_group g JOIN person p ON p.id = g.person_id
   WHERE g.valid_from BETWEEN $1::date AND $2::date OR g.valid_to BETWEEN $1::date - 1 AND $2::date
  UNION
  SELECT 'households', h.municipality_code, ${athensMonth('h.created_at')}
    FROM person p JOIN household_member m ON m.person_id = p.id AND m.left_on IS NULL
    JOIN household h ON h.id = m.household_id
   WHERE ${turned(ADULT_AGE)}`;

/** Claims the slices marked (and visible in this snapshot) for a measure: distinct, as two arrays. */
export const CLAIM_SLICES = `
  WITH claimed AS (DELETE FROM stats_dirty WHERE measure = $1 RETURNING municipality_code, month),
       slices AS (SELECT DISTINCT municipality_code, month FROM claimed)
  SELECT coalesce(array_agg(municipality_code), '{}') AS codes,
         coalesce(array_agg(to_char(month, 'YYYY-MM-DD')), '{}') AS months, count(*)::int AS n
    FROM slices`;

/** `table` is one of the fixed names of SUMMARY_ROWS, never input. */
export function deleteSlicesSql(table: string): string {
  return `DELETE FROM ${table} WHERE (municipality_code, month) IN (SELECT * FROM unnest($1::text[], $2::date[]))`;
}
export function insertRowsSql(table: string, slices: Slices): string {
  return `INSERT INTO ${table} (municipality_code, month, special, dim, key, n) ${SUMMARY_ROWS[table]!(slices)}`;
}
export function rebuildSql(table: string): string[] {
  return [`DELETE FROM ${table}`, `DELETE FROM stats_dirty WHERE measure = '${DIRTY_MEASURE[table]}'`];
}

/** The lock of a step that recounts its figures whole (the ESF view, likely eligible), as REFRESH_START's. */
export const REFRESH_LOCK = `SELECT pg_try_advisory_xact_lock(hashtext('mitroa:statistics:' || $1)) AS locked, clock_timestamp() AS started`;
/** The figures that remain a materialized view (stats_esf): recounted whole by their step. */
export function refreshSql(view: string): string {
  return `REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`;
}

/** $1 view, $2 started, $3 slices recounted, $4 calendar day counted, $5 whether the contents changed. */
export const RECORD_REFRESH = `
  UPDATE statistics_refresh
     SET refreshed_at = $2, duration_ms = (extract(epoch FROM clock_timestamp() - $2::timestamptz) * 1000)::int,
         rebuild_needed = false, slices = $3, calendar_day = coalesce($4::date, calendar_day),
         changed_at = CASE WHEN $5 OR changed_at IS NULL THEN $2 ELSE changed_at END
   WHERE view_name = $1
  RETURNING duration_ms`;

/** Each municipality and the 2011 municipality whose boundary it is drawn with (maps). */
export const MUNICIPALITY_SHAPES = `SELECT code, predecessor_2011_code FROM municipality ORDER BY code`;
