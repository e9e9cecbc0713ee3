import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The beneficiary registry: people, the six groups, households, ESF participant data, consents,
 * facts from feeds, history and duplicate reviews. Every person and household carries its
 * municipality code (area scope, figures, and a future shard key).
 *
 * A bulk loader (bench, feed imports) must fill on `person`: municipality_code, given_name, surname,
 * given_name_latin, surname_latin, birth_date, gender, afm and/or amka, name_key and phonetic_key
 * (searchKey/phoneticKey of "given_name surname given_name_latin surname_latin", see
 * src/beneficiaries/person-keys.ts); the rest has defaults.
 */
export class Beneficiaries1763900000000 implements MigrationInterface {
  name = 'Beneficiaries1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code text NOT NULL REFERENCES municipality (code),
        given_name text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
        surname text NOT NULL CHECK (length(surname) BETWEEN 1 AND 100),
        father_name text,
        mother_name text,
        given_name_latin text NOT NULL,
        surname_latin text NOT NULL,
        birth_date date NOT NULL,
        gender text NOT NULL CHECK (gender IN ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN')),
        afm text CHECK (afm ~ '^[0-9]{9}$'),
        amka text CHECK (amka ~ '^[0-9]{11}$'),
        paaypa text,
        id_document_type text,
        id_document_number text,
        citizenship text,
        phone text,
        email text,
        address text,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED', 'MERGED')),
        closed_reason text,
        merged_into uuid REFERENCES person (id),
        name_key text NOT NULL,
        phonetic_key text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL DEFAULT 'system',
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'system'
      )`);
    // A person is found by AFM or AMKA once in the whole country; a merged-away record keeps its
    // identifiers for history but no longer claims them.
    await q.query(
      `CREATE UNIQUE INDEX person_afm_uq ON person (afm) WHERE afm IS NOT NULL AND status <> 'MERGED'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX person_amka_uq ON person (amka) WHERE amka IS NOT NULL AND status <> 'MERGED'`,
    );
    await q.query(`CREATE INDEX person_phonetic_key_trgm ON person USING gin (phonetic_key gin_trgm_ops)`);
    // Name search: every word typed must be a word of the phonetic key (BeneficiaryService.search).
    await q.query(
      `CREATE INDEX person_phonetic_words_gin ON person USING gin (string_to_array(phonetic_key, ' '))`,
    );
    await q.query(`CREATE INDEX person_municipality_birth_idx ON person (municipality_code, birth_date)`);
    await q.query(`CREATE INDEX person_updated_idx ON person (updated_at, id)`);
    // Lists without a name to rank by are in surname order (BeneficiaryService.search).
    await q.query(
      `CREATE INDEX person_sort_idx ON person ((lower(surname_latin || ' ' || given_name_latin)), id)`,
    );
    // Likely duplicates are looked for among people born the same day, anywhere in the country.
    await q.query(`CREATE INDEX person_birth_date_idx ON person (birth_date)`);
    await q.query(
      `CREATE INDEX person_merged_into_idx ON person (merged_into) WHERE merged_into IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE person_group (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES person (id),
        group_code text NOT NULL CHECK (group_code IN ('DISABILITY', 'ROMA', 'HOMELESS', 'DESTITUTE')),
        basis text NOT NULL CHECK (basis IN ('SELF_DECLARED', 'DOCUMENT', 'FEED')),
        valid_from date NOT NULL,
        valid_to date,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX person_group_person_idx ON person_group (person_id)`);

    await q.query(`
      CREATE TABLE household (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code text NOT NULL REFERENCES municipality (code),
        address text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE household_member (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        household_id uuid NOT NULL REFERENCES household (id),
        person_id uuid NOT NULL REFERENCES person (id),
        relationship text NOT NULL CHECK (relationship IN ('REFERENCE_PERSON', 'SPOUSE_OR_PARTNER', 'CHILD', 'PARENT', 'SIBLING', 'GRANDCHILD', 'GRANDPARENT', 'OTHER_RELATIVE', 'NON_RELATIVE')),
        joined_on date NOT NULL DEFAULT current_date,
        left_on date
      )`);
    // One current household per person, one current reference person per household.
    await q.query(
      `CREATE UNIQUE INDEX household_member_current_uq ON household_member (person_id) WHERE left_on IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX household_reference_uq ON household_member (household_id) WHERE left_on IS NULL AND relationship = 'REFERENCE_PERSON'`,
    );
    await q.query(`CREATE INDEX household_member_household_idx ON household_member (household_id)`);

    await q.query(`
      CREATE TABLE esf_participant (
        person_id uuid PRIMARY KEY REFERENCES person (id),
        employment_status text NOT NULL CHECK (employment_status IN ('UNEMPLOYED', 'LONG_TERM_UNEMPLOYED', 'INACTIVE', 'EMPLOYED', 'PREFER_NOT_TO_ANSWER')),
        education_level text NOT NULL CHECK (education_level IN ('ISCED_0_2', 'ISCED_3_4', 'ISCED_5_8', 'PREFER_NOT_TO_ANSWER')),
        migrant_or_foreign_background text NOT NULL CHECK (migrant_or_foreign_background IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER')),
        minority text NOT NULL CHECK (minority IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER')),
        disability text NOT NULL CHECK (disability IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER')),
        homeless_or_housing_exclusion text NOT NULL CHECK (homeless_or_housing_exclusion IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER')),
        rural_area text NOT NULL CHECK (rural_area IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER')),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES person (id),
        purpose text NOT NULL,
        given_at timestamptz NOT NULL DEFAULT now(),
        given_by text NOT NULL,
        withdrawn_at timestamptz,
        withdrawn_by text
      )`);
    await q.query(`CREATE INDEX consent_person_idx ON consent (person_id)`);

    // Facts from national feeds; the import issue fills them in bulk (natural key below).
    await q.query(`
      CREATE TABLE person_fact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES person (id),
        kind text NOT NULL CHECK (kind IN ('HOUSEHOLD_INCOME', 'INSURANCE_STATUS', 'DISABILITY_PERCENTAGE', 'UNEMPLOYMENT_REGISTRATION')),
        tax_year integer,
        value_numeric numeric(14, 2),
        value_text text,
        valid_from date,
        valid_to date,
        source text NOT NULL,
        as_of date NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX person_fact_natural_uq ON person_fact (person_id, kind, source, coalesce(tax_year, 0), as_of)`,
    );

    await q.query(`
      CREATE TABLE person_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES person (id),
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        changed_by text NOT NULL,
        change text NOT NULL,
        -- old_values: the changed fields before; snapshot: the whole record after (reads as of a date)
        old_values jsonb,
        snapshot jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX person_history_person_idx ON person_history (person_id, changed_at)`);
    // History is evidence: the application role may add to it, never rewrite it.
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE UPDATE, DELETE, TRUNCATE ON person_history FROM mitroa_app;
        END IF;
      END $$`);

    await q.query(`
      CREATE TABLE duplicate_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_a uuid NOT NULL REFERENCES person (id),
        person_b uuid NOT NULL REFERENCES person (id),
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DISMISSED', 'MERGED')),
        reviewed_by text,
        reviewed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (person_a < person_b),
        UNIQUE (person_a, person_b)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE IF EXISTS duplicate_review, person_history, person_fact, consent, esf_participant, household_member, household, person_group, person`,
    );
  }
}
