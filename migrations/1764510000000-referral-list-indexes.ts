import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The two lists a referral desk opens most, read from small partial indexes (bench/referrals.bench.ts,
 * 200,000 referrals, docs/performance.md "Referrals (issue 12)"):
 *
 * - A centre's overdue referrals (`referrals(overdue: true, status: SENT)`): without an index the
 *   plan read every referral of the municipality through referral_from_idx (12,624 rows for the
 *   largest) to keep the 136 flagged and still waiting. `overdue` stays true after an answer, so the
 *   same index also serves the list of every referral ever flagged (by municipality and status).
 * - A provider's referrals waiting for its answer (`referrals(status: SENT)` as provider staff):
 *   intersected before from referral_provider_idx (all of the provider's) and referral_sent_due_idx
 *   (every SENT referral of the country).
 */
export class ReferralListIndexes1764510000000 implements MigrationInterface {
  name = 'ReferralListIndexes1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX referral_overdue_idx ON referral (from_municipality_code, status, updated_at DESC, id DESC)
         WHERE overdue`,
    );
    await q.query(
      `CREATE INDEX referral_provider_waiting_idx ON referral (provider_id, updated_at DESC, id DESC)
         WHERE status = 'SENT'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX referral_provider_waiting_idx`);
    await q.query(`DROP INDEX referral_overdue_idx`);
  }
}
