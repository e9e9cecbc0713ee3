import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row-level security on every table holding personal data, as defence in depth under the
 * application's own area filter (rule 20). Each request's transaction sets `mitroa.area` with
 * set_config(..., true) (TransactionService): `*` for the whole country, else an array literal of
 * municipality codes. With no area set a query sees no one.
 *
 * Policies bind the role requests run as (mitroa_app); the migration owner is not subject to them,
 * so migrations, the demo seeder and bulk loads are unaffected. Reads, updates and deletes see only
 * the caller's area; children (groups, consents, facts, history, enrolments, ...) follow their person
 * because their policy reads `person`, whose own policy applies inside it. Inserts into child tables
 * and the new row of an update are not restricted: a move to another municipality and a review pair
 * across areas are legitimate writes, checked by the services.
 *
 * A hand-over moves a person out of the caller's area, after which they can no longer read the row
 * back; move_person does the update and its history row in one definer function that first checks
 * the person is in the caller's area.
 *
 * Two questions need an answer across areas without showing anyone of another area: "does anyone
 * hold this AFM/AMKA?" (a second record must not be made) and "who may be this person?" (likely
 * duplicates, queued for national review). They are SECURITY DEFINER functions that return ids and
 * municipality codes only.
 */
const PERSON_CHILDREN = [
  'person_group',
  'esf_participant',
  'consent',
  'person_fact',
  'person_history',
  'enrolment',
];
const ALL = ['person', 'household', 'household_member', 'duplicate_review', ...PERSON_CHILDREN];

