import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One view of a person's facts as of a date (issue 11).
 *
 * `person_fact` now holds every recorded (non-derived) fact of the catalogue
 * (src/eligibility/contracts.ts, FACT_CATALOGUE) under its catalogue name in `kind`, with how it
 * came to be known (`basis`: FEED > DOCUMENT > STAFF > SELF_DECLARED), one value column per type
 * (exactly one is set, and the one the catalogue's type names), who recorded it, the document seen,
 * a note, and the feed import that wrote it. The lists below are the catalogue as of this
 * migration: a new recorded fact needs a migration that widens them.
 *
 * The four old kinds become catalogue names: HOUSEHOLD_INCOME -> household_income_annual (tax year
 * kept), INSURANCE_STATUS -> insured (true for INSURED/ACTIVE/YES/TRUE/1 or a positive number),
 * DISABILITY_PERCENTAGE -> disability_percentage, UNEMPLOYMENT_REGISTRATION -> unemployed = true
 * valid from the registration start (valid_from, else as_of); the view derives the months
 * registered from that start when no unemployment_months is recorded. Existing rows came from
 * feeds: basis FEED.
 *
 * The natural key of feed rows (person, fact, source, tax year, as-of) stays unique for the
 * imports' ON CONFLICT; declarations and documents are kept as they come (the newest wins).
 *
 * `person_fact_values(...)` and `person_facts(...)` compute the facts of many people at once (rule 19).
 */
const RECORDED: Record<'number' | 'boolean' | 'string' | 'list', string[]> = {
  number: [
    'household_income_annual',
    'household_income_last_6_months',
    'real_estate_value',
    'vehicle_value',
    'deposits_value',
    'disability_percentage',
    'unemployment_months',
    'pension_amount',
    'monthly_rent',
  ],
  boolean: [
    'unemployed',
    'insured',
    'receives_pension',
    'has_active_lease',
    'legal_residence',
    'lives_alone',
    'self_sufficient',
  ],
  string: [],
  list: ['benefits_received'],
};
/** Facts of the household rather than of one member: a value recorded on any current member counts. */
export const HOUSEHOLD_FACTS = [
  'household_income_annual',
  'household_income_last_6_months',
  'real_estate_value',
  'vehicle_value',
  'deposits_value',
  'monthly_rent',
  'has_active_lease',
];

const list = (names: string[]): string => (names.length ? names.map((n) => `'${n}'`).join(', ') : 'NULL');

export class PersonFacts1764300000000 implements MigrationInterface {
  name = 'PersonFacts1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_fact DROP CONSTRAINT person_fact_kind_check`);
    await q.query(`
      ALTER TABLE person_fact
        ADD COLUMN basis text,
        ADD COLUMN value_boolean boolean,
        ADD COLUMN value_list text[],
        ADD COLUMN recorded_by text NOT NULL DEFAULT 'system',
        ADD COLUMN document_reference text CHECK (length(document_reference) <= 200),
        ADD COLUMN note text CHECK (length(note) <= 2000),
        ADD COLUMN import_id uuid`);
    await q.query(`UPDATE person_fact SET basis = 'FEED'`);
    await q.query(`UPDATE person_fact SET kind = 'household_income_annual' WHERE kind = 'HOUSEHOLD_INCOME'`);
    await q.query(
      `UPDATE person_fact SET kind = 'disability_percentage' WHERE kind = 'DISABILITY_PERCENTAGE'`,
    );
    await q.query(`
      UPDATE person_fact
         SET kind = 'insured',
             value_boolean = coalesce(upper(value_text) IN ('INSURED', 'ACTIVE', 'YES', 'TRUE', '1'), false)
                             OR coalesce(value_numeric > 0, false),
             value_text = NULL, value_numeric = NULL
       WHERE kind = 'INSURANCE_STATUS'`);
    await q.query(`
      UPDATE person_fact
         SET kind = 'unemployed', value_boolean = true, valid_from = coalesce(valid_from, as_of),
             value_text = NULL, value_numeric = NULL
       WHERE kind = 'UNEMPLOYMENT_REGISTRATION'`);
    await q.query(`ALTER TABLE person_fact ALTER COLUMN basis SET NOT NULL`);
    const all = Object.values(RECORDED).flat();
    await q.query(`
      ALTER TABLE person_fact
        ADD CONSTRAINT person_fact_kind_check CHECK (kind IN (${list(all)})),
        ADD CONSTRAINT person_fact_basis_check CHECK (basis IN ('FEED', 'DOCUMENT', 'STAFF', 'SELF_DECLARED')),
        ADD CONSTRAINT person_fact_value_check CHECK (
          num_nonnulls(value_numeric, value_boolean, value_text, value_list) = 1
          AND (value_numeric IS NULL OR kind IN (${list(RECORDED.number)}))
          AND (value_boolean IS NULL OR kind IN (${list(RECORDED.boolean)}))
          AND (value_text IS NULL OR kind IN (${list(RECORDED.string)}))
          AND (value_list IS NULL OR kind IN (${list(RECORDED.list)}))),
        ADD CONSTRAINT person_fact_validity_check CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)`);

    await q.query(`DROP INDEX person_fact_natural_uq`);
    await q.query(
      `CREATE UNIQUE INDEX person_fact_natural_uq ON person_fact (person_id, kind, source, coalesce(tax_year, 0), as_of) WHERE basis = 'FEED'`,
    );
    // The winner of each fact in the order the view ranks them, read per person.
    await q.query(`CREATE INDEX person_fact_person_idx ON person_fact (person_id, kind)`);
    await q.query(
      `CREATE INDEX person_fact_import_idx ON person_fact (import_id) WHERE import_id IS NOT NULL`,
    );
    // Households on a date: a person's memberships, past ones included.
    await q.query(`CREATE INDEX household_member_person_idx ON household_member (person_id)`);

    /*
     * The facts of people as of a date, compact: one row per person with `fact_values` (fact name ->
     * value) and `provenance` (recorded fact name -> {basis, source, asOf, validFrom, validTo});
     * derived facts have no entry there (basis STAFF, source REGISTRY, as of p_as_of). Building one
     * JSON object per fact costs about 1 µs each in Postgres, which for a million people with twenty
     * facts is most of a minute; the bulk reader (FactsService.forEachBatch) reads this shape and
     * person_facts below expands it.
     *
     * Who: the people asked for by id (any status), or else the ACTIVE people of the municipalities
     * given (NULL: everyone the caller's row security lets it see). SECURITY INVOKER and a single
     * SELECT, so the planner inlines it into the caller's query and row-level security (the area)
     * applies to every table it reads.
     *
     * Derived: age, gender, municipality / regional unit / region, groups valid on the date (plus
     * CHILD under p_adult_age and ELDERLY from p_elderly_age), household size / adults / minors /
     * dependants (the members on the date; dependants = minors, as the registry records no other
     * dependency), enrolled_programmes (codes of enrolments applied for by the date, not ended by
     * then, not suspended). Recorded: per fact the row valid on the date (from valid_from, else its
     * as_of, through valid_to) that wins by basis, then newest as_of, then newest recording.
     * Household facts: the winner among the rows of every member of the person's household on the
     * date. unemployment_months, when not recorded, counts the months since the start (valid_from)
     * of a winning `unemployed = true`, with that fact's provenance.
     *
     * Facts named in p_withheld_facts, groups in p_withheld_groups and enrolments in programmes
     * targeting those groups are left out (special category, rule 17); `withheld` says whether
     * anything was.
     */
    await q.query(`
      CREATE FUNCTION person_fact_values(
          p_as_of date,
          p_person_ids uuid[] DEFAULT NULL,
          p_municipality_codes text[] DEFAULT NULL,
          p_withheld_facts text[] DEFAULT '{}',
          p_withheld_groups text[] DEFAULT '{}',
          p_adult_age int DEFAULT 18,
          p_elderly_age int DEFAULT 65)
        RETURNS TABLE (person_id uuid, municipality_code text, fact_values text, provenance text, withheld boolean)
        LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER AS $$
        WITH people AS (
          SELECT p.id, p.municipality_code, p.birth_date, p.gender, m.household_id,
                 date_part('year', age(p_as_of, p.birth_date))::int AS age
            FROM person p
            LEFT JOIN household_member m
              ON m.person_id = p.id AND m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > p_as_of)
           WHERE CASE WHEN p_person_ids IS NULL THEN p.status = 'ACTIVE' ELSE p.id = ANY (p_person_ids) END
             AND (p_municipality_codes IS NULL OR p.municipality_code = ANY (p_municipality_codes))),
        -- For everyone of some municipalities, one hash join over the members living there (a
        -- household is in one municipality); for a few people, the members of their households.
        -- One branch is constant-false for any call, and planned away.
        members AS (
          SELECT m.household_id, m.person_id, q.birth_date
            FROM household_member m JOIN person q ON q.id = m.person_id
           WHERE p_person_ids IS NULL
             AND m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > p_as_of)
             AND (p_municipality_codes IS NULL OR q.municipality_code = ANY (p_municipality_codes))
          UNION ALL
          SELECT m.household_id, m.person_id, q.birth_date
            FROM household_member m JOIN person q ON q.id = m.person_id
           WHERE p_person_ids IS NOT NULL
             AND m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > p_as_of)
             AND m.household_id IN (SELECT household_id FROM people)),
        households AS (
          SELECT household_id, count(*)::int AS size,
                 count(*) FILTER (WHERE birth_date <= (p_as_of - make_interval(years => p_adult_age))::date)::int AS adults
            FROM members GROUP BY household_id),
        valid_fact AS NOT MATERIALIZED (
          SELECT f.person_id, f.kind, f.basis, f.source, f.as_of, f.valid_from, f.valid_to, f.recorded_at,
                 CASE f.basis WHEN 'FEED' THEN 0 WHEN 'DOCUMENT' THEN 1 WHEN 'STAFF' THEN 2 ELSE 3 END AS rank,
                 CASE WHEN f.value_numeric IS NOT NULL THEN f.value_numeric::text
                      WHEN f.value_boolean IS NOT NULL THEN f.value_boolean::text
                      WHEN f.value_text IS NOT NULL THEN to_json(f.value_text)::text
                      ELSE to_json(f.value_list)::text END AS value
            FROM person_fact f
           WHERE coalesce(f.valid_from, f.as_of) <= p_as_of AND (f.valid_to IS NULL OR f.valid_to >= p_as_of)),
        -- A person's own facts; a member of a household takes the household's facts from the household.
        own AS (
          SELECT w.person_id,
                 string_agg('"' || w.kind || '":' || w.value, ',') FILTER (WHERE w.kind <> ALL (p_withheld_facts))
                   AS fact_values,
                 string_agg('"' || w.kind || '":' || '{"basis":"' || w.basis || '","source":' || to_json(w.source)::text || ',"asOf":"' || to_char(w.as_of, 'YYYY-MM-DD')
                        || '","validFrom":' || coalesce('"' || to_char(w.valid_from, 'YYYY-MM-DD') || '"', 'null')
                        || ',"validTo":' || coalesce('"' || to_char(w.valid_to, 'YYYY-MM-DD') || '"', 'null') || '}', ',')
                   FILTER (WHERE w.kind <> ALL (p_withheld_facts)) AS provenance,
                 bool_or(w.kind = ANY (p_withheld_facts)) AS withheld,
                 -- Months registered unemployed on the date, from the start of a winning registration.
                 max((12 * date_part('year', age(p_as_of, w.valid_from)) + date_part('month', age(p_as_of, w.valid_from)))::int)
                   FILTER (WHERE w.kind = 'unemployed' AND w.value = 'true' AND w.valid_from IS NOT NULL)
                   AS unemployed_months,
                 min('{"basis":"' || w.basis || '","source":' || to_json(w.source)::text || ',"asOf":"' || to_char(w.as_of, 'YYYY-MM-DD')
                        || '","validFrom":' || coalesce('"' || to_char(w.valid_from, 'YYYY-MM-DD') || '"', 'null')
                        || ',"validTo":' || coalesce('"' || to_char(w.valid_to, 'YYYY-MM-DD') || '"', 'null') || '}') FILTER (WHERE w.kind = 'unemployed') AS unemployed_provenance,
                 bool_or(w.kind = 'unemployment_months') AS months_recorded
            FROM (SELECT DISTINCT ON (f.person_id, f.kind) f.*
                    FROM valid_fact f JOIN people ON people.id = f.person_id
                   WHERE people.household_id IS NULL OR f.kind <> ALL (ARRAY[${list(HOUSEHOLD_FACTS)}])
                   ORDER BY f.person_id, f.kind, f.rank, f.as_of DESC, f.recorded_at DESC) w
           GROUP BY w.person_id),
        household_facts AS (
          SELECT w.household_id, string_agg('"' || w.kind || '":' || w.value, ',') AS fact_values,
                 string_agg('"' || w.kind || '":' || '{"basis":"' || w.basis || '","source":' || to_json(w.source)::text || ',"asOf":"' || to_char(w.as_of, 'YYYY-MM-DD')
                        || '","validFrom":' || coalesce('"' || to_char(w.valid_from, 'YYYY-MM-DD') || '"', 'null')
                        || ',"validTo":' || coalesce('"' || to_char(w.valid_to, 'YYYY-MM-DD') || '"', 'null') || '}', ',') AS provenance
            FROM (SELECT DISTINCT ON (m.household_id, f.kind) m.household_id, f.*
                    FROM valid_fact f JOIN members m ON m.person_id = f.person_id
                   WHERE f.kind IN (${list(HOUSEHOLD_FACTS)})
                   ORDER BY m.household_id, f.kind, f.rank, f.as_of DESC, f.recorded_at DESC) w
           GROUP BY w.household_id),
        groups_on_date AS (
          SELECT g.person_id,
                 array_agg(DISTINCT g.group_code) FILTER (WHERE g.group_code <> ALL (p_withheld_groups)) AS codes,
                 bool_or(g.group_code = ANY (p_withheld_groups)) AS withheld
            FROM person_group g JOIN people ON people.id = g.person_id
           WHERE g.valid_from <= p_as_of AND (g.valid_to IS NULL OR g.valid_to >= p_as_of)
           GROUP BY g.person_id),
        enrolled AS (
          SELECT e.person_id,
                 array_agg(DISTINCT pr.code) FILTER (WHERE NOT pr.target_groups && p_withheld_groups) AS codes,
                 bool_or(pr.target_groups && p_withheld_groups) AS withheld
            FROM enrolment e JOIN people ON people.id = e.person_id JOIN programme pr ON pr.id = e.programme_id
           WHERE e.status <> 'SUSPENDED' AND e.applied_on <= p_as_of AND (e.ended_on IS NULL OR e.ended_on > p_as_of)
           GROUP BY e.person_id)
        -- Objects are written as text: building a json(b) object per fact costs several times more,
        -- and no key occurs in two parts.
        SELECT people.id, people.municipality_code,
               ('{' || concat_ws(',',
                   -- Codes and genders are constrained to letters and digits: no escaping needed.
                   '"age":' || people.age || ',"gender":"' || people.gender
                     || '","municipality_code":"' || people.municipality_code
                     || '","regional_unit_code":"' || mu.regional_unit_code || '","region_code":"' || mu.region_code
                     || '","groups":' || to_json((CASE WHEN people.age < p_adult_age THEN ARRAY['CHILD'] ELSE '{}'::text[] END)
                                              || (CASE WHEN people.age >= p_elderly_age THEN ARRAY['ELDERLY'] ELSE '{}'::text[] END)
                                              || coalesce(g.codes, '{}'))::text
                     || ',"enrolled_programmes":' || to_json(coalesce(e.codes, '{}'::text[]))::text,
                   '"household_size":' || h.size || ',"household_adults":' || h.adults
                     || ',"household_minors":' || (h.size - h.adults) || ',"household_dependants":' || (h.size - h.adults),
                   CASE WHEN NOT o.months_recorded THEN '"unemployment_months":' || o.unemployed_months END,
                   o.fact_values, hf.fact_values)
                || '}'),
               ('{' || concat_ws(',',
                   CASE WHEN o.unemployed_months IS NOT NULL AND NOT o.months_recorded THEN
                     '"unemployment_months":' || o.unemployed_provenance END,
                   o.provenance, hf.provenance)
                || '}'),
               coalesce(o.withheld, false) OR coalesce(g.withheld, false) OR coalesce(e.withheld, false)
          FROM people
          JOIN municipality mu ON mu.code = people.municipality_code
          LEFT JOIN households h ON h.household_id = people.household_id
          LEFT JOIN household_facts hf ON hf.household_id = people.household_id
          LEFT JOIN own o ON o.person_id = people.id
          LEFT JOIN groups_on_date g ON g.person_id = people.id
          LEFT JOIN enrolled e ON e.person_id = people.id
      $$`);

    // The same, each fact as {"value", "basis", "source", "asOf", "validFrom", "validTo"}: the shape
    // for SQL readers (statistics, imports) and single people.
    await q.query(`
      CREATE FUNCTION person_facts(
          p_as_of date,
          p_person_ids uuid[] DEFAULT NULL,
          p_municipality_codes text[] DEFAULT NULL,
          p_withheld_facts text[] DEFAULT '{}',
          p_withheld_groups text[] DEFAULT '{}',
          p_adult_age int DEFAULT 18,
          p_elderly_age int DEFAULT 65)
        RETURNS TABLE (person_id uuid, municipality_code text, facts jsonb, withheld boolean)
        LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER AS $$
        SELECT v.person_id, v.municipality_code,
               (SELECT jsonb_object_agg(e.key, jsonb_build_object('value', e.value) || coalesce(v.provenance::jsonb -> e.key,
                         jsonb_build_object('basis', 'STAFF', 'source', 'REGISTRY', 'asOf', p_as_of,
                                            'validFrom', NULL, 'validTo', NULL)))
                  FROM jsonb_each(v.fact_values::jsonb) e),
               v.withheld
          FROM person_fact_values(p_as_of, p_person_ids, p_municipality_codes, p_withheld_facts, p_withheld_groups,
                                  p_adult_age, p_elderly_age) v
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION person_facts(date, uuid[], text[], text[], text[], int, int)`);
    await q.query(`DROP FUNCTION person_fact_values(date, uuid[], text[], text[], text[], int, int)`);
    await q.query(`DROP INDEX household_member_person_idx`);
    await q.query(`DROP INDEX person_fact_import_idx`);
    await q.query(`DROP INDEX person_fact_person_idx`);
    await q.query(`DROP INDEX person_fact_natural_uq`);
    // Only feed rows of the four old kinds survive the way back.
    await q.query(
      `DELETE FROM person_fact WHERE basis <> 'FEED' OR kind NOT IN ('household_income_annual', 'disability_percentage', 'insured', 'unemployed')`,
    );
    await q.query(`
      ALTER TABLE person_fact
        DROP CONSTRAINT person_fact_kind_check,
        DROP CONSTRAINT person_fact_basis_check,
        DROP CONSTRAINT person_fact_value_check,
        DROP CONSTRAINT person_fact_validity_check`);
    await q.query(`
      UPDATE person_fact SET kind = CASE kind
          WHEN 'household_income_annual' THEN 'HOUSEHOLD_INCOME'
          WHEN 'disability_percentage' THEN 'DISABILITY_PERCENTAGE'
          WHEN 'insured' THEN 'INSURANCE_STATUS'
          ELSE 'UNEMPLOYMENT_REGISTRATION' END,
        value_text = CASE WHEN kind = 'insured' THEN CASE WHEN value_boolean THEN 'INSURED' ELSE 'UNINSURED' END END`);
    await q.query(`
      ALTER TABLE person_fact
        DROP COLUMN basis, DROP COLUMN value_boolean, DROP COLUMN value_list, DROP COLUMN recorded_by,
        DROP COLUMN document_reference, DROP COLUMN note, DROP COLUMN import_id,
        ADD CONSTRAINT person_fact_kind_check CHECK (kind IN ('HOUSEHOLD_INCOME', 'INSURANCE_STATUS', 'DISABILITY_PERCENTAGE', 'UNEMPLOYMENT_REGISTRATION'))`);
    await q.query(
      `CREATE UNIQUE INDEX person_fact_natural_uq ON person_fact (person_id, kind, source, coalesce(tax_year, 0), as_of)`,
    );
  }
}
