import type { RequestContext } from '../auth/request-context.js';
import { canSeeSpecialCategory, SPECIAL_CATEGORY_GROUP_CODES } from '../auth/special-category.js';
import type { SqlParams } from '../common/sql.js';

/**
 * The referral module's SQL in one place (rule 22). Every read goes through `visibleSql`, the one
 * scope predicate (rule 20) that row-level security repeats underneath (migration
 * 1764400000000-referrals): the referring area, the holding centre of a hand-over, or the staff of
 * the receiving provider; special-category referrals only with that permission (rule 17).
 */

/** Needs whose mere mention is health data (GDPR Art. 9), like a ROMA or DISABILITY target group. */
export const SPECIAL_CATEGORY_NEEDS: readonly string[] = ['HEALTH'];

/** The columns of a referral row as the service reads them; `shared` is what the referral shares now. */
export const REFERRAL_COLUMNS = `r.id, r.kind, r.status, r.person_id, r.from_municipality_code, r.referred_by,
  r.provider_id, r.provider_service_id, r.programme_id, r.to_municipality_code, r.category_code, r.notes,
  r.urgency, to_char(r.due_on, 'YYYY-MM-DD') AS due_on, r.shared_fields, r.legal_basis, r.legal_basis_note,
  r.rejection_reason, r.outcome, r.overdue, r.reminders, r.enrolment_id, r.sent_at, r.accepted_at,
  r.completed_at, r.version, r.updated_at, r.special_category, r.person_municipality_code`;

/** FROM clause giving every column of REFERRAL_COLUMNS (the person's municipality for the audit). */
export const REFERRAL_FROM = `(SELECT r0.*, pe.municipality_code AS person_municipality_code
    FROM referral r0 LEFT JOIN person pe ON pe.id = r0.person_id) r`;

export interface ReferralRow {
  id: string;
  kind: string;
  status: string;
  person_id: string;
  from_municipality_code: string;
  referred_by: string;
  provider_id: string | null;
  provider_service_id: string | null;
  programme_id: string | null;
  to_municipality_code: string | null;
  category_code: string | null;
  notes: string | null;
  urgency: string;
  due_on: string;
  shared_fields: string[];
  legal_basis: string | null;
  legal_basis_note: string | null;
  rejection_reason: string | null;
  outcome: string | null;
  overdue: boolean;
  reminders: number;
  enrolment_id: string | null;
  sent_at: Date | null;
  accepted_at: Date | null;
  completed_at: Date | null;
  version: number;
  updated_at: Date;
  special_category: boolean;
  /** Null for provider staff: row security hides the person from them. */
  person_municipality_code: string | null;
  shared?: Record<string, unknown> | null;
}

/**
 * The referrals the caller may see: national callers all; provider staff those addressed to their
 * provider; centres those they sent and the hand-overs asked of them. Appends its parameters.
 */
export function visibleSql(ctx: RequestContext, q: SqlParams, alias = 'r'): string {
  const scope = ctx.actor.scope;
  const special = canSeeSpecialCategory(ctx) ? 'TRUE' : `NOT ${alias}.special_category`;
  if (scope.level === 'national') return special;
  if (scope.level === 'provider') return `${alias}.provider_id = ${q.p(scope.providerId)} AND ${special}`;
  const codes = q.p(scope.municipalityCodes);
  return `(${alias}.from_municipality_code = ANY(${codes}::text[]) OR ${alias}.to_municipality_code = ANY(${codes}::text[])) AND ${special}`;
}

/**
 * Whether a referral to this target reveals Art. 9 data: its service's groups, its programme (its
 * target groups or its rule: `special_category`), or its need.
 */
export const SPECIAL_TARGET_SQL = `(
  coalesce((SELECT s.target_groups && $1::text[] FROM provider_service s WHERE s.id = $2), false)
  OR coalesce((SELECT g.special_category FROM programme g WHERE g.id = $3), false)
  OR coalesce($4 = ANY($5::text[]), false)) AS special`;

export function specialTargetParams(
  serviceId: string | null,
  programmeId: string | null,
  category: string | null,
) {
  return [SPECIAL_CATEGORY_GROUP_CODES, serviceId, programmeId, category, SPECIAL_CATEGORY_NEEDS];
}

export const INSERT_REFERRAL = `INSERT INTO referral (person_id, kind, from_municipality_code, referred_by, provider_id,
    provider_service_id, programme_id, to_municipality_code, category_code, notes, urgency, due_on, shared_fields,
    legal_basis, legal_basis_note, special_category)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`;

