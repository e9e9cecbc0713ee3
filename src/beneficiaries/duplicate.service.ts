import { Injectable } from '@nestjs/common';
import { AccessPurpose } from '../audit/purpose.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { keysetPage } from '../common/keyset-page.js';
import { type ConnectionShape, type PageArgs } from '../common/pagination.js';
import { SqlParams } from '../common/sql.js';
import { queryRows } from '../database/query-rows.js';
import { BeneficiaryError, BeneficiaryErrorCode } from './beneficiary.errors.js';
import { DuplicateReviewStatus, DuplicateReviewView, type Beneficiary } from './beneficiary.model.js';
import {
  appendHistory,
  PERSON_COLUMNS,
  personInScope,
  scopeSql,
  toBeneficiary,
  type PersonRow,
} from './person-rows.js';
import { todayInAthens } from '../common/athens-time.js';
import { isUuid } from '../common/validators.js';

/** Names at least this similar (trigram similarity of the phonetic keys) on the same birth date are queued. */
export const LIKELY_DUPLICATE_SIMILARITY = 0.5;

/**
 * A new (or renamed) person is queued against at most this many best candidates in the caller's
 * area, and this many in other areas: at most 10 review rows per registration (docs/beneficiaries.md).
 */
export const LIKELY_DUPLICATE_CANDIDATES = 5;

/** Fields a merge fills on the surviving record when it has none and the merged one has. */
const FILLED_ON_MERGE = [
  'father_name',
  'mother_name',
  'afm',
  'amka',
  'paaypa',
  'id_document_type',
  'id_document_number',
  'citizenship',
  'phone',
  'email',
  'address',
] as const;

interface ReviewRow {
  id: string;
  person_a: string;
  person_b: string;
  reason: string;
  status: string;
  created_at: Date;
  /** created_at with its microseconds, for keyset cursors */
  reviewed_at: Date | null;
}

/**
 * Likely duplicates: records that may be the same person though their identifiers differ or are
 * missing (same birth date, names alike in any script). They are queued for a person to review;
 * nothing is merged automatically. A centre reviews pairs whose both records are in its area;
 * pairs across areas are for national administrators.
 */
@Injectable()
export class DuplicateService {
  /**
   * Queues pairs of `personId` with active records born the same day with similar names, and
   * returns how many of them are in the caller's area. Only the best candidates are queued: at most
   * LIKELY_DUPLICATE_CANDIDATES in the caller's area and as many elsewhere, so the review queue
   * grows linearly with registrations, not with the square of a common name. Candidates in other
   * areas are queued for national reviewers but never counted to the caller: a centre learns
   * nothing here about people outside its area (docs/security.md).
   */
  async queueLikelyDuplicates(ctx: RequestContext, personId: string): Promise<number> {
    // Other areas' people are invisible under row-level security, so the candidates are found and
    // queued by a definer function (migration 1764100000000) that answers with a count only.
    const rows: Array<{ n: number }> = await ctx.em.query(`SELECT queue_likely_duplicates($1, $2, $3) AS n`, [
      personId,
      LIKELY_DUPLICATE_SIMILARITY,
      LIKELY_DUPLICATE_CANDIDATES,
    ]);
    return rows[0]?.n ?? 0;
  }

  /** Review pairs whose both records are active and in the caller's area, oldest first. */
  async list(
    ctx: RequestContext,
    status: DuplicateReviewStatus,
    page: PageArgs,
  ): Promise<ConnectionShape<DuplicateReviewView>> {
    ctx.require(Permission.PERSON_READ, 'duplicate_review.list');
    ctx.requirePurpose('duplicate_review.list');
    const q = new SqlParams();
    const state = q.p(status);
    const found = await keysetPage<ReviewRow>(ctx.em, {
      q,
      columns: 'r.*',
      from: 'duplicate_review r JOIN person a ON a.id = r.person_a JOIN person b ON b.id = r.person_b',
      where: [
        `r.status = ${state}`,
        scopeSql(ctx, 'a.municipality_code', q.values),
        scopeSql(ctx, 'b.municipality_code', q.values),
        `(${state} <> 'OPEN' OR (a.status = 'ACTIVE' AND b.status = 'ACTIVE'))`,
      ],
      keys: [
        { sql: 'r.created_at', part: 'timestamp' },
        { sql: 'r.id', part: 'uuid' },
      ],
      first: page.first,
      after: page.after,
      count: true,
    });
    return found.connection(toView);
  }

