import type { RequestContext } from './request-context.js';
import { Permission } from './roles.js';
import { FACT_CATALOGUE } from '../eligibility/contracts.js';

/**
 * Special-category data (GDPR Art. 9) and everything that would reveal it, in one place: Roma
 * origin and disability, whether recorded on the person (a group, an ESF answer, a fact) or implied
 * by a related object (an enrolment in a programme that targets Roma or disabled people; later a
 * referral to such a service, a statistic). Every query that reads such rows adds one of these
 * predicates to its WHERE clause, so a caller without the `special_category` permission never
 * receives them (rule 17): the filter is in the SQL that reads, never applied afterwards.
 */

/** Group codes, of people and of programme/service target groups alike, that reveal Art. 9 data. */
export const SPECIAL_CATEGORY_GROUP_CODES: readonly string[] = ['ROMA', 'DISABILITY'];

/**
 * Codes that reveal Art. 9 data as an element of a list fact (`benefits_received`, the groups): the
 * group codes, and the benefits paid for them (OPEKA's DISABILITY allowance, BENEFIT_CODES in
 * src/imports/feeds.ts). Dropped from every list for a caller without the permission.
 */
export const SPECIAL_CATEGORY_BENEFIT_CODES: readonly string[] = ['DISABILITY'];
export const SPECIAL_CATEGORY_LIST_VALUES: readonly string[] = [
  ...new Set([...SPECIAL_CATEGORY_GROUP_CODES, ...SPECIAL_CATEGORY_BENEFIT_CODES]),
];

/** Facts (catalogue names, the `kind` of person_fact) that are health data. */
export const SPECIAL_CATEGORY_FACT_KINDS: readonly string[] = Object.entries(FACT_CATALOGUE)
  .filter(([, definition]) => 'specialCategory' in definition && definition.specialCategory)
  .map(([name]) => name);

export function canSeeSpecialCategory(ctx: RequestContext): boolean {
  return ctx.can(Permission.SPECIAL_CATEGORY);
}

/**
 * A provider service is special-category when any of its target groups is: being referred to it
 * says the person is Roma or disabled, even when it also targets others. (A programme also is when
 * its rule reads such data: its `special_category` column, below.)
 */
export function isSpecialCategoryProgramme(targetGroups: readonly string[]): boolean {
  return targetGroups.some((g) => SPECIAL_CATEGORY_GROUP_CODES.includes(g));
}

/**
 * SQL predicate: rows tied to the programme aliased `programme` that the caller may see. TRUE with
 * the permission; otherwise only programmes of no special category. `programme.special_category`
 * is set by the database from the target groups AND the eligibility rule (migration
 * 1764700000000): the one definition every module reads, so that a programme withheld from
 * entitlements is withheld from enrolments, referrals and figures alike.
 */
export function programmeVisibleSql(ctx: RequestContext, programme: string): string {
  return canSeeSpecialCategory(ctx) ? 'TRUE' : `NOT ${programme}.special_category`;
}

/** SQL predicate: person group rows (`column` holds the group code) the caller may see. */
export function groupVisibleSql(ctx: RequestContext, column: string, params: unknown[]): string {
  if (canSeeSpecialCategory(ctx)) return 'TRUE';
  params.push(SPECIAL_CATEGORY_GROUP_CODES);
  return `${column} <> ALL($${params.length}::text[])`;
}

/** SQL predicate: fact rows (`column` holds the kind) the caller may see. */
export function factVisibleSql(ctx: RequestContext, column: string, params: unknown[]): string {
  if (canSeeSpecialCategory(ctx)) return 'TRUE';
  params.push(SPECIAL_CATEGORY_FACT_KINDS);
  return `${column} <> ALL($${params.length}::text[])`;
}

/** SQL expression selecting a special-category answer column, or NULL for a caller without the permission. */
export function specialAnswerSql(ctx: RequestContext, column: string): string {
  return canSeeSpecialCategory(ctx) ? column : 'NULL';
}

/**
 * SQL expression selecting a list column (`value_list` of person_fact) without its special-category
 * elements, in their order, for a caller without the permission. Appends its parameter to `params`.
 */
export function factListSql(ctx: RequestContext, column: string, params: unknown[]): string {
  if (canSeeSpecialCategory(ctx)) return column;
  params.push(SPECIAL_CATEGORY_LIST_VALUES);
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE ARRAY(SELECT u.x FROM unnest(${column}) WITH ORDINALITY u(x, n)
    WHERE u.x <> ALL($${params.length}::text[]) ORDER BY u.n) END`;
}

/**
 * SQL predicate: fact rows the caller may see, by kind and by content: a list that holds only
 * special-category codes is left out whole (an empty list would say "none").
 */
export function factRowVisibleSql(
  ctx: RequestContext,
  kind: string,
  list: string,
  params: unknown[],
): string {
  if (canSeeSpecialCategory(ctx)) return 'TRUE';
  const byKind = factVisibleSql(ctx, kind, params);
  params.push(SPECIAL_CATEGORY_LIST_VALUES);
  return `${byKind} AND NOT coalesce(cardinality(${list}) > 0 AND ${list} <@ $${params.length}::text[], false)`;
}