/** A status change with its history row, in one statement; nothing when the status moved meanwhile. */
export const CHANGE_STATUS = `WITH changed AS (
    UPDATE referral SET status = $2, version = version + 1, updated_at = clock_timestamp(),
           rejection_reason = coalesce($4, rejection_reason), outcome = coalesce($5, outcome),
           sent_at = CASE WHEN $2 = 'SENT' THEN clock_timestamp() ELSE sent_at END,
           accepted_at = CASE WHEN $2 = 'ACCEPTED' THEN clock_timestamp() ELSE accepted_at END,
           completed_at = CASE WHEN $2 IN ('COMPLETED', 'REJECTED', 'CANCELLED') THEN clock_timestamp() ELSE completed_at END
     WHERE id = $1 AND status = $3
    RETURNING id)
  INSERT INTO referral_history (referral_id, event, from_status, to_status, actor, note)
  SELECT id, 'STATUS', $3, $2, $6, $7 FROM changed RETURNING referral_id`;

/** Whether the person has a standing consent to referrals to providers. */
export const HAS_CONSENT = `SELECT EXISTS (SELECT 1 FROM consent WHERE person_id = $1
  AND purpose = 'REFERRAL_TO_PROVIDERS' AND withdrawn_at IS NULL) AS ok`;

/** The application a programme referral becomes once accepted (none when one is already open). */
export const INSERT_APPLICATION = `SELECT apply_from_referral($1, $2, $3) AS id`;

export const HISTORY = `SELECT event, from_status, to_status, actor, at, note FROM referral_history
  WHERE referral_id = $1 ORDER BY id`;

/** Today in Athens for the instant $1: due dates are Athens days. */
const ATHENS_DAY = `($1::timestamptz AT TIME ZONE 'Europe/Athens')::date`;

/** The columns the schedule's events carry: never anything about the person. */
const EVENT_COLUMNS = `id, kind, status, from_municipality_code, provider_id, programme_id, to_municipality_code,
  to_char(due_on, 'YYYY-MM-DD') AS due_on, overdue, reminders`;

/**
 * Flags SENT referrals past their due date, once: a second run, or a concurrent one (whose UPDATE
 * waits for the first's row locks and then re-checks `NOT overdue`), finds nothing.
 */
export const FLAG_OVERDUE = `WITH flagged AS (
    UPDATE referral SET overdue = true, updated_at = clock_timestamp()
     WHERE status = 'SENT' AND NOT overdue AND due_on < ${ATHENS_DAY}
    RETURNING ${EVENT_COLUMNS}),
  history AS (
    INSERT INTO referral_history (referral_id, event, actor, at, note)
    SELECT id, 'OVERDUE', $2, $1, 'not answered by its due date' FROM flagged)
  SELECT * FROM flagged`;

/** Records a reminder of each overdue referral not reminded within the last $3 hours. */
export const SEND_REMINDERS = `WITH reminded AS (
    UPDATE referral SET reminders = reminders + 1, last_reminded_at = $1
     WHERE status = 'SENT' AND overdue
       AND (last_reminded_at IS NULL OR last_reminded_at <= $1::timestamptz - make_interval(hours => $3::int))
    RETURNING ${EVENT_COLUMNS}),
  history AS (
    INSERT INTO referral_history (referral_id, event, actor, at, note)
    SELECT id, 'REMINDER', $2, $1, 'reminder ' || reminders FROM reminded)
  SELECT * FROM reminded`;

/** Expires SENT referrals still unanswered $3 days after their due date. */
export const EXPIRE_UNANSWERED = `WITH expired AS (
    UPDATE referral SET status = 'EXPIRED', version = version + 1, updated_at = clock_timestamp(),
           completed_at = $1
     WHERE status = 'SENT' AND due_on + $3::int < ${ATHENS_DAY}
    RETURNING ${EVENT_COLUMNS}),
  history AS (
    INSERT INTO referral_history (referral_id, event, from_status, to_status, actor, at, note)
    SELECT id, 'STATUS', 'SENT', 'EXPIRED', $2, $1, 'unanswered ' || $3 || ' days after its due date' FROM expired)
  SELECT * FROM expired`;

export interface ScheduledRow {
  id: string;
  kind: string;
  status: string;
  from_municipality_code: string;
  provider_id: string | null;
  programme_id: string | null;
  to_municipality_code: string | null;
  due_on: string;
  overdue: boolean;
  reminders: number;
}

/** Counts of the visible referrals: one statement, grouped three ways and timed. `where` from visibleSql. */
/** One row of `countsSql`. */
export interface ReferralCountsRow {
  total: number;
  by_status: { key: string; count: number }[];
  by_provider: { key: string; count: number }[];
  by_need: { key: string; count: number }[];
  median_accept: number | null;
  avg_accept: number | null;
  median_complete: number | null;
  avg_complete: number | null;
}

