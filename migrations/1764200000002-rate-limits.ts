import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The counters of the rate limits (src/auth/shared-limiter.ts), in the one database every replica
 * shares, so that a caller's limit holds however many replicas serve it. The layout is the one
 * rate-limiter-flexible's RateLimiterPostgres reads and writes (key, points, expire in epoch ms),
 * made here rather than by the library at run time.
 *
 * UNLOGGED: counters are worth no WAL; a crash empties the table, which only resets every window.
 * fillfactor 50: every request updates its caller's row, and room on the page keeps those updates
 * HOT. The limiters run on the service's login role before a request's transaction opens, never as
 * mitroa_app: a request's SQL cannot read or reset anyone's counter.
 */
export class RateLimits1764200000002 implements MigrationInterface {
  name = 'RateLimits1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit (
        key text PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      ) WITH (fillfactor = 50)`);
    await q.query(`REVOKE ALL ON rate_limit FROM PUBLIC`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          REVOKE ALL ON rate_limit FROM mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit`);
  }
}
