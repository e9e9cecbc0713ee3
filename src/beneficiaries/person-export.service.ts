import { Injectable } from '@nestjs/common';
import { AccessPurpose } from '../audit/purpose.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { MAX_PAGE_SIZE } from '../common/pagination.js';
import type { PersonChange } from './beneficiary.model.js';
import { BeneficiaryService } from './beneficiary.service.js';
import { HouseholdService } from './household.service.js';
import { PersonRecordsService } from './person-records.service.js';
import { personInScope, toBeneficiary } from './person-rows.js';

/** The subject's own id is the export's subject already; it is not repeated on every record. */
function withoutPersonId<T extends { personId: string }>(record: T): Omit<T, 'personId'> {
  const { personId: _p, ...rest } = record;
  return rest;
}

/**
 * A person's own data, for their right of access (GDPR Art. 15): everything the registry holds on
 * them, and the date, purpose and kind of actor of every look-up of their record. Staff ids are not
 * given (they are the staff's personal data); the roles that looked are.
 */
@Injectable()
export class PersonExportService {
  constructor(
    private readonly beneficiaries: BeneficiaryService,
    private readonly records: PersonRecordsService,
    private readonly households: HouseholdService,
  ) {}

  /** The export as a JSON document; needs special_category so that nothing is left out. */
  async export(ctx: RequestContext, personId: string): Promise<Record<string, unknown>> {
    ctx.require(Permission.PERSON_READ, 'person.export', { type: 'person', id: personId });
    ctx.require(Permission.SPECIAL_CATEGORY, 'person.export', { type: 'person', id: personId });
    // An export of all of a person's data answers their own request.
    ctx.requirePurposeOneOf('person.export', [AccessPurpose.DATA_SUBJECT_REQUEST]);
    const row = await personInScope(ctx, personId, 'person.export');
    const ids: Array<{ id: string }> = await ctx.em.query(
      `WITH RECURSIVE family AS (
         SELECT id FROM person WHERE id = $1
         UNION SELECT p.id FROM person p JOIN family f ON p.merged_into = f.id)
       SELECT id FROM family`,
      [personId],
    );
    const allIds = ids.map((r) => r.id);
    const [groups] = await this.records.groupsOf(ctx, [personId]);
    const [esf] = await this.records.esfOf(ctx, [personId]);
    const [consents] = await this.records.consentsOf(ctx, [personId]);
    const [facts] = await this.records.factsOf(ctx, [personId]);
    const [household] = await this.households.householdsOf(ctx, [personId]);
    const history = await this.wholeHistory(ctx, personId);
    const accessLog: Array<Record<string, unknown>> = await ctx.em.query(
      `SELECT occurred_at AS "occurredAt", action, purpose, actor_kind AS "actorKind", actor_roles AS "actorRoles", outcome
         FROM audit_event
        WHERE (subject_type = 'person' AND subject_id = ANY($1::text[])) OR person_ids && $1::uuid[]
        ORDER BY id`,
      [allIds],
    );
    const enrolments = await this.enrolments(ctx, allIds);
    ctx.audit({
      action: 'person.export',
      subjectType: 'person',
      subjectId: personId,
      outcome: 'allowed',
      municipalityCode: row.municipality_code,
      purpose: AccessPurpose.DATA_SUBJECT_REQUEST,
    });
    const person = toBeneficiary(row);
    return {
      exportedAt: new Date().toISOString(),
      person,
      mergedRecords: allIds.filter((id) => id !== personId),
      groups: [...this.records.derivedGroups(person), ...(groups ?? [])].map(withoutPersonId),
      household: household
        ? {
            ...household,
            members: household.members.map((m) => ({
              relationship: m.relationship,
              isYou: m.personId === personId,
            })),
          }
        : null,
      esfParticipation: esf ? withoutPersonId(esf) : null,
      consents: (consents ?? []).map(({ personId: _p, givenBy: _staff, ...consent }) => consent),
      facts: (facts ?? []).map(withoutPersonId),
      enrolments,
      history: history.map(({ changedBy: _staff, ...change }) => change),
      accessLog,
    };
  }

  /** Every change, page after page: the export must hold all of it, not the first page. */
  private async wholeHistory(ctx: RequestContext, personId: string): Promise<PersonChange[]> {
    const changes: PersonChange[] = [];
    let after: string | undefined;
    do {
      const page = await this.beneficiaries.history(ctx, personId, { first: MAX_PAGE_SIZE, after });
      changes.push(...page.edges.map((e) => e.node));
      after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
    } while (after);
    return changes;
  }

  /** Programme enrolments of the person and of records merged into them. */
  private async enrolments(ctx: RequestContext, ids: string[]): Promise<unknown[]> {
    return ctx.em.query(
      `SELECT pr.code AS "programmeCode", pr.title AS "programmeTitle", e.status, e.applied_on::text AS "appliedOn",
              e.started_on::text AS "startedOn", e.ended_on::text AS "endedOn", e.source
         FROM enrolment e JOIN programme pr ON pr.id = e.programme_id
        WHERE e.person_id = ANY($1::uuid[]) ORDER BY e.applied_on, e.id`,
      [ids],
    );
  }
}
