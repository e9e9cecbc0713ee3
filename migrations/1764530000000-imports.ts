import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feed imports (issue 13): the job, its stored file, its row problems, the staging tables the
 * pipeline COPYs into, and the precedence of sources per fact. docs/imports.md, "Pipeline".
 *
 * - `import_job`: one per uploaded file; its status, phase, counts, progress and checkpoint. The
 *   checkpoints (`staged_line` while staging, `checkpoint` while merging) are written in the same
 *   transaction as the rows they account for, so a worker killed at any point resumes exactly.
 *   The same file (sha256) of the same feed is imported once: a second upload is recorded as a
 *   duplicate of the first (`duplicate_of`), which `import_job_file_uq` also holds under a race.
 * - `import_file_chunk`: the uploaded file itself, in 1 MB chunks written while it streams in, so
 *   that any worker on any machine can run or resume the job; purged after the retention period.
 * - `import_row_problem`: a bad row's line, field, code and message (never a whole identifier).
 * - `import_staging_<feed>`: UNLOGGED (no WAL: it is rebuilt from the stored file if PostgreSQL
 *   itself crashes, see ImportRunner), one text column per canonical field of the feed as the
 *   format readers give it, and what validation adds (the person matched, the outcome, the group).
 * - `fact_source_precedence`: which feed may write which fact, and which feed wins when two supply
 *   the same fact (rank 1 first). Feeds only ever write rows of basis FEED under their own source;
 *   rows recorded by staff (DOCUMENT, STAFF, SELF_DECLARED) are never touched by an import.
 *
 * Row-level security: import tables are for national callers only (`mitroa.area` = '*', the scope
 * of import operators and national administrators); with no area set a query sees none of them.
 * Staging tables hold identifiers of people of every area and are the job's alone: no policy (no
 * request role sees a row) and no privilege for the application role. Jobs run as the service's
 * own database user, the tables' owner (PostgreSQL refuses COPY FROM under row-level security).
 */
export const STAGING_COLUMNS: Record<string, string[]> = {
  taxis: [
    'afm',
    'tax_year',
    'household_income',
    'income_salary',
    'income_pension',
    'income_business',
    'income_farming',
    'income_rental',
    'income_other',
    'real_estate_value',
    'vehicles',
    'vehicle_value',
  ],
  efka: ['amka', 'reference_date', 'insured', 'employment_status', 'receives_pension', 'pension_amount'],
  opeka: ['amka', 'afm', 'benefit_code', 'period_start', 'period_end', 'amount_paid'],
  kepa: ['amka', 'percentage', 'valid_from', 'valid_to'],
  dypa: ['amka', 'registered_since', 'reference_date'],
};

const PRECEDENCE: Array<[kind: string, source: string, rank: number]> = [
  ['household_income_annual', 'TAXIS', 1],
  ['real_estate_value', 'TAXIS', 1],
  ['vehicle_value', 'TAXIS', 1],
  ['insured', 'EFKA', 1],
  ['receives_pension', 'EFKA', 1],
  ['pension_amount', 'EFKA', 1],
  // A registration with the employment service says more about unemployment than an insurance record.
  ['unemployed', 'DYPA', 1],
  ['unemployed', 'EFKA', 2],
  ['disability_percentage', 'KEPA', 1],
  ['benefits_received', 'OPEKA', 1],
];

const NATIONAL = `current_setting('mitroa.area', true) = '*'`;
const TABLES = ['import_job', 'import_file_chunk', 'import_row_problem', 'fact_source_precedence'];

