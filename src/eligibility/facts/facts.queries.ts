/**
 * The SQL of the facts view (rule 22), over the database functions of migration
 * 1764300000000-person-facts (person_fact_values, person_facts). Parameters, in order: as-of date,
 * person ids (or NULL), municipality codes (or NULL: the caller's whole area), withheld facts,
 * withheld codes (of groups and of list facts: SPECIAL_CATEGORY_LIST_VALUES), adult age, elderly age.
 */
const ARGS = `$1::date, $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int, $7::int`;

/** One row per person: fact name -> value, recorded fact name -> provenance, and whether anything was withheld. */
export const FACT_VALUES_SQL = `
  SELECT v.person_id, v.municipality_code, v.fact_values, v.provenance, v.withheld
    FROM person_fact_values(${ARGS}) v`;

/** The same for a keyset batch stream: in id order. */
export const FACT_VALUES_ORDERED_SQL = `${FACT_VALUES_SQL} ORDER BY v.person_id`;

/** A person of the caller's area (the area predicate is appended by the caller). */
export const PERSON_IN_AREA_SQL = `SELECT p.id, p.municipality_code FROM person p WHERE p.id = $1`;

/** Inserts one recorded fact and returns it in the shape of PersonFactView. */
export const INSERT_FACT_SQL = `
  INSERT INTO person_fact (person_id, kind, basis, value_numeric, value_boolean, value_text, value_list,
                           valid_from, valid_to, source, as_of, recorded_by, document_reference, note)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  RETURNING id, person_id, kind, tax_year, value_numeric::text AS value_numeric, value_text, value_boolean,
            value_list, basis, valid_from::text AS valid_from, valid_to::text AS valid_to, source, as_of::text AS as_of`;