  /** Marks a pair as two different people. */
  async dismiss(ctx: RequestContext, reviewId: string): Promise<DuplicateReviewView> {
    ctx.require(Permission.PERSON_WRITE, 'duplicate_review.dismiss', {
      type: 'duplicate_review',
      id: reviewId,
    });
    const review = await this.openReviewInScope(ctx, reviewId, 'duplicate_review.dismiss');
    const [row] = await queryRows<ReviewRow>(
      ctx.em,
      `UPDATE duplicate_review SET status = 'DISMISSED', reviewed_by = $2, reviewed_at = now()
        WHERE id = $1 RETURNING *`,
      [review.id, ctx.actor.id],
    );
    ctx.audit({
      action: 'duplicate_review.dismiss',
      subjectType: 'duplicate_review',
      subjectId: review.id,
      outcome: 'allowed',
    });
    return toView(row!);
  }

  /**
   * Merges the pair into `survivorId`. Nothing is lost: the other record stays, marked MERGED and
   * pointing at the survivor, with its own history (which the survivor's history then includes);
   * its group memberships, consents, facts, enrolments, ESF answers and household place move to the survivor
   * where the survivor has none; fields empty on the survivor are filled from it.
   */
  async merge(ctx: RequestContext, reviewId: string, survivorId: string): Promise<Beneficiary> {
    ctx.require(Permission.PERSON_WRITE, 'person.merge', { type: 'duplicate_review', id: reviewId });
    const review = await this.openReviewInScope(ctx, reviewId, 'person.merge');
    if (survivorId !== review.person_a && survivorId !== review.person_b)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.REVIEW_CLOSED,
        'The surviving record must be one of the two records of the review.',
        [{ field: 'survivorId', reason: 'not part of this review' }],
      );
    // Lock both in a fixed order so that two merges of overlapping pairs cannot deadlock.
    const [first, second] = [review.person_a, review.person_b];
    const a = await personInScope(ctx, first, 'person.merge', { forUpdate: true });
    const b = await personInScope(ctx, second, 'person.merge', { forUpdate: true });
    const survivor = a.id === survivorId ? a : b;
    const merged = a.id === survivorId ? b : a;
    for (const p of [survivor, merged])
      if (p.status !== 'ACTIVE')
        throw new BeneficiaryError(
          BeneficiaryErrorCode.PERSON_NOT_ACTIVE,
          `Record ${p.id} is no longer active.`,
        );

