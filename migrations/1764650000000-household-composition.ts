import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Households by composition (issue 14): `stats_households` gains the `composition` breakdown
 * (adults and minors among the current members, src/statistics/statistics.queries.ts). The table
 * holds (dim, key, n) rows, so its shape stays; what changes is what marks a household's slice:
 *
 * - a member's birth date corrected (they may become an adult or a minor);
 * - a membership moved to another person (a merge of duplicates repoints it to the survivor, whose
 *   age may differ).
 *
 * Coming of age with the calendar is marked by the refresh (MARK_CALENDAR). The first refresh
 * after this migration recounts the households whole (`rebuild_needed`), so that every slice has
 * its composition rows.
 */
export class HouseholdComposition1764650000000 implements MigrationInterface {
  name = 'HouseholdComposition1764650000000';

  async up(q: QueryRunner): Promise<void> {
    const month = `date_trunc('month', h.created_at AT TIME ZONE 'Europe/Athens')::date`;
    // SECURITY DEFINER like the triggers of 1764600000000: marked whoever writes, in a table requests cannot.
    await q.query(`
      CREATE FUNCTION stats_mark_person_households() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO stats_dirty (measure, municipality_code, month)
        SELECT DISTINCT 'households', h.municipality_code, ${month}
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          JOIN household_member m ON m.person_id = n.id AND m.left_on IS NULL
          JOIN household h ON h.id = m.household_id
         WHERE o.birth_date IS DISTINCT FROM n.birth_date;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER stats_mark_households_update AFTER UPDATE ON person
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_person_households()`);
    await q.query(`
      CREATE FUNCTION stats_mark_member_person() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO stats_dirty (measure, municipality_code, month)
        SELECT DISTINCT 'households', h.municipality_code, ${month}
          FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN household h ON h.id = n.household_id
         WHERE o.person_id IS DISTINCT FROM n.person_id AND n.left_on IS NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER stats_mark_person_update AFTER UPDATE ON household_member
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_member_person()`);
    await q.query(`UPDATE statistics_refresh SET rebuild_needed = true WHERE view_name = 'stats_households'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS stats_mark_person_update ON household_member`);
    await q.query(`DROP FUNCTION IF EXISTS stats_mark_member_person()`);
    await q.query(`DROP TRIGGER IF EXISTS stats_mark_households_update ON person`);
    await q.query(`DROP FUNCTION IF EXISTS stats_mark_person_households()`);
    // The figures as the code before this migration counts them: no composition.
    await q.query(`DELETE FROM stats_households WHERE dim = 'composition'`);
  }
}
