import type { ProgrammeKind } from '../programmes/programme.entity.js';

/**
 * Every SQL statement of the entitlements feature (rule 22). Programmes, coverage and providers are
 * public directory data; the person-facing statements take the caller's area predicate from the
 * service (rule 2), and row-level security holds underneath them (rule 20).
 */

/**
 * A programme reaches a municipality when it is national or covers the municipality, its regional
 * unit or its region: the same test the programme search (availableIn) and enrolment use.
 * `g` is the programme, `mu` the municipality.
 */
export const COVERS_MUNICIPALITY = `(g.national OR EXISTS (
    SELECT 1 FROM programme_coverage c
     WHERE c.programme_id = g.id AND (
       (c.area_level = 'MUNICIPALITY' AND c.area_code = mu.code)
       OR (c.area_level = 'REGIONAL_UNIT' AND c.area_code = mu.regional_unit_code)
       OR (c.area_level = 'REGION' AND c.area_code = mu.region_code))))`;

/** A programme is running on day $n: ACTIVE and within its starts_on/ends_on. */
export const runningOn = (day: string) =>
  `g.status = 'ACTIVE' AND (g.starts_on IS NULL OR g.starts_on <= ${day}::date)
   AND (g.ends_on IS NULL OR g.ends_on >= ${day}::date)`;

export interface ProgrammeRow {
  id: string;
  code: string;
  title: string;
  kind: ProgrammeKind;
  administering_body: string;
  how_to_apply: string | null;
  where_to_apply: string | null;
  required_documents: string[];
  target_groups: string[];
  eligibility_rule: unknown;
  /** Set by the database from the target groups and the rule (programmeVisibleSql); absent in hand-made rows. */
  special_category?: boolean;
  /** Changes whenever the programme (its rule or parameters) is replaced: the compiled-rule cache key. */
  version: number;
  parameters: Array<{ name: string; value: string; validFrom: string; validTo: string | null }>;
  /** PROGRAMMES_AVAILABLE only: the person asked about has an open enrolment in it. */
  enrolled?: boolean;
}

const PROGRAMME_COLUMNS = `g.id, g.code, g.title, g.kind, g.administering_body, g.how_to_apply, g.where_to_apply,
  g.required_documents, g.target_groups, g.eligibility_rule, g.version, g.special_category,
  coalesce((SELECT jsonb_agg(jsonb_build_object('name', pp.name, 'value', pp.value::text,
      'validFrom', pp.valid_from::text, 'validTo', pp.valid_to::text) ORDER BY pp.name, pp.valid_from)
    FROM programme_parameter pp WHERE pp.programme_id = g.id), '[]'::jsonb) AS parameters`;

/**
 * $1 municipality code, $2 day, $3 a person id or NULL: every programme running that day that
 * reaches the municipality, and whether the person has an open enrolment in it (the person's
 * scope is checked before).
 */
export const PROGRAMMES_AVAILABLE = `
  SELECT ${PROGRAMME_COLUMNS},
         ($3::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM enrolment e
            WHERE e.person_id = $3::uuid AND e.programme_id = g.id AND e.status <> 'ENDED')) AS enrolled
    FROM programme g JOIN municipality mu ON mu.code = $1
   WHERE ${runningOn('$2')} AND ${COVERS_MUNICIPALITY}
   ORDER BY g.national DESC, g.code`;

/** $1 programme id: one programme, whatever its status (callers check running and coverage). */
export const PROGRAMME_BY_ID = `SELECT ${PROGRAMME_COLUMNS} FROM programme g WHERE g.id = $1`;

/** $1 municipality codes, $2 programme id, $3 day: those of the codes the programme reaches that day. */
export const MUNICIPALITIES_REACHED = `
  SELECT mu.code FROM municipality mu JOIN programme g ON g.id = $2
   WHERE mu.code = ANY($1::text[]) AND ${runningOn('$3')} AND ${COVERS_MUNICIPALITY}
   ORDER BY mu.code`;

/** $1 municipality code: whether it exists. */
export const MUNICIPALITY_EXISTS = `SELECT code FROM municipality WHERE code = $1`;

export interface ProviderRow {
  programme_id: string;
  provider_id: string;
  role: 'DELIVERS' | 'ADMINISTERS';
  name: string;
  phone: string | null;
  address: string | null;
  municipality_code: string;
  rank: number;
  distance_km: number | null;
  closed_on_public_holidays: boolean;
  hours: Array<{
    weekday: number;
    opensAt: string;
    closesAt: string;
    validFrom: string | null;
    validTo: string | null;
  }>;
  closures: Array<{ startsOn: string; endsOn: string }>;
}

