import PgBoss from 'pg-boss';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema pg-boss keeps its queues in (src/jobs/job-queue.ts). */
const BOSS_SCHEMA = 'pgboss';

/**
 * The transactional outbox and webhooks (issue 12), and the job queue's own schema.
 *
 * outbox_event is written in the transaction of the change it describes (OutboxService.enqueue);
 * `seq` is write order. `position` is the cursor partner systems page by: it is given by the
 * dispatcher under an advisory lock after commit, so positions become visible in increasing order and
 * a reader that has seen position n never later meets an event below n (a sequence taken at write time
 * would: a transaction that took seq 5 may commit after one that took seq 6).
 *
 * pg-boss's schema is made here, from pg-boss's own construction plan, rather than by pg-boss at
 * start: every test database is cloned from the migrated template and the embedded database is
 * migrated at start-up, so both have the queue before any worker runs, and the role requests run as
 * (mitroa_app) gets no right on it (default privileges cover `public` only). The worker still starts
 * pg-boss with migrate on, so a later pg-boss version upgrades its schema itself.
 */
export class Outbox1764400000100 implements MigrationInterface {
  name = 'Outbox1764400000100';

  async up(q: QueryRunner): Promise<void> {
    // The plan brings its own BEGIN/COMMIT; the migration already runs in a transaction.
    const plan = PgBoss.getConstructionPlans(BOSS_SCHEMA)
      .replace(/^\s*BEGIN;/, '')
      .replace(/COMMIT;\s*$/, '')
      .replace(/SET LOCAL idle_in_transaction_session_timeout = '30s';/, '');
    await q.query(plan);

    await q.query(`
      CREATE TABLE outbox_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        position bigint,
        topic text NOT NULL CHECK (topic ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        municipality_code text,
        provider_id uuid,
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        CONSTRAINT outbox_event_position_key UNIQUE (position)
      )`);
    // Workers LISTEN on mitroa_outbox to publish at once; NOTIFY is sent at commit only, once per
    // transaction however many events it wrote, and a bulk insert notifies as well as one.
    await q.query(`
      CREATE FUNCTION outbox_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('mitroa_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER outbox_event_notify AFTER INSERT ON outbox_event FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_notify()`,
    );
    await q.query(`CREATE SEQUENCE outbox_event_position_seq OWNED BY outbox_event.position`);
    await q.query(`CREATE INDEX outbox_event_unpublished_idx ON outbox_event (seq) WHERE position IS NULL`);
    await q.query(
      `CREATE INDEX outbox_event_municipality_idx ON outbox_event (municipality_code, position) WHERE position IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX outbox_event_provider_idx ON outbox_event (provider_id, position) WHERE position IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE webhook_subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        url text NOT NULL CHECK (url ~ '^https?://'),
        secret text NOT NULL CHECK (length(secret) >= 32),
        topics text[] NOT NULL CHECK (cardinality(topics) > 0),
        region_code text,
        municipality_codes text[],
        provider_id uuid,
        active boolean NOT NULL DEFAULT true,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_subscription_name_key UNIQUE (name)
      )`);

    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES outbox_event (id) ON DELETE CASCADE,
        subscription_id uuid NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        last_status integer,
        last_error text,
        delivered_at timestamptz,
        dead_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_delivery_event_subscription_key UNIQUE (event_id, subscription_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX webhook_delivery_dead_idx ON webhook_delivery (dead_at DESC) WHERE dead_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX webhook_delivery_subscription_idx ON webhook_delivery (subscription_id)`);

    // An event's payload may carry what a referral shares: read by area like a person (rule 20), or
    // by the provider the event concerns (`mitroa.provider`, set by the pull for provider callers).
    // Any transaction may append one; none may delete one.
    await q.query(`ALTER TABLE outbox_event ENABLE ROW LEVEL SECURITY`);
    const visible = `mitroa_in_area(municipality_code) OR (provider_id IS NOT NULL AND provider_id::text = current_setting('mitroa.provider', true))`;
    await q.query(`CREATE POLICY area_read ON outbox_event FOR SELECT USING (${visible})`);
    await q.query(`CREATE POLICY area_insert ON outbox_event FOR INSERT WITH CHECK (true)`);
    await q.query(
      `CREATE POLICY area_update ON outbox_event FOR UPDATE USING (${visible}) WITH CHECK (true)`,
    );
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE DELETE, TRUNCATE ON outbox_event FROM mitroa_app;
          GRANT USAGE, SELECT ON SEQUENCE outbox_event_position_seq TO mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook_subscription`);
    await q.query(`DROP TABLE outbox_event`);
    await q.query(`DROP FUNCTION outbox_event_notify()`);
    await q.query(`DROP SCHEMA ${BOSS_SCHEMA} CASCADE`);
  }
}
