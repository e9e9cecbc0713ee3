import { Inject, Injectable } from '@nestjs/common';
import { readRows } from '../database/query-rows.js';
import { AccessPurpose } from '../audit/purpose.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { queryRows } from '../database/query-rows.js';
import { BeneficiaryError, BeneficiaryErrorCode } from './beneficiary.errors.js';
import {
  BeneficiaryGroup,
  ConsentPurpose,
  DERIVED_GROUPS,
  EsfParticipation,
  FactKind,
  GroupMembership,
  MembershipBasis,
  PersonConsent,
  PersonFactView,
  SPECIAL_CATEGORY_GROUPS,
  type Beneficiary,
  type EducationLevel,
  type EmploymentStatus,
  type EsfAnswer,
} from './beneficiary.model.js';
import type {
  AddGroupMembershipInput,
  EndGroupMembershipInput,
  EsfLeavingInput,
  EsfParticipationInput,
  GiveConsentInput,
} from './dto/records.input.js';
import { personInScope, scopeSql } from './person-rows.js';
import {
  factListSql,
  factRowVisibleSql,
  groupVisibleSql,
  specialAnswerSql,
} from '../auth/special-category.js';
import { todayInAthens } from '../common/athens-time.js';
import { isUuid } from '../common/validators.js';
import { updateOwnedChild } from '../common/owned-children.js';

/**
 * What is recorded about a person beside their identity: group memberships, ESF participant
 * answers, consents, and facts from national feeds. The batch readers serve per-request loaders
 * for people whose read was already scoped and audited; the writers check the area themselves.
 * Special-category data (Roma origin, disability) is filtered out in SQL for callers without the
 * special_category permission, and setting it needs that permission.
 */
@Injectable()
export class PersonRecordsService {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  /** CHILD and ELDERLY memberships, derived from the birth date and the configured ages. */
  derivedGroups(person: Pick<Beneficiary, 'id' | 'birthDate' | 'age'>): GroupMembership[] {
    const shift = (years: number, days = 0) => {
      const [y, m, d] = person.birthDate.split('-').map(Number) as [number, number, number];
      return new Date(Date.UTC(y + years, m - 1, d + days)).toISOString().slice(0, 10);
    };
    const derived = (group: BeneficiaryGroup, validFrom: string, validTo: string | null) =>
      Object.assign(new GroupMembership(), {
        personId: person.id,
        id: null,
        group,
        basis: MembershipBasis.BIRTH_DATE,
        validFrom,
        validTo,
      });
    const groups: GroupMembership[] = [];
    if (person.age < this.config.ADULT_AGE)
      groups.push(derived(BeneficiaryGroup.CHILD, person.birthDate, shift(this.config.ADULT_AGE, -1)));
    if (person.age >= this.config.ELDERLY_AGE)
      groups.push(derived(BeneficiaryGroup.ELDERLY, shift(this.config.ELDERLY_AGE), null));
    return groups;
  }

  /** Recorded group memberships (current and ended) of several people, by person id. */
  async groupsOf(ctx: RequestContext, personIds: readonly string[]): Promise<GroupMembership[][]> {
    const params: unknown[] = [personIds];
    const rows: GroupRow[] = await readRows(
      ctx.em,
      `SELECT id, person_id, group_code, basis, valid_from::text AS valid_from, valid_to::text AS valid_to
           FROM person_group
          WHERE person_id = ANY($1::uuid[]) AND ${groupVisibleSql(ctx, 'group_code', params)}
          ORDER BY valid_from, id`,
      params,
    );
    return group(personIds, rows, toGroupMembership);
  }

