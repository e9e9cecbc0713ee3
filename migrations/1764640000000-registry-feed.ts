import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PERSON_KEY_FUNCTIONS, personKeyFunctionsSql } from '../src/beneficiaries/person-keys.sql.js';

/**
 * The REGISTRY feed (issue 13): a centre's existing records loaded set-based, with the registry's
 * invariants held in the database (rule 19). docs/imports.md, "The REGISTRY feed".
 *
 * - The SQL twins of person-keys.ts (src/beneficiaries/person-keys.sql.ts): a person's Latin names
 *   and search keys, computed as a registration computes them.
 * - `import_job.area`: the municipalities a REGISTRY import is for (a centre's area); its rows
 *   must name one of them, and it changes no one registered elsewhere.
 * - `import_staging_registry`: UNLOGGED staging of the feed's fields, with what validation adds
 *   (the people its identifiers name, the keys of its names).
 * - `import_person_origin`: the person each import line created, unique per (job, line): a line is
 *   never made into a person twice, whatever happens to the job.
 * - `import_registry_next`, `import_registry_merge`, `import_registry_preview`: the set-based merge of
 *   a range of lines (people updated with their history rows, people created with theirs, likely
 *   duplicates of both queued in duplicate_review by the rule of a registration), and its dry run.
 *   Run by the import job as the service's own user; no request role may call them.
 */
const STAGING_COLUMNS = [
  'afm',
  'amka',
  'given_name',
  'surname',
  'father_name',
  'mother_name',
  'birth_date',
  'gender',
  'municipality',
  'phone',
  'address',
  'external_id',
];

/** The person columns an import row may change, compared to tell updated from unchanged. */
const COMPARED = [
  'given_name',
  'surname',
  'father_name',
  'mother_name',
  'given_name_latin',
  'surname_latin',
  'birth_date',
  'gender',
  'afm',
  'amka',
  'municipality_code',
  'phone',
  'address',
];

const NATIONAL = `current_setting('mitroa.area', true) = '*'`;

export class RegistryFeed1764640000000 implements MigrationInterface {
  name = 'RegistryFeed1764640000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of personKeyFunctionsSql()) await q.query(sql);

    await q.query(`ALTER TABLE import_job ADD COLUMN area text[]`);
    await q.query(`
      CREATE UNLOGGED TABLE import_staging_registry (
        job_id uuid NOT NULL,
        line int NOT NULL,
        rejected boolean NOT NULL DEFAULT false,
        ${STAGING_COLUMNS.map((c) => `${c} text`).join(', ')},
        -- The people the row's AMKA and AFM name; person_id, the one it updates.
        amka_person uuid,
        afm_person uuid,
        person_id uuid,
        -- Computed in validation by the SQL twins of person-keys.ts.
        given_name_latin text,
        surname_latin text,
        name_key text,
        phonetic_key text,
        -- NULL: to merge; DUPLICATE (in the file) or LIKELY_DUPLICATE (held) after validation.
        outcome text,
        group_end int,
        PRIMARY KEY (job_id, line)
      )`);
    await q.query(
      `CREATE INDEX import_staging_registry_group_idx ON import_staging_registry (job_id, group_end) WHERE outcome IS NULL AND NOT rejected`,
    );
    await q.query(`
      CREATE TABLE import_person_origin (
        job_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
        line int NOT NULL,
        person_id uuid NOT NULL REFERENCES person (id),
        PRIMARY KEY (job_id, line)
      )`);
    await q.query(`CREATE INDEX import_person_origin_person_idx ON import_person_origin (person_id)`);

