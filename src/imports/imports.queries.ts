import type { FactFeed } from './fact-feeds.js';

/**
 * The SQL of the import pipeline, in one place (rule 22). Staging, validation and merge are built
 * per feed from its FactFeed definition; everything else is plain.
 */

export const JOB_COLUMNS = `id, feed, file_name, sha256, byte_size, format, encoding, dry_run, status, phase,
  rows_read, rows_created, rows_updated, rows_unchanged, rows_unmatched, rows_rejected, rows_staged,
  staged_line, rows_done, rows_total, checkpoint, duplicate_of, preview, created_by, created_at,
  started_at, finished_at, file_purged_at, attempts, error, area`;

export const JOB_BY_ID = `SELECT ${JOB_COLUMNS} FROM import_job WHERE id = $1`;

/** Newest first, keyset on (created_at, id); $1 feed or NULL, $2/$3 the cursor or NULL, $4 limit. */
export const LIST_JOBS = `
  SELECT ${JOB_COLUMNS} FROM import_job
   WHERE ($1::text IS NULL OR feed = $1)
     AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
   ORDER BY created_at DESC, id DESC
   LIMIT $4`;

export const INSERT_CHUNK = `INSERT INTO import_file_chunk (job_id, seq, bytes) VALUES ($1, $2, $3)`;
export const READ_CHUNK = `SELECT bytes FROM import_file_chunk WHERE job_id = $1 AND seq = $2`;

/** The first import of this file of this feed (not a dry run, not failed), if any. */
export const ORIGINAL_OF_FILE = `
  SELECT id FROM import_job
   WHERE feed = $1 AND sha256 = $2 AND NOT dry_run AND duplicate_of IS NULL AND status <> 'FAILED'`;

/** $1 id ... ; a race with the same file answers no row (import_job_file_uq), then it is a duplicate. */
export const INSERT_JOB = `
  INSERT INTO import_job (id, feed, file_name, sha256, byte_size, format, encoding, dry_run, rows_total, created_by, area)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (feed, sha256) WHERE NOT dry_run AND duplicate_of IS NULL AND status <> 'FAILED' DO NOTHING
  RETURNING ${JOB_COLUMNS}`;

export const INSERT_DUPLICATE_JOB = `
  INSERT INTO import_job (id, feed, file_name, sha256, byte_size, format, encoding, dry_run, created_by,
                          status, phase, duplicate_of, started_at, finished_at, rows_total)
  VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, 'SUCCEEDED', 'DONE', $9, now(), now(), 0)
  RETURNING ${JOB_COLUMNS}`;

export const DELETE_CHUNKS = `DELETE FROM import_file_chunk WHERE job_id = $1`;

/** Wakes the workers (JobWorker listens); sent at commit. */
export const NOTIFY_IMPORT = `SELECT pg_notify('mitroa_import', $1)`;

/** The oldest unfinished import of each feed: what the sweep hands to the queue. */
export const PENDING_PER_FEED = `
  SELECT DISTINCT ON (feed) id, feed FROM import_job
   WHERE status IN ('QUEUED', 'RUNNING')
   ORDER BY feed, created_at, id`;

/** Retention: row problems and stored files of imports finished before $1. */
export const PURGE_PROBLEMS = `
  DELETE FROM import_row_problem r USING import_job j
   WHERE r.job_id = j.id AND j.finished_at < $1`;
export const PURGE_FILES = `
  WITH purged AS (
    DELETE FROM import_file_chunk c USING import_job j
     WHERE c.job_id = j.id AND j.finished_at < $1
    RETURNING c.job_id)
  UPDATE import_job SET file_purged_at = now() WHERE id IN (SELECT DISTINCT job_id FROM purged)`;

/** COPY of staged rows: job, line, rejected, group_end, then the feed's canonical fields. */
export function copyIntoStaging(f: Pick<FactFeed, 'table' | 'columns'>): string {
  return `COPY ${f.table} (job_id, line, rejected, group_end, ${f.columns.join(', ')}) FROM STDIN`;
}

export const INSERT_PROBLEMS = `
  INSERT INTO import_row_problem (job_id, line, field, code, message)
  SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])`;

/** The identifier of an unmatched row, its last three digits only. */
function maskedKey(f: FactFeed): { field: string; message: string } {
  if (f.personKeys.length === 1) {
    const key = f.personKeys[0]!;
    return {
      field: `'${key}'`,
      message: `'No person in the registry has the ${key.toUpperCase()} ending in ' || right(s.${key}, 3) || '.'`,
    };
  }
  const [a, b] = f.personKeys as ['amka', 'afm'];
  return {
    field: `CASE WHEN s.${a} IS NOT NULL THEN '${a}' ELSE '${b}' END`,
    message: `'No person in the registry has the ' || CASE WHEN s.${a} IS NOT NULL
                THEN '${a.toUpperCase()} ending in ' || right(s.${a}, 3) ELSE '${b.toUpperCase()} ending in ' || right(s.${b}, 3) END || '.'`,
  };
}