export function countsSql(where: string): string {
  return `WITH v AS (SELECT r.* FROM referral r WHERE ${where})
    SELECT (SELECT count(*)::int FROM v) AS total,
      (SELECT coalesce(json_agg(json_build_object('key', status, 'count', n) ORDER BY status), '[]')
         FROM (SELECT status, count(*)::int AS n FROM v GROUP BY status) s) AS by_status,
      (SELECT coalesce(json_agg(json_build_object('key', provider_id, 'count', n) ORDER BY n DESC, provider_id), '[]')
         FROM (SELECT provider_id::text, count(*)::int AS n FROM v WHERE provider_id IS NOT NULL GROUP BY provider_id) s) AS by_provider,
      (SELECT coalesce(json_agg(json_build_object('key', category_code, 'count', n) ORDER BY n DESC, category_code), '[]')
         FROM (SELECT category_code, count(*)::int AS n FROM v WHERE category_code IS NOT NULL GROUP BY category_code) s) AS by_need,
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM accepted_at - sent_at) / 3600)
         FROM v WHERE accepted_at IS NOT NULL AND sent_at IS NOT NULL) AS median_accept,
      (SELECT avg(extract(epoch FROM accepted_at - sent_at) / 3600)::float8
         FROM v WHERE accepted_at IS NOT NULL AND sent_at IS NOT NULL) AS avg_accept,
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - sent_at) / 3600)
         FROM v WHERE status = 'COMPLETED' AND sent_at IS NOT NULL) AS median_complete,
      (SELECT avg(extract(epoch FROM completed_at - sent_at) / 3600)::float8
         FROM v WHERE status = 'COMPLETED' AND sent_at IS NOT NULL) AS avg_complete`;
}

// ---------------------------------------------------------------- referral links

/** The statuses in which a provider can answer a referral, and so a link of it stands. */
export const ANSWERABLE_STATUSES = ['SENT', 'ACCEPTED', 'IN_PROGRESS'];

/** The referral a link is made for, if the caller sent it (its referring area); locked against a race. */
export const LINKABLE_REFERRAL = `SELECT r.id, r.status, r.provider_id, r.special_category, r.person_id,
    r.from_municipality_code
  FROM referral r WHERE r.id = $1 AND ($2::text[] IS NULL OR r.from_municipality_code = ANY($2::text[]))
  FOR UPDATE`;

export const INSERT_LINK = `INSERT INTO referral_link (referral_id, created_by, expires_at)
  VALUES ($1, $2, clock_timestamp() + make_interval(days => $3::int))
  RETURNING id, referral_id, created_at, expires_at, revoked_at`;

/**
 * Revokes a link of a referral the caller sent (`$3`: its referring area, NULL for national
 * callers; `$4`: the referral named in the path, if any); a revoked link keeps its first revocation.
 */
export const REVOKE_LINK = `WITH target AS (
    SELECT l.id, r.person_id, r.from_municipality_code FROM referral_link l JOIN referral r ON r.id = l.referral_id
     WHERE l.id = $1 AND ($3::text[] IS NULL OR r.from_municipality_code = ANY($3::text[]))
       AND ($4::uuid IS NULL OR l.referral_id = $4::uuid)
     FOR UPDATE OF l),
  revoked AS (
    UPDATE referral_link l SET revoked_at = coalesce(l.revoked_at, clock_timestamp()),
           revoked_by = coalesce(l.revoked_by, $2)
      FROM target t WHERE l.id = t.id
    RETURNING l.id, l.referral_id, l.created_at, l.expires_at, l.revoked_at, t.person_id, t.from_municipality_code)
  SELECT * FROM revoked`;

/**
 * Whether a link stands, read before the request's transaction (it is the request's credential):
 * not revoked, not expired, its referral answerable, addressed to a provider, of no special category.
 */
export const STANDING_LINK = `SELECT r.provider_id FROM referral_link l JOIN referral r ON r.id = l.referral_id
  WHERE l.id = $1 AND l.referral_id = $2 AND l.revoked_at IS NULL AND l.expires_at > clock_timestamp()
    AND r.status = ANY($3::text[]) AND r.provider_id IS NOT NULL AND NOT r.special_category`;

/** The same check inside the request's transaction, under row security, recording the use. */
export const USE_LINK = `WITH used AS (
    UPDATE referral_link l SET last_used_at = clock_timestamp()
     WHERE l.id = $1 AND l.referral_id = $2 AND l.revoked_at IS NULL AND l.expires_at > clock_timestamp()
       AND EXISTS (SELECT 1 FROM referral r WHERE r.id = l.referral_id AND r.status = ANY($3::text[]))
    RETURNING l.id)
  SELECT id FROM used`;

export interface LinkRow {
  id: string;
  referral_id: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}