    // The values a matched line would leave on its person; `changed` names the columns that differ.
    // Optional fields left empty keep what is recorded; a Latin name follows a changed Greek one by
    // ELOT 743 and is otherwise kept (staff may have corrected it).
    await q.query(`
      CREATE FUNCTION import_registry_next(p_job uuid, p_from int, p_to int)
        RETURNS TABLE (line int, person_id uuid, given_name text, surname text, father_name text, mother_name text,
                       given_name_latin text, surname_latin text, birth_date date, gender text, afm text, amka text,
                       municipality_code text, phone text, address text, changed text[])
        LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
          SELECT n.*, ARRAY(SELECT c FROM unnest(ARRAY['${COMPARED.join("','")}']) AS c
                             WHERE to_jsonb(n) -> c IS DISTINCT FROM to_jsonb(p) -> c) AS changed
            FROM (
              SELECT s.line, p.id AS person_id, s.given_name, s.surname,
                     coalesce(s.father_name, p.father_name) AS father_name,
                     coalesce(s.mother_name, p.mother_name) AS mother_name,
                     CASE WHEN s.given_name = p.given_name THEN p.given_name_latin ELSE s.given_name_latin END AS given_name_latin,
                     CASE WHEN s.surname = p.surname THEN p.surname_latin ELSE s.surname_latin END AS surname_latin,
                     s.birth_date::date AS birth_date, coalesce(s.gender, p.gender) AS gender,
                     coalesce(s.afm, p.afm) AS afm, coalesce(s.amka, p.amka) AS amka,
                     s.municipality AS municipality_code, coalesce(s.phone, p.phone) AS phone,
                     coalesce(s.address, p.address) AS address
                FROM import_staging_registry s JOIN person p ON p.id = s.person_id
               WHERE s.job_id = p_job AND NOT s.rejected AND s.outcome IS NULL
                 AND s.group_end > p_from AND s.group_end <= p_to) n
            JOIN person p ON p.id = n.person_id
        $$`);