/**
 * Validation in SQL, in order, each statement over the whole job's staged rows ($1 = job id):
 * cross-field checks, matching people (the registry's own rule: an identifier held by a person not
 * merged into another), duplicates in the file (the later line wins), unmatched rows, and the groups
 * merged together. Problems are written as they are found.
 */
export function validationStatements(f: FactFeed): string[] {
  const statements: string[] = [];
  for (const check of f.checks) {
    statements.push(`
      WITH bad AS (
        UPDATE ${f.table} s SET rejected = true
         WHERE s.job_id = $1 AND NOT s.rejected AND (${check.bad})
        RETURNING s.line)
      INSERT INTO import_row_problem (job_id, line, field, code, message)
      SELECT $1, line, '${check.field}', '${check.code}', '${check.message.replace(/'/g, "''")}' FROM bad`);
  }
  for (const key of f.personKeys) {
    statements.push(`
      UPDATE ${f.table} s SET person_id = p.id
        FROM person p
       WHERE s.job_id = $1 AND NOT s.rejected AND s.person_id IS NULL AND s.${key} IS NOT NULL
         AND p.${key} = s.${key} AND p.status <> 'MERGED'`);
  }
  const identity = `coalesce(s.person_id::text, concat_ws('/', ${f.personKeys.map((k) => `s.${k}`).join(', ')}))`;
  statements.push(`
    WITH d AS (
      SELECT s.line, max(s.line) OVER (PARTITION BY ${identity}, ${f.period}) AS winner
        FROM ${f.table} s WHERE s.job_id = $1 AND NOT s.rejected),
    dup AS (
      UPDATE ${f.table} s SET outcome = 'DUPLICATE'
        FROM d WHERE s.job_id = $1 AND s.line = d.line AND d.line < d.winner
      RETURNING s.line, d.winner)
    INSERT INTO import_row_problem (job_id, line, field, code, message)
    SELECT $1, line, NULL, 'DUPLICATE_IN_FILE',
           'The same person and period are on line ' || winner || ', which is the one imported.'
      FROM dup`);
  const masked = maskedKey(f);
  statements.push(`
    WITH u AS (
      UPDATE ${f.table} s SET outcome = 'UNMATCHED'
       WHERE s.job_id = $1 AND NOT s.rejected AND s.outcome IS NULL AND s.person_id IS NULL
      RETURNING s.*)
    INSERT INTO import_row_problem (job_id, line, field, code, message)
    SELECT $1, s.line, ${masked.field}, 'UNMATCHED', ${masked.message} FROM u s`);
  if (f.group)
    statements.push(`
      UPDATE ${f.table} s SET group_end = g.last
        FROM (SELECT s.line, max(s.line) OVER (PARTITION BY ${f.group}) AS last
                FROM ${f.table} s WHERE s.job_id = $1 AND s.outcome IS NULL AND NOT s.rejected) g
       WHERE s.job_id = $1 AND s.line = g.line AND s.group_end <> g.last`);
  return statements;
}

export function validationCounts(f: FactFeed): string {
  return `
    UPDATE import_job j SET
      rows_rejected = c.rejected, rows_unmatched = c.unmatched, rows_read = c.n, rows_total = c.n,
      phase = CASE WHEN j.phase = 'VALIDATE' THEN 'MERGE' ELSE j.phase END
      FROM (SELECT count(*)::int AS n,
                   count(*) FILTER (WHERE s.rejected OR s.outcome = 'DUPLICATE')::int AS rejected,
                   count(*) FILTER (WHERE s.outcome = 'UNMATCHED' AND NOT s.rejected)::int AS unmatched
              FROM ${f.table} s WHERE s.job_id = $1) c
     WHERE j.id = $1`;
}

/**
 * The facts of a range of groups that this source may write ($4 = source): those of a fact the
 * source supplies (fact_source_precedence), without those superseded by a source that ranks higher
 * for that fact and holds a value valid on the same date (looked up per fact, by index, only where
 * a higher rank exists).
 */

/**
 * Run before the merge and the preview, in their transaction: the statements join sets of
 * thousands of rows (the facts written and the staged lines) that the planner cannot count (CTE
 * results), and a nested loop over them grows with the square of the batch. The disabled nested
 * loops cost so much on paper that JIT compilation would start, for seconds, on every batch: off.
 * Merge joins are off too (they sorted both sides, on disk, for as long as the insert itself), and
 * the hash tables of a batch's few hundred thousand facts get the memory to stay in it.
 */
export const HASH_JOINS = `SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off;
  SET LOCAL work_mem = '64MB'`;
function eligibleFacts(f: FactFeed): string {
  return `
    f AS (${f.facts}),
    eligible AS MATERIALIZED (
      SELECT f.* FROM f JOIN fact_source_precedence p ON p.kind = f.kind AND p.source = $4
       WHERE p.rank = 1 OR NOT EXISTS (
         SELECT 1 FROM person_fact h JOIN fact_source_precedence hp ON hp.kind = h.kind AND hp.source = h.source
          WHERE h.person_id = f.person_id AND h.kind = f.kind AND h.basis = 'FEED' AND hp.rank < p.rank
            AND coalesce(h.valid_from, h.as_of) <= coalesce(f.valid_from, f.as_of)
            AND (h.valid_to IS NULL OR h.valid_to >= coalesce(f.valid_from, f.as_of))))`;
}

