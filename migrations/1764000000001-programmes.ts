import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The programme registry (μητρώο προγραμμάτων) and enrolments. Money is numeric(14,2), never a
 * float. Amounts and thresholds are parameters with validity dates: one name of one programme has
 * at most one value on any day (an exclusion constraint). An enrolment links a person to a
 * programme; its area is the person's municipality, read through the join, never copied.
 */
export class Programmes1764000000001 implements MigrationInterface {
  name = 'Programmes1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE programme (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_.-]{1,49}$'),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        search_key text NOT NULL,
        description text,
        kind text NOT NULL CHECK (kind IN ('CASH_BENEFIT', 'IN_KIND_AID', 'SERVICE', 'EMPLOYMENT_OR_TRAINING', 'COUNSELLING')),
        administering_body text NOT NULL,
        administering_provider_id uuid REFERENCES provider (id),
        funding_source text NOT NULL CHECK (funding_source IN ('ESF', 'ESF_PLUS', 'NATIONAL_BUDGET', 'REGIONAL', 'MUNICIPAL', 'EU_OTHER', 'PRIVATE', 'OTHER')),
        operational_programme text,
        priority_axis text,
        budget numeric(14, 2) CHECK (budget >= 0),
        starts_on date,
        ends_on date,
        target_groups text[] NOT NULL DEFAULT '{}',
        national boolean NOT NULL DEFAULT false,
        how_to_apply text,
        where_to_apply text,
        required_documents text[] NOT NULL DEFAULT '{}',
        eligibility_rule jsonb,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('DRAFT', 'ACTIVE', 'SUSPENDED', 'CLOSED')),
        owner_region_code text REFERENCES region (code),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX programme_search_key_trgm ON programme USING gin (search_key gin_trgm_ops)`);
    await q.query(`CREATE INDEX programme_groups_idx ON programme USING gin (target_groups)`);
    await q.query(`CREATE INDEX programme_owner_region_idx ON programme (owner_region_code)`);

    await q.query(`
      CREATE TABLE programme_coverage (
        programme_id uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        area_level text NOT NULL CHECK (area_level IN ('REGION', 'REGIONAL_UNIT', 'MUNICIPALITY')),
        area_code text NOT NULL,
        PRIMARY KEY (programme_id, area_level, area_code)
      )`);
    await q.query(`CREATE INDEX programme_coverage_area_idx ON programme_coverage (area_level, area_code)`);

    await q.query(`
      CREATE TABLE programme_provider (
        programme_id uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES provider (id),
        PRIMARY KEY (programme_id, provider_id)
      )`);
    await q.query(`CREATE INDEX programme_provider_provider_idx ON programme_provider (provider_id)`);

    await q.query(`
      CREATE TABLE programme_parameter (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{1,79}$'),
        value numeric(14, 2) NOT NULL,
        unit text NOT NULL CHECK (unit IN ('EUR', 'EUR_PER_MONTH', 'EUR_PER_YEAR', 'PERCENT', 'YEARS', 'MONTHS', 'COUNT')),
        valid_from date NOT NULL,
        valid_to date,
        description text,
        CHECK (valid_to IS NULL OR valid_to >= valid_from),
        EXCLUDE USING gist (programme_id WITH =, name WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
      )`);

    await q.query(`
      CREATE TABLE enrolment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES person (id),
        programme_id uuid NOT NULL REFERENCES programme (id),
        status text NOT NULL CHECK (status IN ('APPLIED', 'ACTIVE', 'SUSPENDED', 'ENDED')),
        applied_on date NOT NULL,
        started_on date,
        ended_on date,
        source text NOT NULL CHECK (source IN ('CENTRE', 'FEED', 'REFERRAL', 'SELF_SERVICE')),
        source_reference text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CHECK (started_on IS NULL OR started_on >= applied_on),
        CHECK (ended_on IS NULL OR ended_on >= coalesce(started_on, applied_on)),
        CHECK ((status = 'ENDED') = (ended_on IS NOT NULL))
      )`);
    // A person has at most one open enrolment in a programme.
    await q.query(
      `CREATE UNIQUE INDEX enrolment_open_uq ON enrolment (person_id, programme_id) WHERE status <> 'ENDED'`,
    );
    await q.query(`CREATE INDEX enrolment_person_idx ON enrolment (person_id)`);
    await q.query(`CREATE INDEX enrolment_programme_idx ON enrolment (programme_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE IF EXISTS enrolment, programme_parameter, programme_provider, programme_coverage, programme`,
    );
  }
}