export class RowSecurity1764100000000 implements MigrationInterface {
  name = 'RowSecurity1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION mitroa_in_area(code text) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT CASE coalesce(current_setting('mitroa.area', true), '')
                   WHEN '' THEN false
                   WHEN '*' THEN true
                   ELSE code = ANY (current_setting('mitroa.area', true)::text[])
                 END
        $$`);

    for (const table of ALL) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    }
    for (const table of ['person', 'household']) {
      await q.query(
        `CREATE POLICY area_read ON ${table} FOR SELECT USING (mitroa_in_area(municipality_code))`,
      );
      await q.query(
        `CREATE POLICY area_insert ON ${table} FOR INSERT WITH CHECK (mitroa_in_area(municipality_code))`,
      );
      await q.query(
        `CREATE POLICY area_update ON ${table} FOR UPDATE USING (mitroa_in_area(municipality_code)) WITH CHECK (true)`,
      );
      await q.query(
        `CREATE POLICY area_delete ON ${table} FOR DELETE USING (mitroa_in_area(municipality_code))`,
      );
    }
    const visible: Record<string, string> = {
      household_member: `EXISTS (SELECT 1 FROM household h WHERE h.id = household_id)`,
      duplicate_review: `EXISTS (SELECT 1 FROM person a WHERE a.id = person_a) AND EXISTS (SELECT 1 FROM person b WHERE b.id = person_b)`,
      ...Object.fromEntries(
        PERSON_CHILDREN.map((t) => [t, `EXISTS (SELECT 1 FROM person p WHERE p.id = person_id)`]),
      ),
    };
    for (const [table, predicate] of Object.entries(visible)) {
      await q.query(`CREATE POLICY area_read ON ${table} FOR SELECT USING (${predicate})`);
      await q.query(`CREATE POLICY area_insert ON ${table} FOR INSERT WITH CHECK (true)`);
      await q.query(
        `CREATE POLICY area_update ON ${table} FOR UPDATE USING (${predicate}) WITH CHECK (true)`,
      );
      await q.query(`CREATE POLICY area_delete ON ${table} FOR DELETE USING (${predicate})`);
    }

    // Across areas: who holds an identifier (id and municipality only), for duplicate prevention.
    await q.query(`
      CREATE FUNCTION person_holding_identifier(p_afm text, p_amka text, p_except uuid)
        RETURNS TABLE (id uuid, municipality_code text, amka_matches boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          SELECT p.id, p.municipality_code, (p.amka = p_amka) AS amka_matches
            FROM person p
           WHERE p.status <> 'MERGED' AND p.id IS DISTINCT FROM p_except
             AND ((p.afm = p_afm AND p_afm IS NOT NULL) OR (p.amka = p_amka AND p_amka IS NOT NULL))
           ORDER BY (p.amka = p_amka) DESC NULLS LAST
           LIMIT 1
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION person_holding_identifier(text, text, uuid) FROM PUBLIC`);

    // Across areas: queues the best likely duplicates of a person of the caller's own area, at most
    // p_per_side in the caller's area and as many elsewhere (those go to national review), and
    // answers how many are in the caller's area. Nothing about anyone else leaves the function.
    await q.query(`
      CREATE FUNCTION queue_likely_duplicates(p_person uuid, p_similarity real, p_per_side int)
        RETURNS int
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          WITH me AS (
            SELECT id, birth_date, phonetic_key FROM person
             WHERE id = p_person AND mitroa_in_area(municipality_code)),
          found AS (
            SELECT q.id, round(similarity(q.phonetic_key, me.phonetic_key)::numeric, 2) AS s,
                   mitroa_in_area(q.municipality_code) AS in_area
              FROM person q, me
             WHERE q.birth_date = me.birth_date AND q.id <> me.id AND q.status = 'ACTIVE'
               AND similarity(q.phonetic_key, me.phonetic_key) >= p_similarity),
          best AS (
            SELECT id, s, in_area FROM (
              SELECT found.*, row_number() OVER (PARTITION BY in_area ORDER BY s DESC, id) AS rank FROM found) ranked
             WHERE rank <= p_per_side),
          queued AS (
            INSERT INTO duplicate_review (person_a, person_b, reason)
            SELECT least(best.id, p_person), greatest(best.id, p_person),
                   'same birth date, names ' || (best.s * 100)::int || '% alike'
              FROM best
            ON CONFLICT (person_a, person_b) DO NOTHING)
          SELECT count(*)::int FROM best WHERE in_area
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION queue_likely_duplicates(uuid, real, int) FROM PUBLIC`);

    await q.query(`
      CREATE FUNCTION move_person(p_id uuid, p_to text, p_address text, p_actor text, p_old jsonb)
        RETURNS timestamptz
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE moved person;
        BEGIN
          UPDATE person SET municipality_code = p_to, address = p_address, version = version + 1,
                            updated_at = now(), updated_by = p_actor
           WHERE id = p_id AND status = 'ACTIVE' AND mitroa_in_area(municipality_code)
          RETURNING * INTO moved;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'person % is not an active person of the caller''s area', p_id USING ERRCODE = 'P0002';
          END IF;
          INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
          VALUES (p_id, p_actor, 'MOVED', p_old, to_jsonb(moved) - 'name_key' - 'phonetic_key');
          RETURN moved.updated_at;
        END
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION move_person(uuid, text, text, text, jsonb) FROM PUBLIC`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          GRANT EXECUTE ON FUNCTION person_holding_identifier(text, text, uuid) TO mitroa_app;
          GRANT EXECUTE ON FUNCTION move_person(uuid, text, text, text, jsonb) TO mitroa_app;
          GRANT EXECUTE ON FUNCTION queue_likely_duplicates(uuid, real, int) TO mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION queue_likely_duplicates(uuid, real, int)`);
    await q.query(`DROP FUNCTION move_person(uuid, text, text, text, jsonb)`);
    await q.query(`DROP FUNCTION person_holding_identifier(text, text, uuid)`);
    for (const table of ALL) {
      for (const policy of ['area_read', 'area_insert', 'area_update', 'area_delete'])
        await q.query(`DROP POLICY ${policy} ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(`DROP FUNCTION mitroa_in_area(text)`);
  }
}
