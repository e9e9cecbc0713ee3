import {
  LIKELY_DUPLICATE_CANDIDATES,
  LIKELY_DUPLICATE_SIMILARITY,
} from '../beneficiaries/duplicate.service.js';
import { FeedKind } from './contracts.js';
import { FEEDS } from './feeds.js';

/**
 * The REGISTRY feed's SQL (docs/imports.md, "The REGISTRY feed"): a centre's existing records
 * loaded as people, set-based. Validation is the statements below, over the whole job ($1 = job
 * id); the merge of a range of lines and its dry run are database functions (migration
 * 1764640000000-registry-feed), which create and update people with their history rows and queue
 * likely duplicates as a registration does, so that no rule of the registry lives only in
 * TypeScript's per-row code (rule 19).
 *
 * A line is, after validation: rejected (a problem of its own, or a duplicate in the file); held
 * (LIKELY_DUPLICATE: no AFM or AMKA, and born the same day as, and named like, a person already
 * registered or an earlier line: it is not created, so that no second record is made of a person
 * already known); or merged, updating the person its AFM/AMKA names, else creating one.
 */
export const REGISTRY_TABLE = 'import_staging_registry';

const S = REGISTRY_TABLE;
const ROWS = `s.job_id = $1 AND NOT s.rejected`;
const AREA = `coalesce((SELECT j.area FROM import_job j WHERE j.id = $1), '{}'::text[])`;

interface RowCheck {
  field: string | null;
  code: string;
  /** SQL over staging alias `s` (and `p`, the person named, where `joinPerson`). */
  bad: string;
  /** A SQL expression: the message, which never repeats a whole identifier. */
  message: string;
  joinPerson?: boolean;
}

const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Checks of a row on its own, and of the person its identifiers name; the first failing one rejects it. */
const ROW_CHECKS: RowCheck[] = [
  {
    field: 'municipality',
    code: 'UNKNOWN_CODE',
    bad: `NOT EXISTS (SELECT 1 FROM municipality m WHERE m.code = s.municipality)`,
    message: `'No municipality has the code ' || s.municipality || ': use the 4-digit Kallikratis code.'`,
  },
  {
    field: 'municipality',
    code: 'OUTSIDE_AREA',
    bad: `NOT (s.municipality = ANY (${AREA}))`,
    message: `'Municipality ' || s.municipality || ' is not in the area this import is for ('
              || array_to_string(${AREA}, ', ') || ').'`,
  },
  {
    field: 'birth_date',
    code: 'OUT_OF_RANGE',
    bad: `s.birth_date::date > (now() AT TIME ZONE 'Europe/Athens')::date`,
    message: sqlText('The birth date is in the future.'),
  },
  {
    field: 'given_name',
    code: 'OUT_OF_RANGE',
    bad: `length(s.given_name) > 100`,
    message: sqlText('A given name has at most 100 characters.'),
  },
  {
    field: 'surname',
    code: 'OUT_OF_RANGE',
    bad: `length(s.surname) > 100`,
    message: sqlText('A surname has at most 100 characters.'),
  },
  {
    // amkaMatchesBirthDate (src/common/identifiers/amka.ts), for a birth date not in the future.
    field: 'amka',
    code: 'BAD_IDENTIFIER',
    bad: `s.amka IS NOT NULL AND left(s.amka, 6) <> to_char(s.birth_date::date, 'DDMMYY')`,
    message: `'The AMKA ending in …' || right(s.amka, 3) || ' does not begin with the birth date (DDMMYY): check both.'`,
  },
  {
    field: 'afm',
    code: 'IDENTIFIER_CONFLICT',
    bad: `s.amka_person <> s.afm_person`,
    message: sqlText(
      'The AFM and the AMKA belong to two different people in the registry: correct the row, or have the two records merged.',
    ),
  },
  {
    field: 'amka',
    code: 'IDENTIFIER_CONFLICT',
    bad: `s.amka IS NOT NULL AND p.amka IS NOT NULL AND p.amka <> s.amka`,
    message: sqlText(
      'The person registered with this AFM has another AMKA: correct the row, or the record first.',
    ),
    joinPerson: true,
  },
  {
    field: 'afm',
    code: 'IDENTIFIER_CONFLICT',
    bad: `s.afm IS NOT NULL AND p.afm IS NOT NULL AND p.afm <> s.afm`,
    message: sqlText(
      'The person registered with this AMKA has another AFM: correct the row, or the record first.',
    ),
    joinPerson: true,
  },
  {
    field: null,
    code: 'PERSON_CLOSED',
    bad: `p.status <> 'ACTIVE'`,
    message: sqlText("This person's record is closed: an import does not change it."),
    joinPerson: true,
  },
  {
    field: null,
    code: 'OUTSIDE_AREA',
    bad: `NOT (p.municipality_code = ANY (${AREA}))`,
    message: `'This person is registered in another area (municipality ' || p.municipality_code
              || '): the centre there can hand them over; an import does not move them.'`,
    joinPerson: true,
  },
];

