import { SPECIAL_CATEGORY_GROUP_CODES } from '../../src/auth/special-category.js';
import { benchQueries } from './queries.js';

/**
 * The floor server's statements (floor-server.ts): for each of the benchmark's documents, one
 * prepared statement that returns the whole GraphQL response, in mitroa's schema and shape, as
 * JSON text (`data`), and the read's audit entries (`audit`: what mitroa's services record for the
 * same read; empty when nothing personal was read). The selections are fixed: this answers exactly
 * the documents the benchmark sends (Q0, which reads nothing, has a fixed answer instead).
 */

/** The floor server's levels, each adding one of mitroa's obligations (see floor-server.ts). */
export const FLOOR_LEVELS = ['read', 'scoped', 'audited', 'scoped-1', 'audited-1'] as const;
export type FloorLevel = (typeof FLOOR_LEVELS)[number];

export interface FloorStatement {
  name: string;
  /** The mitroa document this statement answers, character for character. */
  document: string;
  /** The request's variables, in the order of the statement's parameters. */
  variables: string[];
  /** Empty for a document that reads nothing (Q0): the answer is `answer`, no transaction, no audit. */
  sql: string;
  answer?: string;
}

const ADULT_AGE = 18;
const ELDERLY_AGE = 65;
/** The bench's caller has no special_category: ROMA and DISABILITY are left out, as mitroa does. */
const HIDDEN = `'{${SPECIAL_CATEGORY_GROUP_CODES.join(',')}}'::text[]`;

/** A person's groups: recorded ones the caller may see, then CHILD and ELDERLY from the birth date. */
const groupsOf = (
  p: string,
) => `(SELECT coalesce(json_agg(json_build_object('id', g.id, 'group', g.group_code,
      'basis', g.basis, 'validFrom', g.valid_from::text, 'validTo', g.valid_to::text) ORDER BY g.derived, g.valid_from, g.id), '[]')
    FROM (SELECT g.id, g.group_code, g.basis, g.valid_from, g.valid_to, false AS derived
            FROM person_group g WHERE g.person_id = ${p}.id AND g.group_code <> ALL (${HIDDEN})
          UNION ALL
          SELECT NULL, 'CHILD', 'BIRTH_DATE', ${p}.birth_date, (${p}.birth_date + interval '${ADULT_AGE} years' - interval '1 day')::date, true
           WHERE ${p}.birth_date > current_date - interval '${ADULT_AGE} years'
          UNION ALL
          SELECT NULL, 'ELDERLY', 'BIRTH_DATE', (${p}.birth_date + interval '${ELDERLY_AGE} years')::date, NULL, true
           WHERE ${p}.birth_date <= current_date - interval '${ELDERLY_AGE} years') g)`;

const [q0, q1, q2, q3] = benchQueries('', ['']);