  /** Records that a person belongs to a group from a date; ROMA and DISABILITY need special_category. */
  async addGroup(ctx: RequestContext, input: AddGroupMembershipInput): Promise<GroupMembership> {
    ctx.require(Permission.PERSON_WRITE, 'person.group_add', { type: 'person', id: input.personId });
    if (SPECIAL_CATEGORY_GROUPS.has(input.group))
      ctx.require(Permission.SPECIAL_CATEGORY, 'person.group_add', { type: 'person', id: input.personId });
    if (DERIVED_GROUPS.has(input.group))
      throw new BeneficiaryError(
        BeneficiaryErrorCode.DERIVED_GROUP,
        `${input.group} follows from the birth date and cannot be recorded; correct the birth date instead.`,
        [{ field: 'group', reason: 'derived from the birth date' }],
      );
    if (input.basis === MembershipBasis.BIRTH_DATE)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.DERIVED_GROUP,
        'BIRTH_DATE is the basis of derived groups only.',
        [{ field: 'basis', reason: 'use SELF_DECLARED, DOCUMENT or FEED' }],
      );
    checkDates(input.validFrom, input.validTo);
    const person = await personInScope(ctx, input.personId, 'person.group_add');
    assertActive(person.status);
    const [row] = (await ctx.em.query(
      `INSERT INTO person_group (person_id, group_code, basis, valid_from, valid_to, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [person.id, input.group, input.basis, input.validFrom, input.validTo ?? null, ctx.actor.id],
    )) as Array<{ id: string }>;
    ctx.audit({
      action: 'person.group_add',
      subjectType: 'person',
      subjectId: person.id,
      outcome: 'allowed',
      municipalityCode: person.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return Object.assign(new GroupMembership(), {
      personId: person.id,
      id: row!.id,
      group: input.group,
      basis: input.basis,
      validFrom: input.validFrom,
      validTo: input.validTo ?? null,
    });
  }

  /** Ends a recorded membership on a date; memberships are never deleted, so the past stays known. */
  async endGroup(ctx: RequestContext, input: EndGroupMembershipInput): Promise<GroupMembership> {
    ctx.require(Permission.PERSON_WRITE, 'person.group_end', {
      type: 'group_membership',
      id: input.membershipId,
    });
    const params: unknown[] = [input.membershipId];
    const scope = scopeSql(ctx, 'p.municipality_code', params);
    const rows: Array<{
      person_id: string;
      group_code: string;
      basis: string;
      valid_from: string;
      valid_to: string | null;
      municipality_code: string;
    }> = await ctx.em.query(
      `SELECT g.person_id, g.group_code, g.basis, g.valid_from::text AS valid_from, g.valid_to::text AS valid_to,
              p.municipality_code
           FROM person_group g JOIN person p ON p.id = g.person_id
          WHERE g.id = $1 AND ${scope} FOR UPDATE OF g`,
      params,
    );
    const found = rows[0];
    if (
      !found ||
      (SPECIAL_CATEGORY_GROUPS.has(found.group_code as BeneficiaryGroup) &&
        !ctx.can(Permission.SPECIAL_CATEGORY))
    ) {
      ctx.audit({
        action: 'person.group_end',
        subjectType: 'group_membership',
        subjectId: input.membershipId,
        outcome: 'denied',
        reason: 'not found in area',
      });
      throw new NotFoundError('group membership', input.membershipId);
    }
    // An ended membership is history: its dates are no longer rewritten (a new one is recorded instead).
    if (found.valid_to && found.valid_to < todayInAthens())
      throw new BeneficiaryError(
        BeneficiaryErrorCode.MEMBERSHIP_ENDED,
        `This membership ended on ${found.valid_to}; its dates can no longer change. Record a new membership instead.`,
        [{ field: 'membershipId', reason: 'already ended' }],
      );
    checkDates(found.valid_from, input.validTo);
    await updateOwnedChild(
      ctx,
      'person_group',
      { id: found.person_id, action: 'person.group_end', municipalityCode: found.municipality_code },
      { id: input.membershipId, field: 'membershipId' },
      { valid_to: input.validTo },
    );
    ctx.audit({
      action: 'person.group_end',
      subjectType: 'person',
      subjectId: found.person_id,
      outcome: 'allowed',
      municipalityCode: found.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return Object.assign(new GroupMembership(), {
      personId: found.person_id,
      id: input.membershipId,
      group: found.group_code as BeneficiaryGroup,
      basis: found.basis as MembershipBasis,
      validFrom: found.valid_from,
      validTo: input.validTo,
    });
  }

  /** ESF answers of several people; the minority and disability answers are not even read without special_category. */
  async esfOf(ctx: RequestContext, personIds: readonly string[]): Promise<Array<EsfParticipation | null>> {
    const rows: EsfRow[] = await ctx.em.query(
      `SELECT person_id, employment_status, education_level, migrant_or_foreign_background,
              ${specialAnswerSql(ctx, 'minority')} AS minority, ${specialAnswerSql(ctx, 'disability')} AS disability,
              homeless_or_housing_exclusion, rural_area, recorded_at, to_char(entered_on, 'YYYY-MM-DD') AS entered_on,
              to_char(left_on, 'YYYY-MM-DD') AS left_on, job_searching, in_education_or_training,
              gained_qualification, in_employment
         FROM esf_participant WHERE person_id = ANY($1::uuid[])`,
      [personIds],
    );
    return group(personIds, rows, toEsf).map((list) => list[0] ?? null);
  }

  /**
   * Records (or replaces) a person's ESF participant answers. The minority and disability answers
   * are special category: giving them needs special_category; left out, the recorded ones stay.
   */
  async setEsf(ctx: RequestContext, input: EsfParticipationInput): Promise<EsfParticipation> {
    ctx.require(Permission.PERSON_WRITE, 'person.esf_set', { type: 'person', id: input.personId });
    if (input.minority !== undefined || input.disability !== undefined)
      ctx.require(Permission.SPECIAL_CATEGORY, 'person.esf_set', { type: 'person', id: input.personId });
    const person = await personInScope(ctx, input.personId, 'person.esf_set');
    assertActive(person.status);
    await queryRows(
      ctx.em,
      `INSERT INTO esf_participant AS e (person_id, employment_status, education_level, migrant_or_foreign_background,
         minority, disability, homeless_or_housing_exclusion, rural_area, recorded_by)
       VALUES ($1, $2, $3, $4, coalesce($5, 'PREFER_NOT_TO_ANSWER'), coalesce($6, 'PREFER_NOT_TO_ANSWER'), $7, $8, $9)
       ON CONFLICT (person_id) DO UPDATE SET employment_status = $2, education_level = $3,
         migrant_or_foreign_background = $4, minority = coalesce($5, e.minority), disability = coalesce($6, e.disability),
         homeless_or_housing_exclusion = $7, rural_area = $8, recorded_by = $9, recorded_at = now()
       RETURNING person_id`,
      [
        person.id,
        input.employmentStatus,
        input.educationLevel,
        input.migrantOrForeignBackground,
        input.minority ?? null,
        input.disability ?? null,
        input.homelessOrHousingExclusion,
        input.ruralArea,
        ctx.actor.id,
      ],
    );
    ctx.audit({
      action: 'person.esf_set',
      subjectType: 'person',
      subjectId: person.id,
      outcome: 'allowed',
      municipalityCode: person.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    const [written] = await this.esfOf(ctx, [person.id]);
    return written!;
  }

  /**
   * Records that an ESF participant left, with their situation upon leaving (the Annex I immediate
   * results). Needs their answers on entry; a correction replaces the leaving recorded before.
   */
  async setEsfLeaving(ctx: RequestContext, input: EsfLeavingInput): Promise<EsfParticipation> {
    ctx.require(Permission.PERSON_WRITE, 'person.esf_leave', { type: 'person', id: input.personId });
    const person = await personInScope(ctx, input.personId, 'person.esf_leave');
    if (input.leftOn > todayInAthens())
      throw new BeneficiaryError(BeneficiaryErrorCode.INVALID_DATES, 'leftOn cannot be in the future.', [
        { field: 'leftOn', reason: 'in the future' },
      ]);
    const [entry] = await queryRows<{ entered_on: string }>(
      ctx.em,
      `SELECT to_char(entered_on, 'YYYY-MM-DD') AS entered_on FROM esf_participant WHERE person_id = $1 FOR UPDATE`,
      [person.id],
    );
    if (!entry)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.NOT_AN_ESF_PARTICIPANT,
        'This person has no ESF answers on entry: record them (setEsfParticipation) before their leaving.',
      );
    if (input.leftOn < entry.entered_on)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.INVALID_DATES,
        `leftOn cannot be before the day the person entered (${entry.entered_on}).`,
        [{ field: 'leftOn', reason: 'before entry' }],
      );
    await queryRows(
      ctx.em,
      `UPDATE esf_participant SET left_on = $2, job_searching = $3, in_education_or_training = $4,
              gained_qualification = $5, in_employment = $6, left_recorded_by = $7
        WHERE person_id = $1 RETURNING person_id`,
      [
        person.id,
        input.leftOn,
        input.jobSearching,
        input.inEducationOrTraining,
        input.gainedQualification,
        input.inEmployment,
        ctx.actor.id,
      ],
    );
    ctx.audit({
      action: 'person.esf_leave',
      subjectType: 'person',
      subjectId: person.id,
      outcome: 'allowed',
      municipalityCode: person.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    const [written] = await this.esfOf(ctx, [person.id]);
    return written!;
  }

  async consentsOf(ctx: RequestContext, personIds: readonly string[]): Promise<PersonConsent[][]> {
    const rows: ConsentRow[] = await ctx.em.query(
      `SELECT * FROM consent WHERE person_id = ANY($1::uuid[]) ORDER BY given_at, id`,
      [personIds],
    );
    return group(personIds, rows, toConsent);
  }

  /** Records a consent the person gave, for one purpose, by the calling staff member. */
  async giveConsent(ctx: RequestContext, input: GiveConsentInput): Promise<PersonConsent> {
    ctx.require(Permission.PERSON_WRITE, 'person.consent_give', { type: 'person', id: input.personId });
    const person = await personInScope(ctx, input.personId, 'person.consent_give');
    assertActive(person.status);
    const [row] = (await ctx.em.query(
      `INSERT INTO consent (person_id, purpose, given_by) VALUES ($1, $2, $3) RETURNING *`,
      [person.id, input.purpose, ctx.actor.id],
    )) as ConsentRow[];
    ctx.audit({
      action: 'person.consent_give',
      subjectType: 'person',
      subjectId: person.id,
      outcome: 'allowed',
      municipalityCode: person.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return toConsent(row!);
  }

  /** Withdraws a consent; the record stays, with when and by whom it was withdrawn. */
  async withdrawConsent(ctx: RequestContext, consentId: string): Promise<PersonConsent> {
    ctx.require(Permission.PERSON_WRITE, 'person.consent_withdraw', { type: 'consent', id: consentId });
    if (!isUuid(consentId)) throw new NotFoundError('consent', consentId);
    const params: unknown[] = [consentId];
    const scope = scopeSql(ctx, 'p.municipality_code', params);
    const rows: Array<ConsentRow & { municipality_code: string }> = await ctx.em.query(
      `SELECT c.*, p.municipality_code FROM consent c JOIN person p ON p.id = c.person_id
        WHERE c.id = $1 AND ${scope} FOR UPDATE OF c`,
      params,
    );
    const found = rows[0];
    if (!found) {
      ctx.audit({
        action: 'person.consent_withdraw',
        subjectType: 'consent',
        subjectId: consentId,
        outcome: 'denied',
        reason: 'not found in area',
      });
      throw new NotFoundError('consent', consentId);
    }
    if (found.withdrawn_at)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.CONSENT_ALREADY_WITHDRAWN,
        'This consent was already withdrawn.',
      );
    const row = (await updateOwnedChild(
      ctx,
      'consent',
      { id: found.person_id, action: 'person.consent_withdraw', municipalityCode: found.municipality_code },
      { id: consentId, field: 'consentId' },
      { withdrawn_at: new Date(), withdrawn_by: ctx.actor.id },
    )) as unknown as ConsentRow;
    ctx.audit({
      action: 'person.consent_withdraw',
      subjectType: 'person',
      subjectId: found.person_id,
      outcome: 'allowed',
      municipalityCode: found.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return toConsent(row);
  }

  /** Recorded facts, newest first, every basis; special-category facts only with special_category. */
  async factsOf(
    ctx: RequestContext,
    personIds: readonly string[],
    kind?: FactKind,
  ): Promise<PersonFactView[][]> {
    const params: unknown[] = [personIds, kind ?? null];
    const rows: FactRow[] = await ctx.em.query(
      `SELECT id, person_id, kind, tax_year, value_numeric::text AS value_numeric, value_text,
              value_boolean, ${factListSql(ctx, 'value_list', params)} AS value_list, basis,
              valid_from::text AS valid_from, valid_to::text AS valid_to, source, as_of::text AS as_of
         FROM person_fact
        WHERE person_id = ANY($1::uuid[]) AND ($2::text IS NULL OR kind = $2)
          AND ${factRowVisibleSql(ctx, 'kind', 'value_list', params)}
        ORDER BY as_of DESC, tax_year DESC NULLS LAST, id`,
      params,
    );
    return group(personIds, rows, (r) =>
      Object.assign(new PersonFactView(), {
        personId: r.person_id,
        id: r.id,
        kind: r.kind as FactKind,
        taxYear: r.tax_year,
        valueNumeric: r.value_numeric,
        valueText: r.value_text,
        valueBoolean: r.value_boolean,
        valueList: r.value_list,
        basis: r.basis,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        source: r.source,
        asOf: r.as_of,
      }),
    );
  }
}

interface EsfRow {
  person_id: string;
  employment_status: string;
  education_level: string;
  migrant_or_foreign_background: string;
  minority: string | null;
  disability: string | null;
  homeless_or_housing_exclusion: string;
  rural_area: string;
  recorded_at: Date;
  entered_on: string;
  left_on: string | null;
  job_searching: string | null;
  in_education_or_training: string | null;
  gained_qualification: string | null;
  in_employment: string | null;
}

interface ConsentRow {
  id: string;
  person_id: string;
  purpose: string;
  given_at: Date;
  given_by: string;
  withdrawn_at: Date | null;
}

interface FactRow {
  id: string;
  person_id: string;
  kind: string;
  tax_year: number | null;
  value_numeric: string | null;
  value_text: string | null;
  valid_from: string | null;
  valid_to: string | null;
  source: string;
  as_of: string;
  value_boolean: boolean | null;
  value_list: string[] | null;
  basis: string;
}

function toEsf(r: EsfRow): EsfParticipation {
  return Object.assign(new EsfParticipation(), {
    personId: r.person_id,
    employmentStatus: r.employment_status as EmploymentStatus,
    educationLevel: r.education_level as EducationLevel,
    migrantOrForeignBackground: r.migrant_or_foreign_background as EsfAnswer,
    minority: r.minority as EsfAnswer | null,
    disability: r.disability as EsfAnswer | null,
    homelessOrHousingExclusion: r.homeless_or_housing_exclusion as EsfAnswer,
    ruralArea: r.rural_area as EsfAnswer,
    recordedAt: new Date(r.recorded_at),
    enteredOn: r.entered_on,
    leftOn: r.left_on,
    jobSearching: r.job_searching as EsfAnswer | null,
    inEducationOrTraining: r.in_education_or_training as EsfAnswer | null,
    gainedQualification: r.gained_qualification as EsfAnswer | null,
    inEmployment: r.in_employment as EsfAnswer | null,
  });
}

function toConsent(r: ConsentRow): PersonConsent {
  return Object.assign(new PersonConsent(), {
    personId: r.person_id,
    id: r.id,
    purpose: r.purpose as ConsentPurpose,
    givenAt: new Date(r.given_at),
    givenBy: r.given_by,
    withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at) : null,
    active: !r.withdrawn_at,
  });
}

/** Rows grouped per person id, in the order of `personIds` (a DataLoader batch's contract). */
/** A recorded group membership as read (dates as text). */
export interface GroupRow {
  id: string;
  person_id: string;
  group_code: string;
  basis: string;
  valid_from: string;
  valid_to: string | null;
}

export function toGroupMembership(r: GroupRow): GroupMembership {
  return Object.assign(new GroupMembership(), {
    personId: r.person_id,
    id: r.id,
    group: r.group_code as BeneficiaryGroup,
    basis: r.basis as MembershipBasis,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  });
}

function group<R extends { person_id: string }, T>(
  personIds: readonly string[],
  rows: R[],
  map: (r: R) => T,
): T[][] {
  const byPerson = new Map<string, T[]>(personIds.map((id) => [id, []]));
  for (const r of rows) byPerson.get(r.person_id)?.push(map(r));
  return personIds.map((id) => byPerson.get(id) ?? []);
}

function checkDates(validFrom: string, validTo?: string | null): void {
  if (validTo && validTo < validFrom)
    throw new BeneficiaryError(
      BeneficiaryErrorCode.INVALID_DATES,
      `The end date ${validTo} is before the start date ${validFrom}.`,
      [{ field: 'validTo', reason: 'before validFrom' }],
    );
  if (validFrom > todayInAthens().replace(/^(\d{4})/, (y) => String(Number(y) + 1)))
    throw new BeneficiaryError(
      BeneficiaryErrorCode.INVALID_DATES,
      'A membership cannot start more than a year ahead.',
      [{ field: 'validFrom', reason: 'too far in the future' }],
    );
}

function assertActive(status: string): void {
  if (status !== 'ACTIVE')
    throw new BeneficiaryError(
      BeneficiaryErrorCode.PERSON_NOT_ACTIVE,
      'This record is closed or merged and can no longer be changed.',
    );
}