    await ctx.em.query(
      `UPDATE person SET status = 'MERGED', merged_into = $2, version = version + 1, updated_at = now(), updated_by = $3 WHERE id = $1`,
      [merged.id, survivor.id, ctx.actor.id],
    );
    const filled = FILLED_ON_MERGE.filter((c) => survivor[c] === null && merged[c] !== null);
    if (filled.length > 0) {
      const sets = filled.map((c, i) => `${c} = $${i + 3}`).join(', ');
      await ctx.em.query(
        `UPDATE person SET ${sets}, version = version + 1, updated_at = now(), updated_by = $2 WHERE id = $1`,
        [survivor.id, ctx.actor.id, ...filled.map((c) => merged[c])],
      );
    }
    await ctx.em.query(`UPDATE person_group SET person_id = $2 WHERE person_id = $1`, [
      merged.id,
      survivor.id,
    ]);
    await ctx.em.query(`UPDATE consent SET person_id = $2 WHERE person_id = $1`, [merged.id, survivor.id]);
    await ctx.em.query(
      `UPDATE person_fact f SET person_id = $2 WHERE f.person_id = $1 AND (f.basis <> 'FEED' OR NOT EXISTS (
         SELECT 1 FROM person_fact s WHERE s.person_id = $2 AND s.basis = 'FEED' AND s.kind = f.kind
            AND s.source = f.source AND coalesce(s.tax_year, 0) = coalesce(f.tax_year, 0) AND s.as_of = f.as_of))`,
      [merged.id, survivor.id],
    );
    // Enrolments follow the person, unless the survivor already has an open one in that programme.
    await ctx.em.query(
      `UPDATE enrolment e SET person_id = $2 WHERE e.person_id = $1 AND (e.status = 'ENDED' OR NOT EXISTS (
         SELECT 1 FROM enrolment s WHERE s.person_id = $2 AND s.programme_id = e.programme_id AND s.status <> 'ENDED'))`,
      [merged.id, survivor.id],
    );
    await ctx.em.query(
      `UPDATE esf_participant SET person_id = $2 WHERE person_id = $1
          AND NOT EXISTS (SELECT 1 FROM esf_participant WHERE person_id = $2)`,
      [merged.id, survivor.id],
    );
    await ctx.em.query(
      `UPDATE household_member SET person_id = $2 WHERE person_id = $1 AND left_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM household_member WHERE person_id = $2 AND left_on IS NULL)`,
      [merged.id, survivor.id],
    );
    await ctx.em.query(`UPDATE household_member SET left_on = $2 WHERE person_id = $1 AND left_on IS NULL`, [
      merged.id,
      todayInAthens(),
    ]);
    await appendHistory(ctx, merged.id, 'MERGED_INTO', { status: merged.status, merged_into: null });
    await appendHistory(ctx, survivor.id, 'MERGED_FROM', Object.fromEntries(filled.map((c) => [c, null])));
    await ctx.em.query(
      `UPDATE duplicate_review SET status = 'MERGED', reviewed_by = $2, reviewed_at = now() WHERE id = $1`,
      [review.id, ctx.actor.id],
    );
    for (const p of [survivor, merged])
      ctx.audit({
        action: 'person.merge',
        subjectType: 'person',
        subjectId: p.id,
        outcome: 'allowed',
        municipalityCode: p.municipality_code,
        purpose: ctx.purpose ?? AccessPurpose.DUPLICATE_REVIEW,
      });
    const [row] = (await ctx.em.query(`SELECT ${PERSON_COLUMNS} FROM person p WHERE p.id = $1`, [
      survivor.id,
    ])) as PersonRow[];
    return toBeneficiary(row!);
  }

  /** An open review whose both records are in the caller's area; otherwise NOT_FOUND. */
  private async openReviewInScope(ctx: RequestContext, reviewId: string, action: string): Promise<ReviewRow> {
    if (!isUuid(reviewId)) throw new NotFoundError('duplicate review', reviewId);
    const params: unknown[] = [reviewId];
    const scopeA = scopeSql(ctx, 'a.municipality_code', params);
    const scopeB = scopeSql(ctx, 'b.municipality_code', params);
    const rows: ReviewRow[] = await ctx.em.query(
      `SELECT r.* FROM duplicate_review r JOIN person a ON a.id = r.person_a JOIN person b ON b.id = r.person_b
        WHERE r.id = $1 AND ${scopeA} AND ${scopeB} FOR UPDATE OF r`,
      params,
    );
    const review = rows[0];
    if (!review) {
      ctx.audit({
        action,
        subjectType: 'duplicate_review',
        subjectId: reviewId,
        outcome: 'denied',
        reason: 'not found in area',
      });
      throw new NotFoundError('duplicate review', reviewId);
    }
    if (review.status !== 'OPEN')
      throw new BeneficiaryError(
        BeneficiaryErrorCode.REVIEW_CLOSED,
        `This review was already closed (${review.status.toLowerCase()}).`,
      );
    return review;
  }
}

function toView(r: ReviewRow): DuplicateReviewView {
  const v = new DuplicateReviewView();
  v.id = r.id;
  v.personAId = r.person_a;
  v.personBId = r.person_b;
  v.reason = r.reason;
  v.status = r.status as DuplicateReviewStatus;
  v.createdAt = new Date(r.created_at);
  v.reviewedAt = r.reviewed_at ? new Date(r.reviewed_at) : null;
  return v;
}
