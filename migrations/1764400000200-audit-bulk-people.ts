import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A bulk read (an outreach list) is one audit row, but a person still has the right to learn that
 * their data was in it: the row keeps the ids of the people the page returned, and a person's
 * audit trail (`subjectId`) finds it through the GIN index.
 */
export class AuditBulkPeople1764400000200 implements MigrationInterface {
  name = 'AuditBulkPeople1764400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN person_ids uuid[]`);
    await q.query(
      `CREATE INDEX audit_event_person_ids_idx ON audit_event USING gin (person_ids) WHERE person_ids IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_event_person_ids_idx`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN person_ids`);
  }
}
