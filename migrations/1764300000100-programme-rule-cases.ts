import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rules as data (issue 11): a programme's eligibility rule is JSON Logic (docs/entitlements.md
 * "Rules"), and test cases are stored with it and run on every save. A case's facts describe a
 * made-up person (plain values, no identity), so the table holds no personal data and needs no
 * row-level security: programmes and their cases are public information.
 *
 * Rules in the former home-made grammar ({ all, any, not, fact, op }) cannot be evaluated and are
 * cleared; the demo seeder writes the new rules with their cases, and a region re-enters its own.
 */
export class ProgrammeRuleCases1764300000100 implements MigrationInterface {
  name = 'ProgrammeRuleCases1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE programme_rule_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        position integer NOT NULL CHECK (position >= 0),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        as_of date NOT NULL,
        facts jsonb NOT NULL CHECK (jsonb_typeof(facts) = 'object'),
        expected_outcome text NOT NULL CHECK (expected_outcome IN ('ELIGIBLE', 'NOT_ELIGIBLE', 'CANNOT_TELL')),
        expected_amount numeric(14, 2),
        CONSTRAINT programme_rule_case_name_uq UNIQUE (programme_id, name)
      )`);
    await q.query(
      `UPDATE programme SET eligibility_rule = NULL
        WHERE eligibility_rule IS NOT NULL AND NOT (eligibility_rule ? 'criteria')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Cleared old-grammar rules are not restored: the old grammar is gone from the code too.
    await q.query(`DROP TABLE programme_rule_case`);
  }
}
