/**
 * The outbox's SQL in one place (rule 22). Every statement runs in a transaction the caller opened
 * (a request's, or a job's through TransactionService), as the application role.
 */

/** One event, in the caller's transaction (the insert trigger notifies `mitroa_outbox` at commit). */
export const INSERT_EVENT = `
  INSERT INTO outbox_event (topic, aggregate_type, aggregate_id, municipality_code, provider_id, payload)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb)`;

/**
 * Publishing is serialised by this transaction lock, held to commit: positions are then handed out
 * in commit order, so a reader paging by position never sees n+1 before n exists.
 */
export const PUBLISH_LOCK = `SELECT pg_advisory_xact_lock(hashtext('mitroa.outbox.publish'))`;

/**
 * Gives committed, unpublished events (oldest first, at most $1) their cursor position and fans
 * each out to the active subscriptions whose topics and area match; $2 is the dispatcher's now.
 * Delivery rows are idempotent per (event, subscription).
 */
export const PUBLISH_AND_FAN_OUT = `
  WITH next AS (
    SELECT id, nextval('outbox_event_position_seq') AS position
      FROM (SELECT id FROM outbox_event WHERE position IS NULL ORDER BY seq LIMIT $1 FOR UPDATE) oldest
  ), published AS (
    UPDATE outbox_event e SET position = next.position, published_at = $2
      FROM next WHERE e.id = next.id
    RETURNING e.id, e.topic, e.municipality_code, e.provider_id
  ), fanned AS (
    INSERT INTO webhook_delivery (event_id, subscription_id, next_attempt_at)
    SELECT p.id, s.id, $2
      FROM published p
      JOIN webhook_subscription s
        ON s.active
       AND p.topic = ANY (s.topics)
       AND (s.provider_id IS NULL OR s.provider_id = p.provider_id)
       AND (s.municipality_codes IS NULL OR p.municipality_code = ANY (s.municipality_codes))
    ON CONFLICT (event_id, subscription_id) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM published)::int AS published, (SELECT count(*) FROM fanned)::int AS fanned`;

/**
 * The oldest due delivery no other worker holds, locked until this transaction ends: the POST
 * happens while the lock is held and the outcome is written before COMMIT, so two workers never send
 * the same delivery at once, and a worker that dies mid-way leaves it due for the next one.
 */
export const CLAIM_DUE_DELIVERY = `
  SELECT d.id, d.attempts, s.id AS subscription_id, s.url, s.secret,
         e.id AS event_id, e.topic, e.aggregate_type, e.aggregate_id, e.municipality_code,
         e.provider_id, e.payload, e.created_at, e.position::text AS position
    FROM webhook_delivery d
    JOIN webhook_subscription s ON s.id = d.subscription_id
    JOIN outbox_event e ON e.id = d.event_id
   WHERE d.delivered_at IS NULL AND d.dead_at IS NULL AND d.next_attempt_at <= $1 AND s.active
   ORDER BY d.next_attempt_at
   LIMIT 1
   FOR UPDATE OF d SKIP LOCKED`;

/** $1 id, $2 now, $3 HTTP status. */
export const MARK_DELIVERED = `
  UPDATE webhook_delivery
     SET attempts = attempts + 1, last_attempt_at = $2, last_status = $3, last_error = NULL, delivered_at = $2
   WHERE id = $1`;

/** $1 id, $2 now, $3 HTTP status or null, $4 error, $5 next attempt, $6 dead at (null: will retry). */
export const MARK_FAILED = `
  UPDATE webhook_delivery
     SET attempts = attempts + 1, last_attempt_at = $2, last_status = $3, last_error = $4,
         next_attempt_at = $5, dead_at = $6
   WHERE id = $1`;

export const SUBSCRIPTION_COLUMNS = `id, name, url, topics, region_code, municipality_codes, provider_id, active, created_by, created_at, updated_at`;

export const DELIVERY_COLUMNS = `d.id, d.event_id, d.subscription_id, s.name AS subscription_name, e.topic,
  d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.dead_at, d.created_at`;

/**
 * Dead letters, newest first, keyset-paged by (dead_at, id) below $1/$2, at most $3 + 1; `dead_key`
 * is dead_at to the microsecond (a JavaScript Date keeps milliseconds only) for the next cursor.
 */
export const DEAD_DELIVERIES = `
  SELECT ${DELIVERY_COLUMNS}, to_char(d.dead_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS dead_key
    FROM webhook_delivery d
    JOIN webhook_subscription s ON s.id = d.subscription_id
    JOIN outbox_event e ON e.id = d.event_id
   WHERE d.dead_at IS NOT NULL
     AND ($1::timestamptz IS NULL OR (d.dead_at, d.id) < ($1::timestamptz, $2::uuid))
   ORDER BY d.dead_at DESC, d.id DESC
   LIMIT $3 + 1`;

/**
 * Back in line: due at $2, its attempts counted afresh. Only a dead delivery is requeued. Wrapped in
 * a SELECT because TypeORM answers a bare UPDATE ... RETURNING with [rows, count], not the rows.
 */
export const REQUEUE_DEAD = `
  WITH requeued AS (
    UPDATE webhook_delivery
       SET dead_at = NULL, attempts = 0, next_attempt_at = $2, last_error = NULL
     WHERE id = $1 AND dead_at IS NOT NULL
    RETURNING id
  )
  SELECT id FROM requeued`;

/**
 * Published events after position $1, oldest first, at most $2 + 1, in the caller's area: `$3` the
 * municipality codes (null: the whole country), `$4` a provider (null: none). Row-level security
 * applies the same area underneath.
 */
export const EVENTS_AFTER = `
  SELECT id, position::text AS position, topic, aggregate_type, aggregate_id, municipality_code,
         provider_id, payload, created_at
    FROM outbox_event
   WHERE position IS NOT NULL AND position > $1::bigint
     AND ($4::uuid IS NOT NULL OR $3::text[] IS NULL OR municipality_code = ANY ($3::text[]))
     AND ($4::uuid IS NULL OR provider_id = $4::uuid)
   ORDER BY position
   LIMIT $2 + 1`;

/** $1 name, $2 url, $3 secret, $4 topics, $5 region, $6 municipalities, $7 provider, $8 created by. */
export const INSERT_SUBSCRIPTION = `
  INSERT INTO webhook_subscription (name, url, secret, topics, region_code, municipality_codes, provider_id, created_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  RETURNING ${SUBSCRIPTION_COLUMNS}`;

/** Newest first, capped at $1 (a handful per partner system; never the secret). */
export const LIST_SUBSCRIPTIONS = `
  SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscription ORDER BY created_at DESC, id LIMIT $1`;

/** Deliveries already fanned out to it stay as they are; the claim skips inactive subscriptions (SELECT: see REQUEUE_DEAD). */
export const DEACTIVATE_SUBSCRIPTION = `
  WITH deactivated AS (
    UPDATE webhook_subscription SET active = false, updated_at = now() WHERE id = $1
    RETURNING ${SUBSCRIPTION_COLUMNS}
  )
  SELECT * FROM deactivated`;

export const PROVIDER_EXISTS = `SELECT 1 FROM provider WHERE id = $1`;

export const DELIVERY_BY_ID = `
  SELECT ${DELIVERY_COLUMNS}
    FROM webhook_delivery d
    JOIN webhook_subscription s ON s.id = d.subscription_id
    JOIN outbox_event e ON e.id = d.event_id
   WHERE d.id = $1`;
