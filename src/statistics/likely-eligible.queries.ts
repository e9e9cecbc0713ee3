import { COVERS_MUNICIPALITY, runningOn } from '../eligibility/entitlements.queries.js';

/**
 * The SQL of "likely eligible, not enrolled" (rule 22): what the step reads (the programmes
 * running on the day with the municipalities they reach, the open enrolments) and how it replaces
 * the counts of `stats_likely_eligible` (migration 1764620000100).
 */

export const LIKELY_ELIGIBLE_TABLE = 'stats_likely_eligible';

/** $1 day: every programme running that day with a rule, and the codes of the municipalities it reaches. */
export const PROGRAMMES_REACHING = `
  SELECT g.id, g.code, g.title, g.kind, g.administering_body, g.how_to_apply, g.where_to_apply,
         g.required_documents, g.target_groups, g.eligibility_rule, g.version, g.special_category,
         coalesce((SELECT jsonb_agg(jsonb_build_object('name', pp.name, 'value', pp.value::text,
             'validFrom', pp.valid_from::text, 'validTo', pp.valid_to::text) ORDER BY pp.name, pp.valid_from)
           FROM programme_parameter pp WHERE pp.programme_id = g.id), '[]'::jsonb) AS parameters,
         array(SELECT mu.code FROM municipality mu WHERE ${COVERS_MUNICIPALITY} ORDER BY mu.code) AS reaches
    FROM programme g
   WHERE ${runningOn('$1')} AND g.eligibility_rule IS NOT NULL
   ORDER BY g.code`;

/** Every open enrolment (person, programme) of a person who is not merged away. */
export const OPEN_ENROLMENTS = `
  SELECT e.person_id, e.programme_id FROM enrolment e JOIN person p ON p.id = e.person_id
   WHERE e.status <> 'ENDED' AND p.status <> 'MERGED'`;

export const CLEAR_COUNTS = `DELETE FROM ${LIKELY_ELIGIBLE_TABLE}`;

/** $1..$8 parallel arrays, $9 the day: the counts of one run. */
export const INSERT_COUNTS = `
  INSERT INTO ${LIKELY_ELIGIBLE_TABLE} (municipality_code, programme_id, programme_code, special, evaluated,
                                        eligible, eligible_not_enrolled, cannot_tell, as_of)
  SELECT m, g, c, s, n, e, ne, ct, $9::date
    FROM unnest($1::text[], $2::uuid[], $3::text[], $4::boolean[], $5::int[], $6::int[], $7::int[], $8::int[])
         AS x (m, g, c, s, n, e, ne, ct)`;

/** $1 when the run started (its snapshot), $2 its duration in ms. */
export const RECORD_RUN = `
  INSERT INTO statistics_refresh (view_name, refreshed_at, duration_ms) VALUES ('${LIKELY_ELIGIBLE_TABLE}', $1, $2)
  ON CONFLICT (view_name) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, duration_ms = EXCLUDED.duration_ms`;

/** The counts of the last run, and when it ran, in one statement (the first row carries the time). */
export const LIKELY_ELIGIBLE_ROWS = `
  SELECT 0 AS header, NULL AS municipality_code, NULL::uuid AS programme_id, NULL AS programme_code, NULL::boolean AS special,
         NULL::int AS evaluated, NULL::int AS eligible, NULL::int AS eligible_not_enrolled, NULL::int AS cannot_tell,
         NULL AS as_of, to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS refreshed_at
    FROM statistics_refresh WHERE view_name = '${LIKELY_ELIGIBLE_TABLE}'
  UNION ALL
  SELECT 1, municipality_code, programme_id, programme_code, special, evaluated, eligible, eligible_not_enrolled,
         cannot_tell, to_char(as_of, 'YYYY-MM-DD'), NULL
    FROM ${LIKELY_ELIGIBLE_TABLE}`;

export const LIKELY_ELIGIBLE_AS_OF = `SELECT refreshed_at FROM statistics_refresh WHERE view_name = '${LIKELY_ELIGIBLE_TABLE}'`;