    await q.query(`
      CREATE FUNCTION import_registry_merge(p_job uuid, p_from int, p_to int, p_source text, p_actor text,
                                            p_similarity real, p_per_side int)
        RETURNS TABLE (created int, updated int, unchanged int, queued int, conflicts int)
        LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
        DECLARE
          v_area text[] := (SELECT j.area FROM import_job j WHERE j.id = p_job);
          v_matched int;
          v_updated int;
          v_created int;
          v_conflicts int;
          v_queued int;
          v_renamed uuid[];
          v_moved uuid[];
          v_new uuid[];
        BEGIN
          SELECT count(*) INTO v_matched FROM import_staging_registry s
           WHERE s.job_id = p_job AND NOT s.rejected AND s.outcome IS NULL AND s.person_id IS NOT NULL
             AND s.group_end > p_from AND s.group_end <= p_to;

          -- People matched by AFM/AMKA whose record differs: updated, each with its history row.
          WITH n AS (SELECT * FROM import_registry_next(p_job, p_from, p_to) x WHERE cardinality(x.changed) > 0),
          u AS (
            UPDATE person p
               SET given_name = n.given_name, surname = n.surname, father_name = n.father_name,
                   mother_name = n.mother_name, given_name_latin = n.given_name_latin,
                   surname_latin = n.surname_latin, birth_date = n.birth_date, gender = n.gender, afm = n.afm,
                   amka = n.amka, municipality_code = n.municipality_code, phone = n.phone, address = n.address,
                   name_key = k.name_key, phonetic_key = k.phonetic_key, version = p.version + 1,
                   updated_at = now(), updated_by = p_actor
              FROM n JOIN person o ON o.id = n.person_id
                   CROSS JOIN LATERAL person_name_keys(n.given_name, n.surname, n.given_name_latin, n.surname_latin) k
             WHERE p.id = n.person_id
            RETURNING p.id, to_jsonb(p) AS after, to_jsonb(o) AS before, n.changed),
          h AS (
            INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
            SELECT u.id, p_actor, 'UPDATED', (SELECT jsonb_object_agg(c, u.before -> c) FROM unnest(u.changed) AS c),
                   u.after - 'name_key' - 'phonetic_key'
              FROM u)
          SELECT count(*)::int,
                 coalesce(array_agg(u.id) FILTER (WHERE u.changed && ARRAY['given_name', 'surname', 'given_name_latin',
                                                                         'surname_latin', 'birth_date']), '{}'),
                 coalesce(array_agg(u.id) FILTER (WHERE 'municipality_code' = ANY (u.changed)), '{}')
            INTO v_updated, v_renamed, v_moved FROM u;

          -- A person moved to another municipality of the area leaves a current household of the
          -- old one, as a hand-over does (BeneficiaryService.move).
          IF cardinality(v_moved) > 0 THEN
            UPDATE household_member hm SET left_on = (now() AT TIME ZONE 'Europe/Athens')::date
              FROM household h, person p
             WHERE h.id = hm.household_id AND p.id = hm.person_id AND hm.person_id = ANY (v_moved)
               AND hm.left_on IS NULL AND h.municipality_code <> p.municipality_code;
          END IF;

          -- New people: one per line, pre-numbered so that the line's origin row names its person.
          WITH nr AS MATERIALIZED (
            SELECT gen_random_uuid() AS id, s.* FROM import_staging_registry s
             WHERE s.job_id = p_job AND NOT s.rejected AND s.outcome IS NULL AND s.person_id IS NULL
               AND s.group_end > p_from AND s.group_end <= p_to
               AND NOT EXISTS (SELECT 1 FROM import_person_origin o WHERE o.job_id = p_job AND o.line = s.line)),
          ins AS (
            INSERT INTO person (id, municipality_code, given_name, surname, father_name, mother_name, given_name_latin,
                                surname_latin, birth_date, gender, afm, amka, phone, address, name_key, phonetic_key,
                                created_by, updated_by)
            SELECT nr.id, nr.municipality, nr.given_name, nr.surname, nr.father_name, nr.mother_name,
                   nr.given_name_latin, nr.surname_latin, nr.birth_date::date, coalesce(nr.gender, 'UNKNOWN'),
                   nr.afm, nr.amka, nr.phone, nr.address, nr.name_key, nr.phonetic_key, p_actor, p_actor
              FROM nr
            ON CONFLICT DO NOTHING
            RETURNING *),
          origin AS (
            INSERT INTO import_person_origin (job_id, line, person_id)
            SELECT p_job, nr.line, nr.id FROM nr JOIN ins ON ins.id = nr.id),
          h AS (
            INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
            SELECT ins.id, p_actor, 'CREATED', NULL, to_jsonb(ins) - 'name_key' - 'phonetic_key' FROM ins),
          -- Registered by someone else since validation (an AFM or AMKA now taken): not created, reported.
          lost AS (
            INSERT INTO import_row_problem (job_id, line, field, code, message)
            SELECT p_job, nr.line, NULL, 'IDENTIFIER_CONFLICT',
                   'Someone registered this AFM or AMKA while the import ran: the row was not imported.'
              FROM nr WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.id = nr.id)
            RETURNING 1)
          SELECT (SELECT count(*)::int FROM ins), (SELECT count(*)::int FROM lost),
                 coalesce((SELECT array_agg(ins.id) FROM ins), '{}')
            INTO v_created, v_conflicts, v_new;
          IF v_conflicts > 0 THEN
            UPDATE import_job SET rows_rejected = rows_rejected + v_conflicts WHERE id = p_job;
          END IF;

          -- Likely duplicates of the people created or renamed, by the rule of a registration
          -- (queue_likely_duplicates): born the same day, names alike, the best p_per_side in the
          -- import's area and as many elsewhere.
          WITH me AS (SELECT p.id, p.birth_date, p.phonetic_key FROM person p WHERE p.id = ANY (v_renamed || v_new)),
          found AS (
            SELECT me.id AS me, q.id, round(similarity(q.phonetic_key, me.phonetic_key)::numeric, 2) AS s,
                   q.municipality_code = ANY (v_area) AS in_area
              FROM me JOIN person q ON q.birth_date = me.birth_date AND q.id <> me.id AND q.status = 'ACTIVE'
             WHERE similarity(q.phonetic_key, me.phonetic_key) >= p_similarity),
          best AS (
            SELECT r.* FROM (
              SELECT found.*, row_number() OVER (PARTITION BY found.me, found.in_area ORDER BY found.s DESC, found.id) AS rank
                FROM found) r
             WHERE r.rank <= p_per_side)
          INSERT INTO duplicate_review (person_a, person_b, reason)
          SELECT DISTINCT ON (least(best.me, best.id), greatest(best.me, best.id))
                 least(best.me, best.id), greatest(best.me, best.id),
                 'same birth date, names ' || (best.s * 100)::int || '% alike'
            FROM best
           ORDER BY least(best.me, best.id), greatest(best.me, best.id), best.s DESC
          ON CONFLICT (person_a, person_b) DO NOTHING;
          GET DIAGNOSTICS v_queued = ROW_COUNT;

          RETURN QUERY SELECT v_created, v_updated, v_matched - v_updated, v_queued, v_conflicts;
        END
        $$`);