/** Each eligible staged row of the range with its group's outcome (NULL: nothing to write). */
function countsOf(f: FactFeed): string {
  return `
    SELECT count(*) FILTER (WHERE o.created)::int AS created,
           count(*) FILTER (WHERE NOT coalesce(o.created, false) AND coalesce(o.updated, false))::int AS updated,
           count(*) FILTER (WHERE NOT coalesce(o.created, false) AND NOT coalesce(o.updated, false))::int AS unchanged
      FROM ${f.table} s LEFT JOIN outcome o ON o.line = s.group_end
     WHERE s.job_id = $1 AND s.outcome IS NULL AND NOT s.rejected AND s.group_end > $2 AND s.group_end <= $3`;
}

/**
 * The merge of one range of groups ($1 job, $2 < group_end <= $3, $4 source, $5 recorded_by):
 * one INSERT ... ON CONFLICT on the feed rows' natural key that rewrites a fact only when something
 * in it differs, and the rows' outcomes from what it wrote. Only rows of basis FEED and this source
 * can conflict: nothing recorded by staff is touched.
 */
export function mergeSql(f: FactFeed): string {
  return `
    WITH ${eligibleFacts(f)},
    w AS (
      INSERT INTO person_fact (person_id, kind, basis, source, tax_year, as_of, valid_from, valid_to,
                               value_numeric, value_boolean, value_list, recorded_by, import_id)
      SELECT person_id, kind, 'FEED', $4, tax_year, as_of, valid_from, valid_to,
             value_numeric, value_boolean, value_list, $5, $1
        FROM eligible
      ON CONFLICT (person_id, kind, source, coalesce(tax_year, 0), as_of) WHERE basis = 'FEED'
      DO UPDATE SET value_numeric = EXCLUDED.value_numeric, value_boolean = EXCLUDED.value_boolean,
                    value_list = EXCLUDED.value_list, valid_from = EXCLUDED.valid_from,
                    valid_to = EXCLUDED.valid_to, import_id = EXCLUDED.import_id,
                    recorded_by = EXCLUDED.recorded_by, recorded_at = now()
       WHERE (person_fact.value_numeric, person_fact.value_boolean, person_fact.value_list,
              person_fact.valid_from, person_fact.valid_to)
             IS DISTINCT FROM
             (EXCLUDED.value_numeric, EXCLUDED.value_boolean, EXCLUDED.value_list,
              EXCLUDED.valid_from, EXCLUDED.valid_to)
      RETURNING person_id, kind, coalesce(tax_year, 0) AS tax_year, as_of, (xmax = 0) AS created),
    outcome AS (
      SELECT e.line, bool_or(w.created) AS created, bool_or(NOT w.created) AS updated
        FROM eligible e
        JOIN w ON w.person_id = e.person_id AND w.kind = e.kind AND w.tax_year = coalesce(e.tax_year, 0)
              AND w.as_of = e.as_of
       GROUP BY e.line)
    ${countsOf(f)}`;
}

/**
 * The dry run: what the merge of the whole job would do, without writing ($1 job, $2 = 0,
 * $3 = last line, $4 source): the counts and up to 20 sample differences.
 */
export function previewSql(f: FactFeed): string {
  return `
    WITH ${eligibleFacts(f)},
    cmp AS MATERIALIZED (
      SELECT e.line, e.kind, h.id IS NULL AS is_new,
             h.id IS NOT NULL AND (h.value_numeric, h.value_boolean, h.value_list, h.valid_from, h.valid_to)
               IS DISTINCT FROM (e.value_numeric, e.value_boolean, e.value_list, e.valid_from, e.valid_to) AS changed,
             coalesce(h.value_numeric::text, h.value_boolean::text, array_to_string(h.value_list, ',')) AS old_value,
             coalesce(e.value_numeric::text, e.value_boolean::text, array_to_string(e.value_list, ',')) AS new_value
        FROM eligible e
        LEFT JOIN person_fact h
          ON h.basis = 'FEED' AND h.person_id = e.person_id AND h.kind = e.kind AND h.source = $4
         AND coalesce(h.tax_year, 0) = coalesce(e.tax_year, 0) AND h.as_of = e.as_of),
    outcome AS (
      SELECT line, bool_or(is_new) AS created, bool_or(changed) AS updated FROM cmp GROUP BY line),
    counts AS (${countsOf(f)})
    SELECT counts.*,
           (SELECT coalesce(jsonb_agg(x ORDER BY x.line, x.fact), '[]'::jsonb)
              FROM (SELECT line, kind AS fact, CASE WHEN is_new THEN 'NEW' ELSE 'CHANGED' END AS change,
                           old_value AS "oldValue", new_value AS "newValue"
                      FROM cmp WHERE is_new OR changed ORDER BY line, kind LIMIT 20) x) AS samples
      FROM counts`;
}
