import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Statistics1764550000000 } from './1764550000000-statistics.js';

/**
 * Figures kept incrementally (issue 14, "fresh within a minute" at a million people): the four
 * materialized views of 1764550000000 become summary tables of the same name and columns
 * (municipality x month x category), and the refresh job recomputes only the (municipality, month)
 * slices that changed instead of recounting everyone.
 *
 * - Statement-level triggers with transition tables on every table a figure reads append the slices
 *   a statement touched to `stats_dirty` (one row per distinct slice per statement, never per row;
 *   an append-only log rather than a set, so that a slice marked while the job runs is never lost:
 *   the job claims, in its REPEATABLE READ snapshot, exactly the marks whose changes it can see).
 * - The refresh (src/statistics/statistics-refresh.ts) deletes and recounts those slices in one
 *   transaction per measure; `rebuild_needed` asks it for a full recount (set here, so that the new
 *   referral time bands are counted on its first run; `npm run cli -- statistics-rebuild` recounts
 *   whole at once).
 * - Ages and group memberships change with the calendar, not with a write: once a day the refresh
 *   marks the slices of the people whose age band or group validity changed since `calendar_day`.
 *
 * The trigger functions are SECURITY DEFINER: they read `person` and `enrolment` beneath row-level
 * security (a write's slices are marked whoever makes it) and write tables requests cannot.
 */
export class StatisticsIncremental1764600000000 implements MigrationInterface {
  name = 'StatisticsIncremental1764600000000';