/**
 * $1 programme ids, $2 the person's municipality, $3 today, $4 how many per programme: the
 * nearest active providers that deliver (programme_provider) or administer each programme, with
 * the opening hours of their nearest location and their closures from today.
 *
 * "Nearest": a provider with a location in the person's municipality, or serving it
 * (provider_service_area), first; then one in the same regional unit; then the same region; then
 * the rest. Within a rank, by the great-circle distance from the centre of the person's
 * municipality to the location, where both have coordinates (those without come last), then by name.
 */
export const NEAREST_PROVIDERS = `
  WITH home AS (
    SELECT code, regional_unit_code, region_code, centroid_lat, centroid_lon FROM municipality WHERE code = $2),
  links AS (
    SELECT programme_id, provider_id, 'DELIVERS' AS role FROM programme_provider WHERE programme_id = ANY($1::uuid[])
    UNION
    SELECT id, administering_provider_id, 'ADMINISTERS' FROM programme
     WHERE id = ANY($1::uuid[]) AND administering_provider_id IS NOT NULL),
  placed AS (
    SELECT DISTINCT ON (l.programme_id, l.provider_id)
           l.programme_id, l.provider_id, l.role, p.name, p.phone, p.closed_on_public_holidays,
           loc.id AS location_id, loc.address, m.code AS municipality_code,
           CASE WHEN m.code = home.code
                  OR EXISTS (SELECT 1 FROM provider_service_area sa WHERE sa.provider_id = p.id AND sa.municipality_code = home.code)
                THEN 0
                WHEN m.regional_unit_code = home.regional_unit_code THEN 1
                WHEN m.region_code = home.region_code THEN 2
                ELSE 3 END AS rank,
           CASE WHEN loc.latitude IS NOT NULL AND home.centroid_lat IS NOT NULL THEN
             round((2 * 6371 * asin(sqrt(
               power(sin(radians(loc.latitude - home.centroid_lat) / 2), 2)
               + cos(radians(home.centroid_lat)) * cos(radians(loc.latitude))
                 * power(sin(radians(loc.longitude - home.centroid_lon) / 2), 2))))::numeric, 1)::float8
           END AS distance_km
      FROM links l
      JOIN provider p ON p.id = l.provider_id AND p.status = 'ACTIVE'
      LEFT JOIN provider_location loc ON loc.provider_id = p.id
      JOIN municipality m ON m.code = coalesce(loc.municipality_code, p.municipality_code)
      CROSS JOIN home
     ORDER BY l.programme_id, l.provider_id, rank, distance_km NULLS LAST, loc.position, l.role DESC),
  ranked AS (
    SELECT placed.*, row_number() OVER (PARTITION BY programme_id ORDER BY rank, distance_km NULLS LAST, name, provider_id) AS n
      FROM placed)
  SELECT r.programme_id, r.provider_id, r.role, r.name, r.phone, r.address, r.municipality_code, r.rank,
         r.distance_km, r.closed_on_public_holidays,
         coalesce((SELECT jsonb_agg(jsonb_build_object('weekday', h.weekday, 'opensAt', to_char(h.opens_at, 'HH24:MI'),
                     'closesAt', to_char(h.closes_at, 'HH24:MI'), 'validFrom', h.valid_from::text, 'validTo', h.valid_to::text))
                     FROM opening_hours h WHERE h.location_id = r.location_id), '[]'::jsonb) AS hours,
         coalesce((SELECT jsonb_agg(jsonb_build_object('startsOn', c.starts_on::text, 'endsOn', c.ends_on::text))
                     FROM provider_closure c WHERE c.provider_id = r.provider_id AND c.ends_on >= $3::date), '[]'::jsonb) AS closures
    FROM ranked r
   WHERE r.n <= $4
   ORDER BY r.programme_id, r.n`;

export interface CandidateRow {
  id: string;
  given_name: string;
  surname: string;
}

/** $1 programme id, $2 municipality codes (within the caller's area): people with an open enrolment in it there. */
export const ENROLLED_IN_PROGRAMME = `
  SELECT e.person_id FROM enrolment e JOIN person p ON p.id = e.person_id
   WHERE e.programme_id = $1 AND e.status <> 'ENDED' AND p.municipality_code = ANY($2::text[])`;

/** $1 person ids (a page already limited to the caller's area): their names. */
export const PEOPLE_NAMED = `SELECT p.id, p.given_name, p.surname FROM person p WHERE p.id = ANY($1::uuid[])`;