export const FLOOR_STATEMENTS: FloorStatement[] = [
  {
    name: 'floor_q0',
    document: q0!.mitroa,
    variables: [],
    sql: '',
    answer: '{"data":{"__typename":"Query"}}',
  },
  {
    name: 'floor_q1',
    document: q1!.mitroa,
    variables: ['amka'],
    sql: `WITH p AS (SELECT id, given_name, surname, birth_date, municipality_code FROM person
                    WHERE amka = $1 AND status <> 'MERGED'),
          h AS (SELECT h.id, h.municipality_code FROM p
                  JOIN household_member hm ON hm.person_id = p.id AND hm.left_on IS NULL
                  JOIN household h ON h.id = hm.household_id),
          m AS (SELECT m.person_id, m.relationship, m.joined_on, q.given_name, q.surname, q.birth_date
                  FROM h JOIN household_member m ON m.household_id = h.id AND m.left_on IS NULL
                  JOIN person q ON q.id = m.person_id)
     SELECT json_build_object('data', json_build_object('beneficiaryByIdentifier', (
              SELECT json_build_object('id', p.id, 'givenName', p.given_name, 'surname', p.surname,
                       'birthDate', p.birth_date::text, 'groups', ${groupsOf('p')},
                       'household', (SELECT json_build_object('id', h.id, 'members', (
                          SELECT coalesce(json_agg(json_build_object('personId', m.person_id, 'relationship', m.relationship,
                                   'person', json_build_object('id', m.person_id, 'givenName', m.given_name,
                                     'surname', m.surname, 'birthDate', m.birth_date::text))
                                   ORDER BY m.relationship <> 'REFERENCE_PERSON', m.joined_on, m.person_id), '[]') FROM m))
                         FROM h))
                FROM p)))::text AS data,
            (SELECT coalesce(json_agg(e), '[]') FROM (
               SELECT json_build_object('action', 'person.lookup', 'subjectType', 'person', 'subjectId', p.id,
                        'municipalityCode', p.municipality_code) AS e FROM p
               UNION ALL
               SELECT json_build_object('action', 'household.read', 'subjectType', 'household', 'subjectId', h.id,
                        'municipalityCode', h.municipality_code) FROM h
               UNION ALL
               SELECT json_build_object('action', 'person.read', 'subjectType', 'person',
                        'municipalityCode', (SELECT municipality_code FROM h), 'personIds', json_agg(m.person_id))
                 FROM m WHERE m.person_id <> (SELECT id FROM p) HAVING count(*) > 0) entries) AS audit`,
  },
  {
    name: 'floor_q2',
    document: q2!.mitroa,
    variables: ['municipality'],
    sql: `WITH page AS (
            SELECT p.id, p.given_name, p.surname, p.birth_date, lower(p.surname_latin || ' ' || p.given_name_latin) AS sort_key
              FROM person p WHERE p.status = 'ACTIVE' AND p.municipality_code = $1
             ORDER BY lower(p.surname_latin || ' ' || p.given_name_latin), p.id LIMIT 50)
     SELECT json_build_object('data', json_build_object('beneficiaries', json_build_object('edges', (
              SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', p.id, 'givenName', p.given_name,
                       'surname', p.surname, 'birthDate', p.birth_date::text, 'groups', ${groupsOf('p')}))
                       ORDER BY p.sort_key, p.id), '[]') FROM page p))))::text AS data,
            (SELECT coalesce(json_agg(json_build_object('action', 'person.search', 'subjectType', 'person',
                      'municipalityCode', $1::text, 'personIds', ids)), '[]')
               FROM (SELECT json_agg(id) AS ids FROM page HAVING count(*) > 0) found) AS audit`,
  },
  {
    name: 'floor_q3',
    document: q3!.mitroa,
    variables: ['municipality'],
    sql: `WITH serving AS (
            SELECT p.id, p.name, p.kind_code, p.search_key FROM provider p
             WHERE p.municipality_code = $1
                OR EXISTS (SELECT 1 FROM provider_service_area a WHERE a.provider_id = p.id AND a.municipality_code = $1)
             ORDER BY p.search_key, p.id LIMIT 100)
     SELECT json_build_object('data', json_build_object('providers', json_build_object('edges', (
              SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', p.id, 'name', p.name, 'kindCode', p.kind_code,
                       'services', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name,
                                      'categoryCode', s.category_code, 'targetGroups', s.target_groups) ORDER BY s.position), '[]')
                                      FROM provider_service s WHERE s.provider_id = p.id),
                       'locations', (SELECT coalesce(json_agg(json_build_object('id', l.id, 'address', l.address,
                                       'openingHours', (SELECT coalesce(json_agg(json_build_object('id', o.id, 'weekday', o.weekday,
                                          'opensAt', to_char(o.opens_at, 'HH24:MI'), 'closesAt', to_char(o.closes_at, 'HH24:MI'))
                                          ORDER BY o.weekday, o.opens_at, o.valid_from NULLS FIRST), '[]')
                                          FROM opening_hours o WHERE o.location_id = l.id)) ORDER BY l.position), '[]')
                                      FROM provider_location l WHERE l.provider_id = p.id)))
                       ORDER BY p.search_key, p.id), '[]') FROM serving p))))::text AS data,
            '[]'::json AS audit`,
  },
];
