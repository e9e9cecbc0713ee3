import type { RequestContext } from '../auth/request-context.js';

/** Whom a read of a personal object is about, as written in the audit trail. */
export interface AuditSubject {
  type: 'person' | 'household' | 'duplicate_review';
  id: string;
  municipalityCode?: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the values are the resolvers' own objects */
const person = (v: any): AuditSubject[] =>
  v.personId ? [{ type: 'person', id: v.personId, municipalityCode: v.municipalityCode }] : [];

/**
 * The GraphQL types that hold personal data, each with the subjects a read of one is audited
 * under, by GraphQL type name (which is also the class name, except EnrolmentView). A new type of
 * personal data is added here; test/personal-data.e2e-spec.ts fails when a type that looks
 * personal (a person id, a name, an identifier, a link to a personal type) is not.
 */
export const PERSONAL_TYPES: Record<string, (value: any) => AuditSubject[]> = {
  Beneficiary: (b) => [{ type: 'person', id: b.id, municipalityCode: b.municipalityCode }],
  GroupMembership: person,
  EsfParticipation: person,
  PersonConsent: person,
  PersonFactView: person,
  PersonFactsView: person,
  PersonFactEntry: person,
  PersonChange: person,
  HouseholdMemberView: person,
  Enrolment: person,
  PersonEntitlements: person,
  LikelyEligiblePerson: person,
  HouseholdView: (h) => [{ type: 'household', id: h.id, municipalityCode: h.municipalityCode }],
  DuplicateReviewView: (r) => [{ type: 'duplicate_review', id: r.id }],
  // A referral is audited under its person, whose id provider staff never see (a hidden property).
  Referral: (r) => [{ type: 'person', id: r.subjectPersonId, municipalityCode: r.subjectMunicipalityCode }],
  SharedPerson: (s) => [
    { type: 'person', id: s.subjectPersonId, municipalityCode: s.subjectMunicipalityCode },
  ],
  PersonRegistration: (r) =>
    r.subjectPersonId
      ? [{ type: 'person', id: r.subjectPersonId, municipalityCode: r.municipalityCode }]
      : [],
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Records a read of every subject in `result` (an object of a personal type, or a list of them)
 * that the request has not recorded an allowed access to yet; needs the declared purpose.
 */
export function auditSubjects(
  ctx: RequestContext,
  result: unknown,
  subjectsOf: (value: unknown) => AuditSubject[],
): void {
  if (result === null || result === undefined || result instanceof Error) return;
  if (Array.isArray(result)) {
    for (const item of result) auditSubjects(ctx, item, subjectsOf);
    return;
  }
  for (const subject of subjectsOf(result)) {
    if (ctx.hasAudited(subject.type, subject.id)) continue;
    const action = `${subject.type}.read`;
    const purpose = ctx.requirePurpose(action);
    ctx.audit({
      action,
      subjectType: subject.type,
      subjectId: subject.id,
      municipalityCode: subject.municipalityCode ?? undefined,
      outcome: 'allowed',
      purpose,
    });
  }
}

/** Model classes whose GraphQL type has another name. */
const ALIASES: Record<string, string> = { EnrolmentView: 'Enrolment', ReferralView: 'Referral' };

/**
 * Audits every personal object found in a REST answer (instances of the model classes, in
 * arrays and plain objects, a few levels deep): the REST twin of the GraphQL field guard.
 */
export function auditPersonalObjects(ctx: RequestContext, value: unknown, depth = 0): void {
  if (depth > 6 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) auditPersonalObjects(ctx, item, depth + 1);
    return;
  }
  const name = value.constructor?.name ?? '';
  const subjectsOf = PERSONAL_TYPES[ALIASES[name] ?? name];
  if (subjectsOf) auditSubjects(ctx, value, subjectsOf);
  for (const child of Object.values(value)) auditPersonalObjects(ctx, child, depth + 1);
}