export class Imports1764530000000 implements MigrationInterface {
  name = 'Imports1764530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        feed text NOT NULL CHECK (feed IN ('TAXIS', 'EFKA', 'OPEKA', 'KEPA', 'DYPA', 'REGISTRY')),
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        byte_size bigint NOT NULL CHECK (byte_size >= 0),
        -- As asked; once the job has read the file, as detected.
        format text CHECK (format IN ('CSV', 'FIXED_WIDTH', 'JSONL')),
        encoding text CHECK (encoding IN ('UTF-8', 'WINDOWS-1253', 'ISO-8859-7')),
        dry_run boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        phase text NOT NULL DEFAULT 'STAGE' CHECK (phase IN ('STAGE', 'VALIDATE', 'MERGE', 'DONE')),
        rows_read int NOT NULL DEFAULT 0,
        rows_created int NOT NULL DEFAULT 0,
        rows_updated int NOT NULL DEFAULT 0,
        rows_unchanged int NOT NULL DEFAULT 0,
        rows_unmatched int NOT NULL DEFAULT 0,
        rows_rejected int NOT NULL DEFAULT 0,
        rows_staged int NOT NULL DEFAULT 0,
        staged_line int NOT NULL DEFAULT 0,
        rows_done int NOT NULL DEFAULT 0,
        rows_total int,
        checkpoint int NOT NULL DEFAULT 0,
        duplicate_of uuid REFERENCES import_job (id),
        preview jsonb,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        file_purged_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        error text CHECK (length(error) <= 2000)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX import_job_file_uq ON import_job (feed, sha256) WHERE NOT dry_run AND duplicate_of IS NULL AND status <> 'FAILED'`,
    );
    await q.query(`CREATE INDEX import_job_created_idx ON import_job (created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX import_job_pending_idx ON import_job (feed, created_at) WHERE status IN ('QUEUED', 'RUNNING')`,
    );
    await q.query(
      `CREATE INDEX import_job_finished_idx ON import_job (finished_at) WHERE finished_at IS NOT NULL`,
    );

    // The job row is written when the upload has ended (its sha256 known), after its chunks.
    await q.query(`
      CREATE TABLE import_file_chunk (
        job_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        seq int NOT NULL,
        bytes bytea NOT NULL,
        PRIMARY KEY (job_id, seq)
      )`);
    await q.query(`
      CREATE TABLE import_row_problem (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
        line int NOT NULL,
        field text,
        code text NOT NULL,
        message text NOT NULL CHECK (length(message) <= 500)
      )`);
    await q.query(`CREATE INDEX import_row_problem_job_idx ON import_row_problem (job_id, line)`);

    for (const [feed, columns] of Object.entries(STAGING_COLUMNS)) {
      await q.query(`
        CREATE UNLOGGED TABLE import_staging_${feed} (
          job_id uuid NOT NULL,
          line int NOT NULL,
          rejected boolean NOT NULL DEFAULT false,
          ${columns.map((c) => `${c} text`).join(', ')},
          person_id uuid,
          -- NULL: to merge; UNMATCHED or DUPLICATE after validation.
          outcome text,
          -- The last line of the rows merged together with this one (itself, but for OPEKA's periods).
          group_end int,
          PRIMARY KEY (job_id, line)
        )`);
      await q.query(
        `CREATE INDEX import_staging_${feed}_group_idx ON import_staging_${feed} (job_id, group_end) WHERE outcome IS NULL AND NOT rejected`,
      );
    }

    await q.query(`
      CREATE TABLE fact_source_precedence (
        kind text NOT NULL,
        source text NOT NULL,
        rank int NOT NULL CHECK (rank >= 1),
        PRIMARY KEY (kind, source)
      )`);
    await q.query(
      `INSERT INTO fact_source_precedence (kind, source, rank) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`,
      [PRECEDENCE.map((p) => p[0]), PRECEDENCE.map((p) => p[1]), PRECEDENCE.map((p) => p[2])],
    );

    const staging = Object.keys(STAGING_COLUMNS).map((f) => `import_staging_${f}`);
    for (const table of [...TABLES, ...staging])
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    for (const table of TABLES)
      await q.query(`CREATE POLICY national_only ON ${table} USING (${NATIONAL}) WITH CHECK (${NATIONAL})`);
    // Precedence is configuration: requests read it, only migrations change it.
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON fact_source_precedence FROM mitroa_app;
          REVOKE ALL ON ${staging.join(', ')} FROM mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const feed of Object.keys(STAGING_COLUMNS)) await q.query(`DROP TABLE import_staging_${feed}`);
    await q.query(`DROP TABLE fact_source_precedence, import_row_problem, import_file_chunk, import_job`);
  }
}