    // The dry run of lines p_from < line <= p_to: the counts and up to 20 sample differences.
    await q.query(`
      CREATE FUNCTION import_registry_preview(p_job uuid, p_from int, p_to int, p_source text)
        RETURNS TABLE (created int, updated int, unchanged int, samples jsonb)
        LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
          WITH n AS MATERIALIZED (SELECT * FROM import_registry_next(p_job, p_from, p_to)),
          fresh AS MATERIALIZED (
            SELECT s.line, s.given_name || ' ' || s.surname || ', ' || s.birth_date || ', ' || s.municipality AS person
              FROM import_staging_registry s
             WHERE s.job_id = p_job AND NOT s.rejected AND s.outcome IS NULL AND s.person_id IS NULL
               AND s.group_end > p_from AND s.group_end <= p_to),
          diffs AS (
            SELECT fresh.line, 'person' AS fact, 'NEW' AS change, NULL::text AS "oldValue", fresh.person AS "newValue"
              FROM fresh
            UNION ALL
            SELECT n.line, c, 'CHANGED', to_jsonb(p) ->> c, to_jsonb(n) ->> c
              FROM n JOIN person p ON p.id = n.person_id CROSS JOIN LATERAL unnest(n.changed) AS c)
          SELECT (SELECT count(*)::int FROM fresh),
                 (SELECT count(*)::int FROM n WHERE cardinality(n.changed) > 0),
                 (SELECT count(*)::int FROM n WHERE cardinality(n.changed) = 0),
                 (SELECT coalesce(jsonb_agg(x ORDER BY x.line, x.fact), '[]'::jsonb)
                    FROM (SELECT * FROM diffs ORDER BY line, fact LIMIT 20) x)
        $$`);

    for (const fn of [
      'import_registry_next(uuid, int, int)',
      'import_registry_merge(uuid, int, int, text, text, real, int)',
      'import_registry_preview(uuid, int, int, text)',
    ])
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);

    await q.query(`ALTER TABLE import_staging_registry ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE import_person_origin ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY national_only ON import_person_origin USING (${NATIONAL}) WITH CHECK (${NATIONAL})`,
    );
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE ALL ON import_staging_registry FROM mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION import_registry_preview(uuid, int, int, text)`);
    await q.query(`DROP FUNCTION import_registry_merge(uuid, int, int, text, text, real, int)`);
    await q.query(`DROP FUNCTION import_registry_next(uuid, int, int)`);
    await q.query(`DROP TABLE import_person_origin`);
    await q.query(`DROP TABLE import_staging_registry`);
    await q.query(`ALTER TABLE import_job DROP COLUMN area`);
    for (const fn of [...PERSON_KEY_FUNCTIONS].reverse()) await q.query(`DROP FUNCTION ${fn}`);
  }
}
