import type { MigrationInterface, QueryRunner } from 'typeorm';
import { transliterate } from '../src/common/greek/elot743.js';
import { searchKey } from '../src/common/greek/search-key.js';
import { MUNICIPALITIES, REGIONAL_UNITS, REGIONS } from './data/geography.js';

/**
 * The service foundation: extensions, the application role, the append-only audit trail, API keys
 * and the country's geography (reference data, the same in every deployment).
 */
export class Foundation1763800000000 implements MigrationInterface {
  name = 'Foundation1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);

    // The role requests run as (SET LOCAL ROLE). Roles are cluster-wide, so it may exist already; a
    // migration user without CREATEROLE gets a notice and must set DATABASE_APP_ROLE to '' (docs/security.md).
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          CREATE ROLE mitroa_app NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user AND r.rolsuper) THEN
          EXECUTE format('GRANT mitroa_app TO %I', current_user);
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'mitroa_app role not created: %', SQLERRM;
      END $$`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          EXECUTE format('GRANT USAGE ON SCHEMA %I TO mitroa_app', current_schema());
          EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mitroa_app', current_schema());
          EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO mitroa_app', current_schema());
          EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO mitroa_app', current_schema());
        END IF;
      END $$`);

    await q.query(`
      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id text NOT NULL,
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous')),
        actor_roles text[] NOT NULL DEFAULT '{}',
        request_id text,
        action text NOT NULL,
        subject_type text,
        subject_id text,
        purpose text,
        outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
        reason text,
        municipality_code text
      )`);
    await q.query(
      `CREATE INDEX audit_event_subject_idx ON audit_event (subject_type, subject_id, occurred_at)`,
    );
    await q.query(`CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_event_occurred_brin ON audit_event USING brin (occurred_at)`);
    // Append-only for everyone, owner included, unless the trigger itself is dropped by a migration.
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`,
    );
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM mitroa_app;
        END IF;
      END $$`);

    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        secret_hash bytea NOT NULL,
        roles text[] NOT NULL,
        permissions text[] NOT NULL DEFAULT '{}',
        region_code text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE region (
        code text PRIMARY KEY,
        nuts2 text NOT NULL,
        name text NOT NULL,
        name_latin text NOT NULL,
        search_key text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE regional_unit (
        code text PRIMARY KEY,
        name text NOT NULL,
        name_latin text NOT NULL,
        region_code text NOT NULL REFERENCES region (code),
        old_prefecture text NOT NULL,
        search_key text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE municipality (
        code text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
        name text NOT NULL,
        name_latin text NOT NULL,
        regional_unit_code text NOT NULL REFERENCES regional_unit (code),
        region_code text NOT NULL REFERENCES region (code),
        nuts2 text NOT NULL,
        population_2021 integer,
        predecessor_2011_code text,
        predecessor_2011_name text,
        change_since_2011 text,
        old_prefecture text NOT NULL,
        centroid_lon double precision,
        centroid_lat double precision,
        centroid_is_parent boolean NOT NULL DEFAULT false,
        search_key text NOT NULL
      )`);
    await q.query(
      `ALTER TABLE api_key ADD CONSTRAINT api_key_region_fk FOREIGN KEY (region_code) REFERENCES region (code)`,
    );
    for (const t of ['region', 'regional_unit', 'municipality']) {
      await q.query(`CREATE INDEX ${t}_search_key_trgm ON ${t} USING gin (search_key gin_trgm_ops)`);
    }
    await q.query(`CREATE INDEX municipality_region_idx ON municipality (region_code)`);
    await q.query(`CREATE INDEX municipality_regional_unit_idx ON municipality (regional_unit_code)`);

    await q.query(
      `INSERT INTO region (code, nuts2, name, name_latin, search_key)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, nuts2 text, name text, name_latin text, search_key text)`,
      [JSON.stringify(REGIONS.map(([code, nuts2, name]) => ({ code, nuts2, name, ...names(name) })))],
    );
    await q.query(
      `INSERT INTO regional_unit (code, name, region_code, old_prefecture, name_latin, search_key)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, region_code text, old_prefecture text, name_latin text, search_key text)`,
      [
        JSON.stringify(
          REGIONAL_UNITS.map(([code, name, region_code, old_prefecture]) => ({
            code,
            name,
            region_code,
            old_prefecture,
            ...names(name),
          })),
        ),
      ],
    );
    await q.query(
      `INSERT INTO municipality (code, name, regional_unit_code, region_code, nuts2, population_2021, predecessor_2011_code,
         predecessor_2011_name, change_since_2011, old_prefecture, centroid_lon, centroid_lat, centroid_is_parent, name_latin, search_key)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, regional_unit_code text, region_code text, nuts2 text,
         population_2021 integer, predecessor_2011_code text, predecessor_2011_name text, change_since_2011 text, old_prefecture text,
         centroid_lon double precision, centroid_lat double precision, centroid_is_parent boolean, name_latin text, search_key text)`,
      [
        JSON.stringify(
          MUNICIPALITIES.map((m) => ({
            code: m[0],
            name: m[1],
            regional_unit_code: m[2],
            region_code: m[3],
            nuts2: m[4],
            population_2021: m[5],
            predecessor_2011_code: m[6],
            predecessor_2011_name: m[7],
            change_since_2011: m[8],
            old_prefecture: m[9],
            centroid_lon: m[10],
            centroid_lat: m[11],
            centroid_is_parent: m[12],
            ...names(m[1]),
          })),
        ),
      ],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS api_key, municipality, regional_unit, region`);
    await q.query(`DROP TABLE IF EXISTS audit_event`);
    await q.query(`DROP FUNCTION IF EXISTS audit_event_append_only()`);
  }
}

function names(name: string): { name_latin: string; search_key: string } {
  return { name_latin: transliterate(name), search_key: searchKey(name) };
}
