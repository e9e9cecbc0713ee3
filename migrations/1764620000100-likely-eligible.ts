import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People likely eligible but not enrolled, per municipality x programme (issue 14,
 * docs/statistics.md "Likely eligible, not enrolled"). A table, not a materialized view: the
 * eligibility rules are compiled to JavaScript (src/eligibility/rules), so the counts are computed
 * by LikelyEligibleService.refresh() over every person's facts and written here whole, replacing
 * the previous run in one transaction. Only the worker (the owner) writes it.
 */
export class LikelyEligible1764620000100 implements MigrationInterface {
  name = 'LikelyEligible1764620000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stats_likely_eligible (
        municipality_code text NOT NULL REFERENCES municipality (code),
        programme_id uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        programme_code text NOT NULL,
        -- the programme concerns Art. 9 data (targets Roma or disabled people, or its rule reads such facts)
        special boolean NOT NULL,
        -- active people of the municipality the programme reaches, evaluated
        evaluated integer NOT NULL CHECK (evaluated >= 0),
        eligible integer NOT NULL CHECK (eligible >= 0),
        eligible_not_enrolled integer NOT NULL CHECK (eligible_not_enrolled BETWEEN 0 AND eligible),
        cannot_tell integer NOT NULL CHECK (cannot_tell >= 0),
        as_of date NOT NULL,
        PRIMARY KEY (municipality_code, programme_id)
      )`);
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON stats_likely_eligible FROM mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM statistics_refresh WHERE view_name = 'stats_likely_eligible'`);
    await q.query(`DROP TABLE IF EXISTS stats_likely_eligible`);
  }
}