function rejectWhere(check: RowCheck): string {
  const person = check.joinPerson
    ? `FROM person p WHERE p.id = coalesce(s.person_id, s.amka_person, s.afm_person) AND`
    : 'WHERE';
  return `
    WITH bad AS (
      UPDATE ${S} s SET rejected = true
        ${person} ${ROWS} AND (${check.bad})
      RETURNING s.line, ${check.message} AS message)
    INSERT INTO import_row_problem (job_id, line, field, code, message)
    SELECT $1, bad.line, ${check.field ? sqlText(check.field) : 'NULL'}, '${check.code}', left(bad.message, 500) FROM bad`;
}

/** The later line wins among lines of one `identity`; the earlier ones are DUPLICATE_IN_FILE. */
function inFileDuplicates(identity: string, which: string): string {
  return `
    WITH d AS (
      SELECT s.line, max(s.line) OVER (PARTITION BY ${identity}) AS winner
        FROM ${S} s WHERE ${ROWS} AND s.outcome IS NULL AND ${which}),
    dup AS (
      UPDATE ${S} s SET outcome = 'DUPLICATE'
        FROM d WHERE s.job_id = $1 AND s.line = d.line AND d.line < d.winner
      RETURNING s.line, d.winner)
    INSERT INTO import_row_problem (job_id, line, field, code, message)
    SELECT $1, line, NULL, 'DUPLICATE_IN_FILE',
           'The same person is on line ' || winner || ', which is the one imported.'
      FROM dup`;
}

const rowChecks = ROW_CHECKS.filter((c) => !c.joinPerson && c.code !== 'IDENTIFIER_CONFLICT');
const personChecks = ROW_CHECKS.filter((c) => c.joinPerson || c.code === 'IDENTIFIER_CONFLICT');

