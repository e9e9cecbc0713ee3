import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Figures per area (issue 14): one materialized view per measure at the municipality x month grain,
 * refreshed CONCURRENTLY every minute by the job worker (src/statistics/statistics-refresh.ts), so
 * a request never scans people. Every view has the same columns: a count `n` of the measure in
 * `municipality_code`, registered (created, applied for) in `month` (Europe/Athens), for one
 * `dim`ension's `key` ('total' has the key ''); `special` marks rows that reveal Art. 9 data
 * (an enrolment in a Roma or disability programme, a special-category referral). Roll-ups to
 * regional unit, old prefecture, region, country and to quarters and years are sums of these rows.
 * `statistics_refresh` holds when each view was last computed: every answer says `asOf`.
 */
export class Statistics1764550000000 implements MigrationInterface {
  name = 'Statistics1764550000000';

  async up(q: QueryRunner): Promise<void> {
    // Age is counted on the day of the refresh, in five bands (docs/statistics.md).
    await q.query(`
      CREATE MATERIALIZED VIEW stats_people AS
      WITH p AS (
        SELECT p.id, p.municipality_code, p.gender,
               date_trunc('month', p.created_at AT TIME ZONE 'Europe/Athens')::date AS month,
               CASE WHEN a.years < 18 THEN '0-17' WHEN a.years < 30 THEN '18-29' WHEN a.years < 55 THEN '30-54'
                    WHEN a.years < 65 THEN '55-64' ELSE '65+' END AS age_band
          FROM person p
          CROSS JOIN LATERAL (SELECT extract(year FROM age((now() AT TIME ZONE 'Europe/Athens')::date, p.birth_date))::int AS years) a
         WHERE p.status <> 'MERGED'
      )
      SELECT municipality_code, month, false AS special,
             CASE WHEN GROUPING(gender) = 0 THEN 'gender' WHEN GROUPING(age_band) = 0 THEN 'ageBand' ELSE 'total' END AS dim,
             coalesce(gender, age_band, '') AS key, count(*)::int AS n
        FROM p
       GROUP BY GROUPING SETS ((municipality_code, month), (municipality_code, month, gender), (municipality_code, month, age_band))
      UNION ALL
      SELECT p.municipality_code, p.month, false, 'group', g.group_code, count(DISTINCT p.id)::int
        FROM p JOIN person_group g ON g.person_id = p.id
       WHERE g.valid_from <= (now() AT TIME ZONE 'Europe/Athens')::date
         AND (g.valid_to IS NULL OR g.valid_to >= (now() AT TIME ZONE 'Europe/Athens')::date)
       GROUP BY p.municipality_code, p.month, g.group_code`);

    await q.query(`
      CREATE MATERIALIZED VIEW stats_households AS
      WITH h AS (
        SELECT h.municipality_code, date_trunc('month', h.created_at AT TIME ZONE 'Europe/Athens')::date AS month,
               CASE WHEN s.members >= 6 THEN '6+' ELSE s.members::text END AS size
          FROM household h
          CROSS JOIN LATERAL (SELECT count(*)::int AS members FROM household_member m
                               WHERE m.household_id = h.id AND m.left_on IS NULL) s
      )
      SELECT municipality_code, month, false AS special,
             CASE WHEN GROUPING(size) = 0 THEN 'size' ELSE 'total' END AS dim, coalesce(size, '') AS key, count(*)::int AS n
        FROM h GROUP BY GROUPING SETS ((municipality_code, month), (municipality_code, month, size))`);

    await q.query(`
      CREATE MATERIALIZED VIEW stats_enrolments AS
      WITH e AS (
        SELECT p.municipality_code, date_trunc('month', e.applied_on)::date AS month,
               g.target_groups && ARRAY['ROMA', 'DISABILITY'] AS special, g.code AS programme, e.status
          FROM enrolment e JOIN person p ON p.id = e.person_id JOIN programme g ON g.id = e.programme_id
         WHERE p.status <> 'MERGED'
      )
      SELECT municipality_code, month, special,
             CASE WHEN GROUPING(programme) = 0 THEN 'programme' WHEN GROUPING(status) = 0 THEN 'status' ELSE 'total' END AS dim,
             coalesce(programme, status, '') AS key, count(*)::int AS n
        FROM e
       GROUP BY GROUPING SETS ((municipality_code, month, special), (municipality_code, month, special, programme),
                              (municipality_code, month, special, status))`);

    await q.query(`
      CREATE MATERIALIZED VIEW stats_referrals AS
      WITH r AS (
        SELECT r.from_municipality_code AS municipality_code,
               date_trunc('month', r.created_at AT TIME ZONE 'Europe/Athens')::date AS month,
               r.special_category AS special, r.status, coalesce(r.outcome, 'NONE') AS outcome,
               coalesce(r.category_code, 'NONE') AS need, coalesce(pr.kind_code, 'NONE') AS provider_kind
          FROM referral r LEFT JOIN provider pr ON pr.id = r.provider_id
      )
      SELECT municipality_code, month, special,
             CASE WHEN GROUPING(status) = 0 THEN 'status' WHEN GROUPING(outcome) = 0 THEN 'outcome'
                  WHEN GROUPING(need) = 0 THEN 'need' WHEN GROUPING(provider_kind) = 0 THEN 'providerKind' ELSE 'total' END AS dim,
             coalesce(status, outcome, need, provider_kind, '') AS key, count(*)::int AS n
        FROM r
       GROUP BY GROUPING SETS ((municipality_code, month, special), (municipality_code, month, special, status),
                              (municipality_code, month, special, outcome), (municipality_code, month, special, need),
                              (municipality_code, month, special, provider_kind))`);

    // REFRESH ... CONCURRENTLY needs a unique index on each view; readers are never blocked.
    for (const view of VIEWS)
      await q.query(
        `CREATE UNIQUE INDEX ${view}_uq ON ${view} (municipality_code, month, special, dim, key)`,
      );

    await q.query(`
      CREATE TABLE statistics_refresh (
        view_name text PRIMARY KEY,
        refreshed_at timestamptz NOT NULL,
        duration_ms integer NOT NULL DEFAULT 0
      )`);
    await q.query(
      `INSERT INTO statistics_refresh (view_name, refreshed_at) SELECT unnest($1::text[]), now()`,
      [VIEWS],
    );
    // Only the worker (the owner) writes when a view was refreshed; requests read it.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON statistics_refresh FROM mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS statistics_refresh`);
    for (const view of [...VIEWS].reverse()) await q.query(`DROP MATERIALIZED VIEW IF EXISTS ${view}`);
  }
}

const VIEWS = ['stats_people', 'stats_households', 'stats_enrolments', 'stats_referrals'];
