import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a programme is special-category (GDPR Art. 9, rule 17), decided once, by the database.
 *
 * The entitlements module held a programme special when its target groups are ROMA or DISABILITY
 * **or its eligibility rule reads a special-category fact or names such a group**; enrolments,
 * referrals and the statistics looked at the target groups only. So a programme for
 * ALL_RESIDENTS whose rule asks for a KEPA disability percentage was withheld from entitlements,
 * yet a receptionist without special_category could enrol people in it, list its enrolments and
 * read the explanation kept with each ("Certified disability percentage 80% ≥ limit 67%").
 *
 * `programme.special_category` is set from both by a trigger on every write, so every writer (the
 * API, the demo seeder, a bulk load) gets it, and every reader filters on the one column. The rule is searched for any
 * string equal to a special-category fact or group code: a little wider than what the compiled
 * rule reads, never narrower (test/attack-scope.e2e-spec.ts checks it against prepareProgramme
 * and against the catalogue, so a new special-category fact without a migration fails).
 *
 * A referral's own `special_category` (fixed when it was made) now follows its target: existing
 * referrals are marked, and a programme or a provider service that becomes special-category marks
 * its referrals (an update never unmarks one: what was shared as Art. 9 data stays so). The
 * enrolment figures are recounted on the next refresh.
 */
const SPECIAL_CODES = ['ROMA', 'DISABILITY'];
const SPECIAL_FACTS = ['disability_percentage', 'self_sufficient'];

const RULE_PATH = `strict $.** ? (${[...SPECIAL_CODES, ...SPECIAL_FACTS].map((s) => `@ == "${s}"`).join(' || ')})`;
const CODES = `ARRAY[${SPECIAL_CODES.map((c) => `'${c}'`).join(', ')}]::text[]`;

export class SpecialCategoryProgrammes1764700000000 implements MigrationInterface {
  name = 'SpecialCategoryProgrammes1764700000000';

  async up(q: QueryRunner): Promise<void> {
    // A function and a trigger rather than a generated column: TypeORM's schema reader (the
    // migrations test compares entities with the database) cannot read generated columns.
    await q.query(`
      CREATE FUNCTION programme_is_special_category(p_target_groups text[], p_rule jsonb) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT p_target_groups && ${CODES}
                 OR coalesce(jsonb_path_exists(p_rule, '${RULE_PATH}'), false)
        $$`);
    await q.query(`
      CREATE FUNCTION programme_set_special_category() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.special_category := programme_is_special_category(NEW.target_groups, NEW.eligibility_rule);
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE programme ADD COLUMN special_category boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE TRIGGER programme_special_category_set BEFORE INSERT OR UPDATE ON programme
      FOR EACH ROW EXECUTE FUNCTION programme_set_special_category()`);
    await q.query(
      `UPDATE programme SET special_category = programme_is_special_category(target_groups, eligibility_rule)`,
    );
    await q.query(`
      UPDATE referral r SET special_category = true
       WHERE NOT r.special_category
         AND (EXISTS (SELECT 1 FROM programme g WHERE g.id = r.programme_id AND g.special_category)
              OR EXISTS (SELECT 1 FROM provider_service s WHERE s.id = r.provider_service_id
                          AND s.target_groups && ${CODES}))`);
    // SECURITY DEFINER: the referrals of a programme lie in areas the editor may not see (row
    // security would skip them silently), and requests may not update referrals they do not hold.
    await q.query(`
      CREATE FUNCTION referral_follow_target_sensitivity() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_TABLE_NAME = 'programme' THEN
          IF NEW.special_category AND NOT OLD.special_category THEN
            UPDATE referral SET special_category = true WHERE programme_id = NEW.id AND NOT special_category;
          END IF;
        ELSIF NEW.target_groups && ${CODES} AND NOT OLD.target_groups && ${CODES} THEN
          UPDATE referral SET special_category = true WHERE provider_service_id = NEW.id AND NOT special_category;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER programme_special_category AFTER UPDATE ON programme
      FOR EACH ROW EXECUTE FUNCTION referral_follow_target_sensitivity()`);
    await q.query(`CREATE TRIGGER provider_service_special_category AFTER UPDATE OF target_groups ON provider_service
      FOR EACH ROW EXECUTE FUNCTION referral_follow_target_sensitivity()`);
    // The enrolment figures label each enrolment with its programme's special_category now: a change
    // of it (by target groups or by rule) marks that programme's slices, as a change of code does.
    await q.query(
      programmeStatsMark('(o.code, o.special_category) IS DISTINCT FROM (n.code, n.special_category)'),
    );
    await q.query(`UPDATE statistics_refresh SET rebuild_needed = true WHERE view_name = 'stats_enrolments'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(programmeStatsMark('(o.code, o.target_groups) IS DISTINCT FROM (n.code, n.target_groups)'));
    await q.query(`DROP TRIGGER provider_service_special_category ON provider_service`);
    await q.query(`DROP TRIGGER programme_special_category ON programme`);
    await q.query(`DROP FUNCTION referral_follow_target_sensitivity()`);
    await q.query(`DROP TRIGGER programme_special_category_set ON programme`);
    await q.query(`ALTER TABLE programme DROP COLUMN special_category`);
    await q.query(`DROP FUNCTION programme_set_special_category()`);
    await q.query(`DROP FUNCTION programme_is_special_category(text[], jsonb)`);
    await q.query(`UPDATE statistics_refresh SET rebuild_needed = true WHERE view_name = 'stats_enrolments'`);
  }
}

/**
 * stats_mark_programme() of migration 1764600000000 (statistics-incremental), marking the enrolment
 * slices of the programmes whose rows differ by `changed`.
 */
function programmeStatsMark(changed: string): string {
  return `
    CREATE OR REPLACE FUNCTION stats_mark_programme() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        INSERT INTO stats_dirty (measure, municipality_code, month)
        SELECT DISTINCT 'enrolments', s.code, s.month FROM (
          SELECT p.municipality_code, date_trunc('month', e.applied_on)::date
            FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN enrolment e ON e.programme_id = n.id
            JOIN person p ON p.id = e.person_id
           WHERE ${changed}) s(code, month);
      END IF;
      RETURN NULL;
    END $$`;
}