/** Validation, in order, over the whole job's staged lines ($1 = job id). */
export const REGISTRY_VALIDATION: readonly string[] = [
  ...rowChecks.map(rejectWhere),
  // A line this job already made into a person (before a restaging) stays that person.
  `UPDATE ${S} s SET person_id = o.person_id
     FROM import_person_origin o WHERE o.job_id = $1 AND o.line = s.line AND s.job_id = $1`,
  // The registry's own rule: an identifier held by a person not merged into another.
  `UPDATE ${S} s SET amka_person = p.id
     FROM person p WHERE ${ROWS} AND s.amka IS NOT NULL AND p.amka = s.amka AND p.status <> 'MERGED'`,
  `UPDATE ${S} s SET afm_person = p.id
     FROM person p WHERE ${ROWS} AND s.afm IS NOT NULL AND p.afm = s.afm AND p.status <> 'MERGED'`,
  ...personChecks.map(rejectWhere),
  `UPDATE ${S} s SET person_id = coalesce(s.person_id, s.amka_person, s.afm_person) WHERE ${ROWS}`,
  // The Latin names and keys a registration would compute (person-keys.ts, by its SQL twins).
  `UPDATE ${S} s SET given_name_latin = x.given_latin, surname_latin = x.surname_latin,
                     name_key = k.name_key, phonetic_key = k.phonetic_key
     FROM (SELECT line, person_latin_name(given_name) AS given_latin, person_latin_name(surname) AS surname_latin,
                  given_name, surname
             FROM ${S} WHERE job_id = $1 AND NOT rejected) x
          CROSS JOIN LATERAL person_name_keys(x.given_name, x.surname, x.given_latin, x.surname_latin) k
    WHERE s.job_id = $1 AND s.line = x.line`,
  inFileDuplicates('s.person_id', 's.person_id IS NOT NULL'),
  inFileDuplicates('s.afm', 's.person_id IS NULL AND s.afm IS NOT NULL'),
  inFileDuplicates('s.amka', 's.person_id IS NULL AND s.amka IS NOT NULL'),
  inFileDuplicates(
    's.birth_date, s.phonetic_key',
    's.person_id IS NULL AND s.afm IS NULL AND s.amka IS NULL',
  ),
  // Lines without AFM or AMKA that look like someone known (the rule of a registration: born the
  // same day, names alike) are held: the best candidate is named in the problem.
  `WITH cand AS (
     SELECT s.line, c.kind, c.ref, c.alike
       FROM ${S} s
       CROSS JOIN LATERAL (
         SELECT * FROM (
           SELECT 'person' AS kind, q.id::text AS ref, similarity(q.phonetic_key, s.phonetic_key) AS alike
             FROM person q
            WHERE q.birth_date = s.birth_date::date AND q.status = 'ACTIVE'
              AND similarity(q.phonetic_key, s.phonetic_key) >= ${LIKELY_DUPLICATE_SIMILARITY}
           UNION ALL
           SELECT 'line', e.line::text, similarity(e.phonetic_key, s.phonetic_key)
             FROM ${S} e
            WHERE e.job_id = $1 AND e.line < s.line AND NOT e.rejected AND e.outcome IS DISTINCT FROM 'DUPLICATE'
              AND e.birth_date = s.birth_date
              AND similarity(e.phonetic_key, s.phonetic_key) >= ${LIKELY_DUPLICATE_SIMILARITY}) all_candidates
          ORDER BY alike DESC, kind DESC, ref
          LIMIT 1) c
      WHERE ${ROWS} AND s.outcome IS NULL AND s.person_id IS NULL AND s.afm IS NULL AND s.amka IS NULL),
   held AS (
     UPDATE ${S} s SET outcome = 'LIKELY_DUPLICATE' FROM cand WHERE s.job_id = $1 AND s.line = cand.line
     RETURNING s.line)
   INSERT INTO import_row_problem (job_id, line, field, code, message)
   SELECT $1, cand.line, NULL, 'LIKELY_DUPLICATE',
          'Not created: born the same day as, and named ' || round(cand.alike * 100)::int || '% like, '
          || CASE cand.kind WHEN 'person' THEN 'person ' || cand.ref ELSE 'the person on line ' || cand.ref END
          || '. If they are different people, register this one by hand (the pair is then queued for review);'
          || ' if the same, add the AFM or AMKA to the row and import it again.'
     FROM cand`,
];

/** The job's counts after validation: rejected (a duplicate in the file too) and held (as unmatched). */
export const REGISTRY_COUNTS = `
  UPDATE import_job j SET
    rows_rejected = c.rejected, rows_unmatched = c.held, rows_read = c.n, rows_total = c.n,
    phase = CASE WHEN j.phase = 'VALIDATE' THEN 'MERGE' ELSE j.phase END
    FROM (SELECT count(*)::int AS n,
                 count(*) FILTER (WHERE s.rejected OR s.outcome = 'DUPLICATE')::int AS rejected,
                 count(*) FILTER (WHERE s.outcome = 'LIKELY_DUPLICATE' AND NOT s.rejected)::int AS held
            FROM ${S} s WHERE s.job_id = $1) c
   WHERE j.id = $1`;

/** The merge of a range of lines ($1 job, $2 < line <= $3, $4 source, $5 the operator). */
export const REGISTRY_MERGE = `
  SELECT created, updated, unchanged, queued, conflicts
    FROM import_registry_merge($1, $2, $3, $4, $5, ${LIKELY_DUPLICATE_SIMILARITY}, ${LIKELY_DUPLICATE_CANDIDATES})`;

/** The dry run ($1 job, $2 = 0, $3 = last line, $4 source). */
export const REGISTRY_PREVIEW = `SELECT created, updated, unchanged, samples FROM import_registry_preview($1, $2, $3, $4)`;

export const REGISTRY_COLUMNS: readonly string[] = FEEDS[FeedKind.REGISTRY].fields.map((f) => f.name);