  async up(q: QueryRunner): Promise<void> {
    for (const measure of MEASURES) {
      await q.query(`CREATE TABLE ${measure}_new (
        municipality_code text NOT NULL,
        month date NOT NULL,
        special boolean NOT NULL,
        dim text NOT NULL,
        key text NOT NULL,
        n integer NOT NULL
      )`);
      // The figures of the last view refresh, until the first run recounts them (rebuild_needed).
      await q.query(
        `INSERT INTO ${measure}_new SELECT municipality_code, month, special, dim, key, n FROM ${measure}`,
      );
      await q.query(`DROP MATERIALIZED VIEW ${measure}`);
      await q.query(`ALTER TABLE ${measure}_new RENAME TO ${measure}`);
      await q.query(
        `ALTER TABLE ${measure} ADD CONSTRAINT ${measure}_uq PRIMARY KEY (municipality_code, month, special, dim, key)`,
      );
    }
    await q.query(`
      ALTER TABLE statistics_refresh
        ADD COLUMN rebuild_needed boolean NOT NULL DEFAULT true,
        ADD COLUMN slices integer NOT NULL DEFAULT 0,
        ADD COLUMN calendar_day date,
        ADD COLUMN changed_at timestamptz`);

    await q.query(`
      CREATE TABLE stats_dirty (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        measure text NOT NULL,
        municipality_code text NOT NULL,
        month date NOT NULL
      )`);

    // A slice's rows are found by an index range: area, then registration time.
    await q.query(`CREATE INDEX person_municipality_created_idx ON person (municipality_code, created_at)`);
    await q.query(
      `CREATE INDEX household_municipality_created_idx ON household (municipality_code, created_at)`,
    );
    await q.query(`CREATE INDEX enrolment_applied_idx ON enrolment (applied_on)`);
    await q.query(`CREATE INDEX referral_from_created_idx ON referral (from_municipality_code, created_at)`);

    // The month of a registration time, as the figures count it.
    const month = (t: string) => `date_trunc('month', ${t} AT TIME ZONE 'Europe/Athens')::date`;
    const mark = (measure: string, select: string) =>
      `INSERT INTO stats_dirty (measure, municipality_code, month) SELECT DISTINCT '${measure}', s.code, s.month FROM (${select}) s(code, month)`;
    const both = (o: string, n: string) => `CROSS JOIN LATERAL (VALUES ${o}, ${n}) x(code, month)`;

    const triggers: Array<{ table: string; insert: string[]; update: string[]; delete: string[] }> = [
      {
        table: 'person',
        insert: [mark('people', `SELECT municipality_code, ${month('created_at')} FROM new_rows`)],
        update: [
          mark(
            'people',
            `SELECT x.code, x.month FROM old_rows o JOIN new_rows n ON n.id = o.id
               ${both(`(o.municipality_code, ${month('o.created_at')})`, `(n.municipality_code, ${month('n.created_at')})`)}
              WHERE (o.municipality_code, o.created_at, o.gender, o.birth_date, o.status)
                    IS DISTINCT FROM (n.municipality_code, n.created_at, n.gender, n.birth_date, n.status)`,
          ),
          // A person's enrolments are counted in their municipality, unless merged.
          mark(
            'enrolments',
            `SELECT x.code, date_trunc('month', e.applied_on)::date FROM old_rows o JOIN new_rows n ON n.id = o.id
               JOIN enrolment e ON e.person_id = n.id
               CROSS JOIN LATERAL (VALUES (o.municipality_code), (n.municipality_code)) x(code)
              WHERE (o.municipality_code, o.status = 'MERGED') IS DISTINCT FROM (n.municipality_code, n.status = 'MERGED')`,
          ),
        ],
        delete: [mark('people', `SELECT municipality_code, ${month('created_at')} FROM old_rows`)],
      },
      {
        table: 'person_group',
        insert: [
          mark(
            'people',
            `SELECT p.municipality_code, ${month('p.created_at')} FROM new_rows g JOIN person p ON p.id = g.person_id`,
          ),
        ],
        update: [
          mark(
            'people',
            `SELECT p.municipality_code, ${month('p.created_at')}
               FROM (SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows) g JOIN person p ON p.id = g.person_id`,
          ),
        ],
        delete: [
          mark(
            'people',
            `SELECT p.municipality_code, ${month('p.created_at')} FROM old_rows g JOIN person p ON p.id = g.person_id`,
          ),
        ],
      },
      {
        table: 'household',
        insert: [mark('households', `SELECT municipality_code, ${month('created_at')} FROM new_rows`)],
        update: [
          mark(
            'households',
            `SELECT x.code, x.month FROM old_rows o JOIN new_rows n ON n.id = o.id
               ${both(`(o.municipality_code, ${month('o.created_at')})`, `(n.municipality_code, ${month('n.created_at')})`)}
              WHERE (o.municipality_code, o.created_at) IS DISTINCT FROM (n.municipality_code, n.created_at)`,
          ),
        ],
        delete: [mark('households', `SELECT municipality_code, ${month('created_at')} FROM old_rows`)],
      },
      {
        table: 'household_member',
        insert: [
          mark(
            'households',
            `SELECT h.municipality_code, ${month('h.created_at')} FROM new_rows m JOIN household h ON h.id = m.household_id`,
          ),
        ],
        update: [
          mark(
            'households',
            `SELECT h.municipality_code, ${month('h.created_at')}
               FROM (SELECT o.household_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                      WHERE (o.household_id, o.left_on IS NULL) IS DISTINCT FROM (n.household_id, n.left_on IS NULL)
                     UNION SELECT n.household_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                      WHERE (o.household_id, o.left_on IS NULL) IS DISTINCT FROM (n.household_id, n.left_on IS NULL)) m
               JOIN household h ON h.id = m.household_id`,
          ),
        ],
        delete: [
          mark(
            'households',
            `SELECT h.municipality_code, ${month('h.created_at')} FROM old_rows m JOIN household h ON h.id = m.household_id`,
          ),
        ],
      },
      {
        table: 'enrolment',
        insert: [
          mark(
            'enrolments',
            `SELECT p.municipality_code, date_trunc('month', e.applied_on)::date FROM new_rows e JOIN person p ON p.id = e.person_id`,
          ),
        ],
        update: [
          mark(
            'enrolments',
            `SELECT p.municipality_code, date_trunc('month', x.applied_on)::date
               FROM old_rows o JOIN new_rows n ON n.id = o.id
               CROSS JOIN LATERAL (VALUES (o.person_id, o.applied_on), (n.person_id, n.applied_on)) x(person_id, applied_on)
               JOIN person p ON p.id = x.person_id
              WHERE (o.person_id, o.programme_id, o.status, o.applied_on) IS DISTINCT FROM (n.person_id, n.programme_id, n.status, n.applied_on)`,
          ),
        ],
        delete: [
          mark(
            'enrolments',
            `SELECT p.municipality_code, date_trunc('month', e.applied_on)::date FROM old_rows e JOIN person p ON p.id = e.person_id`,
          ),
        ],
      },
      {
        // A programme's code and target groups (special category) label its enrolments.
        table: 'programme',
        insert: [],
        update: [
          mark(
            'enrolments',
            `SELECT p.municipality_code, date_trunc('month', e.applied_on)::date
               FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN enrolment e ON e.programme_id = n.id
               JOIN person p ON p.id = e.person_id
              WHERE (o.code, o.target_groups) IS DISTINCT FROM (n.code, n.target_groups)`,
          ),
        ],
        delete: [],
      },
      {
        table: 'referral',
        insert: [mark('referrals', `SELECT from_municipality_code, ${month('created_at')} FROM new_rows`)],
        update: [
          mark(
            'referrals',
            `SELECT x.code, x.month FROM old_rows o JOIN new_rows n ON n.id = o.id
               ${both(`(o.from_municipality_code, ${month('o.created_at')})`, `(n.from_municipality_code, ${month('n.created_at')})`)}
              WHERE (o.from_municipality_code, o.created_at, o.special_category, o.status, o.outcome, o.category_code,
                     o.provider_id, o.sent_at, o.accepted_at, o.completed_at)
                    IS DISTINCT FROM (n.from_municipality_code, n.created_at, n.special_category, n.status, n.outcome,
                     n.category_code, n.provider_id, n.sent_at, n.accepted_at, n.completed_at)`,
          ),
        ],
        delete: [mark('referrals', `SELECT from_municipality_code, ${month('created_at')} FROM old_rows`)],
      },
      {
        // A provider's kind labels the referrals it receives.
        table: 'provider',
        insert: [],
        update: [
          mark(
            'referrals',
            `SELECT r.from_municipality_code, ${month('r.created_at')}
               FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN referral r ON r.provider_id = n.id
              WHERE o.kind_code IS DISTINCT FROM n.kind_code`,
          ),
        ],
        delete: [],
      },
    ];

    for (const t of triggers) {
      const branch = (op: string, statements: string[]) =>
        statements.length ? `IF TG_OP = '${op}' THEN ${statements.join(';\n')}; END IF;` : '';
      // Each branch names only the transition tables its event has (they are planned when first run).
      await q.query(`
        CREATE FUNCTION stats_mark_${t.table}() RETURNS trigger
          LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
          ${branch('INSERT', t.insert)}
          ${branch('UPDATE', t.update)}
          ${branch('DELETE', t.delete)}
          RETURN NULL;
        END $$`);
      // A trigger with transition tables has one event: one trigger per event.
      if (t.insert.length)
        await q.query(`CREATE TRIGGER stats_mark_insert AFTER INSERT ON ${t.table}
          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_${t.table}()`);
      if (t.update.length)
        await q.query(`CREATE TRIGGER stats_mark_update AFTER UPDATE ON ${t.table}
          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_${t.table}()`);
      if (t.delete.length)
        await q.query(`CREATE TRIGGER stats_mark_delete AFTER DELETE ON ${t.table}
          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_${t.table}()`);
    }

    // Requests read the figures; only the job (the owner) and the definer triggers write them.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE ALL ON stats_dirty FROM mitroa_app;
          REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON stats_people, stats_households, stats_enrolments, stats_referrals FROM mitroa_app;
          GRANT SELECT ON stats_people, stats_households, stats_enrolments, stats_referrals TO mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TRIGGER_TABLES) {
      for (const event of ['insert', 'update', 'delete'])
        await q.query(`DROP TRIGGER IF EXISTS stats_mark_${event} ON ${t}`);
      await q.query(`DROP FUNCTION IF EXISTS stats_mark_${t}()`);
    }
    await q.query(`DROP INDEX IF EXISTS referral_from_created_idx`);
    await q.query(`DROP INDEX IF EXISTS enrolment_applied_idx`);
    await q.query(`DROP INDEX IF EXISTS household_municipality_created_idx`);
    await q.query(`DROP INDEX IF EXISTS person_municipality_created_idx`);
    await q.query(`DROP TABLE IF EXISTS stats_dirty`);
    await q.query(`
      ALTER TABLE statistics_refresh DROP COLUMN rebuild_needed, DROP COLUMN slices, DROP COLUMN calendar_day, DROP COLUMN changed_at`);
    // The views of 1764550000000 are made again by reverting it and applying it anew; here the
    // tables go, so that its down finds nothing of ours.
    for (const measure of MEASURES) await q.query(`DROP TABLE IF EXISTS ${measure}`);
    await q.query(`DROP TABLE IF EXISTS statistics_refresh`);
    await new Statistics1764550000000().up(q);
  }
}

const MEASURES = ['stats_people', 'stats_households', 'stats_enrolments', 'stats_referrals'];
const TRIGGER_TABLES = [
  'person',
  'person_group',
  'household',
  'household_member',
  'enrolment',
  'programme',
  'referral',
  'provider',
];
