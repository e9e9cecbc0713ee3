import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The entitlement result at the moment a person was enrolled (outcome, criteria explained, amount,
 * the day it was evaluated for), kept with the enrolment: what the registry answered then, even
 * after facts, rules or parameters change. Enrolments made before this column have none (NULL).
 * The row's existing area policies (row-level security on enrolment) cover the new column.
 */
export class EnrolmentEntitlement1764300000200 implements MigrationInterface {
  name = 'EnrolmentEntitlement1764300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrolment ADD COLUMN entitlement_at_enrolment jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrolment DROP COLUMN entitlement_at_enrolment`);
  }
}
