import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed links (issue 12): a provider with no account sees and answers one referral through a URL
 * that carries a signed token (src/referrals/referral-link-token.ts). The token names its row here;
 * the row is what expires and what a centre revokes, and its last use is kept.
 *
 * Row-level security as for referral_history: a link follows its referral, so it is visible to the
 * referring area and to the receiving provider (the link itself acts with that provider's scope).
 * Audit rows of a link's reads and answers carry the actor kind `referral_link`.
 */
export class ReferralLinks1764500000000 implements MigrationInterface {
  name = 'ReferralLinks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referral_link (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        referral_id uuid NOT NULL REFERENCES referral (id),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by text,
        last_used_at timestamptz,
        CHECK (expires_at > created_at),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await q.query(`CREATE INDEX referral_link_referral_idx ON referral_link (referral_id)`);

    const follows = `EXISTS (SELECT 1 FROM referral r WHERE r.id = referral_id)`;
    await q.query(`ALTER TABLE referral_link ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY area_read ON referral_link FOR SELECT USING (${follows})`);
    // Only the referring area creates a link (a provider has no business handing its inbox out).
    await q.query(`
      CREATE POLICY area_insert ON referral_link FOR INSERT WITH CHECK (EXISTS (
        SELECT 1 FROM referral r WHERE r.id = referral_id AND mitroa_in_area(r.from_municipality_code)))`);
    await q.query(
      `CREATE POLICY area_update ON referral_link FOR UPDATE USING (${follows}) WITH CHECK (${follows})`,
    );
    await q.query(`CREATE POLICY area_delete ON referral_link FOR DELETE USING (false)`);

    await q.query(`ALTER TABLE audit_event DROP CONSTRAINT audit_event_actor_kind_check`);
    await q.query(`
      ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
        CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous', 'referral_link')) NOT VALID`);
    await q.query(`ALTER TABLE audit_event VALIDATE CONSTRAINT audit_event_actor_kind_check`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event DROP CONSTRAINT audit_event_actor_kind_check`);
    // The trail is append-only: rows written by links stay, so the old rule holds for new rows only.
    await q.query(`
      ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
        CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous')) NOT VALID`);
    await q.query(`DROP TABLE referral_link`);
  }
}
