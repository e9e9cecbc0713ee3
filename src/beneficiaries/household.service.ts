import { Inject, Injectable } from '@nestjs/common';
import { readRows } from '../database/query-rows.js';
import { AccessPurpose } from '../audit/purpose.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { BeneficiaryError, BeneficiaryErrorCode } from './beneficiary.errors.js';
import { HouseholdMemberView, HouseholdRelationship, HouseholdView } from './beneficiary.model.js';
import type {
  AddHouseholdMemberInput,
  CreateHouseholdInput,
  RemoveHouseholdMemberInput,
} from './dto/records.input.js';
import { personInScope, scopeSql } from './person-rows.js';
import { todayInAthens } from '../common/athens-time.js';
import { isUuid } from '../common/validators.js';

export interface HouseholdRow {
  id: string;
  municipality_code: string;
  address: string | null;
  version: number;
  size: number;
  adults: number;
  minors: number;
  members: Array<{ person_id: string; relationship: string; joined_on: string }>;
}

/**
 * Households: the people living together, with their relationship to the reference person. Size,
 * adults and minors are derived in the same query that reads the household, so that eligibility
 * rules can ask for the composition in one round trip. Members live in the household's
 * municipality; leaving keeps the membership row with its end date.
 */
@Injectable()
export class HouseholdService {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  /** A household of the caller's area, with its current members (ids and relationships). */
  async get(ctx: RequestContext, id: string): Promise<HouseholdView> {
    ctx.require(Permission.PERSON_READ, 'household.read', { type: 'household', id });
    const purpose = ctx.requirePurpose('household.read');
    const household = await this.inScope(ctx, id, 'household.read');
    ctx.audit({
      action: 'household.read',
      subjectType: 'household',
      subjectId: id,
      outcome: 'allowed',
      municipalityCode: household.municipalityCode,
      purpose,
    });
    return household;
  }

  /** The current households of several people (loader batch), by person id. */
  async householdsOf(
    ctx: RequestContext,
    personIds: readonly string[],
  ): Promise<Array<HouseholdView | null>> {
    const rows = await readRows<HouseholdRow & { person_id: string }>(
      ctx.em,
      `SELECT me.person_id, hh.* FROM household_member me
         JOIN (${householdSelect(`h.id IN (SELECT household_id FROM household_member WHERE person_id = ANY($1::uuid[]) AND left_on IS NULL)`)}) hh
           ON hh.id = me.household_id
        WHERE me.person_id = ANY($1::uuid[]) AND me.left_on IS NULL`,
      [personIds, this.config.ADULT_AGE],
    );
    const byPerson = new Map(rows.map((r) => [r.person_id, toHouseholdView(r)]));
    return personIds.map((id) => byPerson.get(id) ?? null);
  }

  /** Starts a household around a reference person, in their municipality. */
  async create(ctx: RequestContext, input: CreateHouseholdInput): Promise<HouseholdView> {
    ctx.require(Permission.PERSON_WRITE, 'household.create', { type: 'household' });
    const person = await personInScope(ctx, input.referencePersonId, 'household.create', { forUpdate: true });
    if (person.status !== 'ACTIVE')
      throw new BeneficiaryError(
        BeneficiaryErrorCode.PERSON_NOT_ACTIVE,
        'A closed or merged record cannot start a household.',
      );
    await this.assertNoHousehold(ctx, person.id);
    const [{ id }] = (await ctx.em.query(
      `INSERT INTO household (municipality_code, address) VALUES ($1, $2) RETURNING id`,
      [person.municipality_code, input.address ?? person.address],
    )) as Array<{ id: string }>;
    await ctx.em.query(
      `INSERT INTO household_member (household_id, person_id, relationship, joined_on) VALUES ($1, $2, 'REFERENCE_PERSON', $3)`,
      [id, person.id, todayInAthens()],
    );
    this.auditWrite(ctx, 'household.create', id, person.municipality_code);
    return this.load(ctx, id);
  }

  /** Adds a person of the household's municipality who is in no other household. */
  async addMember(ctx: RequestContext, input: AddHouseholdMemberInput): Promise<HouseholdView> {
    ctx.require(Permission.PERSON_WRITE, 'household.member_add', {
      type: 'household',
      id: input.householdId,
    });
    if (input.relationship === HouseholdRelationship.REFERENCE_PERSON)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.REFERENCE_PERSON_REQUIRED,
        'A household has one reference person, set when it is created; add others with their relationship to them.',
        [{ field: 'relationship', reason: 'the household already has its reference person' }],
      );
    const household = await this.inScope(ctx, input.householdId, 'household.member_add', true);
    const person = await personInScope(ctx, input.personId, 'household.member_add', { forUpdate: true });
    if (person.status !== 'ACTIVE')
      throw new BeneficiaryError(
        BeneficiaryErrorCode.PERSON_NOT_ACTIVE,
        'A closed or merged record cannot join a household.',
      );
    if (person.municipality_code !== household.municipalityCode)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.HOUSEHOLD_OTHER_MUNICIPALITY,
        `The person lives in municipality ${person.municipality_code} and the household in ${household.municipalityCode}: move the person first.`,
        [{ field: 'personId', reason: 'lives in another municipality' }],
      );
    await this.assertNoHousehold(ctx, person.id);
    await ctx.em.query(
      `INSERT INTO household_member (household_id, person_id, relationship, joined_on) VALUES ($1, $2, $3, $4)`,
      [household.id, person.id, input.relationship, todayInAthens()],
    );
    await ctx.em.query(`UPDATE household SET version = version + 1, updated_at = now() WHERE id = $1`, [
      household.id,
    ]);
    this.auditWrite(ctx, 'household.member_add', household.id, household.municipalityCode);
    return this.load(ctx, household.id);
  }

  /**
   * A member leaves the household (the membership is kept with its end date). The reference person
   * leaves last: while others remain, the household needs them.
   */
  async removeMember(ctx: RequestContext, input: RemoveHouseholdMemberInput): Promise<HouseholdView> {
    ctx.require(Permission.PERSON_WRITE, 'household.member_remove', {
      type: 'household',
      id: input.householdId,
    });
    const household = await this.inScope(ctx, input.householdId, 'household.member_remove', true);
    const member = household.members.find((m) => m.personId === input.personId);
    if (!member)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.NOT_IN_HOUSEHOLD,
        'This person is not a current member of the household.',
        [{ field: 'personId', reason: 'not a current member' }],
      );
    if (member.relationship === HouseholdRelationship.REFERENCE_PERSON && household.members.length > 1)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.REFERENCE_PERSON_REQUIRED,
        'The reference person can leave only after the other members: remove them first, or start a new household for them.',
      );
    await ctx.em.query(
      `UPDATE household_member SET left_on = $3 WHERE household_id = $1 AND person_id = $2 AND left_on IS NULL`,
      [household.id, input.personId, todayInAthens()],
    );
    await ctx.em.query(`UPDATE household SET version = version + 1, updated_at = now() WHERE id = $1`, [
      household.id,
    ]);
    this.auditWrite(ctx, 'household.member_remove', household.id, household.municipalityCode);
    return this.load(ctx, household.id);
  }

  private async inScope(
    ctx: RequestContext,
    id: string,
    action: string,
    forUpdate = false,
  ): Promise<HouseholdView> {
    if (!isUuid(id)) throw new NotFoundError('household', id);
    const params: unknown[] = [id, this.config.ADULT_AGE];
    const scope = scopeSql(ctx, 'h.municipality_code', params);
    // Changes to a household's members are serialised on the household row.
    if (forUpdate) await ctx.em.query(`SELECT 1 FROM household WHERE id = $1 FOR UPDATE`, [id]);
    const rows: HouseholdRow[] = await ctx.em.query(householdSelect(`h.id = $1 AND ${scope}`), params);
    if (!rows[0]) {
      ctx.audit({
        action,
        subjectType: 'household',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found in area',
      });
      throw new NotFoundError('household', id);
    }
    return toHouseholdView(rows[0]);
  }

  private async load(ctx: RequestContext, id: string): Promise<HouseholdView> {
    const rows: HouseholdRow[] = await ctx.em.query(householdSelect('h.id = $1'), [
      id,
      this.config.ADULT_AGE,
    ]);
    return toHouseholdView(rows[0]!);
  }

  private async assertNoHousehold(ctx: RequestContext, personId: string): Promise<void> {
    const rows: unknown[] = await ctx.em.query(
      `SELECT 1 FROM household_member WHERE person_id = $1 AND left_on IS NULL`,
      [personId],
    );
    if (rows.length > 0)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.ALREADY_IN_HOUSEHOLD,
        'This person is already a member of a household: remove them from it first.',
        [{ field: 'personId', reason: 'already in a household' }],
      );
  }

  private auditWrite(
    ctx: RequestContext,
    action: string,
    householdId: string,
    municipalityCode: string,
  ): void {
    ctx.audit({
      action,
      subjectType: 'household',
      subjectId: householdId,
      outcome: 'allowed',
      municipalityCode,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
  }
}

/** Households matching `where`, with their current members and composition; $2 is the adult age. */
/** `adultAge`: the parameter holding ADULT_AGE ($2 in this service's own statements). */
export function householdSelect(where: string, adultAge = '$2'): string {
  return `
  SELECT h.id, h.municipality_code, h.address, h.version,
         count(m.person_id)::int AS size,
         count(m.person_id) FILTER (WHERE p.birth_date <= current_date - make_interval(years => ${adultAge}::int))::int AS adults,
         count(m.person_id) FILTER (WHERE p.birth_date > current_date - make_interval(years => ${adultAge}::int))::int AS minors,
         coalesce(jsonb_agg(jsonb_build_object('person_id', m.person_id, 'relationship', m.relationship, 'joined_on', m.joined_on)
                  ORDER BY m.relationship <> 'REFERENCE_PERSON', m.joined_on, m.person_id)
                  FILTER (WHERE m.person_id IS NOT NULL), '[]') AS members
    FROM household h
    LEFT JOIN household_member m ON m.household_id = h.id AND m.left_on IS NULL
    LEFT JOIN person p ON p.id = m.person_id
   WHERE ${where}
   GROUP BY h.id`;
}

export function toHouseholdView(r: HouseholdRow): HouseholdView {
  return Object.assign(new HouseholdView(), {
    id: r.id,
    municipalityCode: r.municipality_code,
    address: r.address,
    version: r.version,
    size: r.size,
    adults: r.adults,
    minors: r.minors,
    members: r.members.map((m) =>
      Object.assign(new HouseholdMemberView(), {
        personId: m.person_id,
        municipalityCode: r.municipality_code,
        relationship: m.relationship as HouseholdRelationship,
        joinedOn: String(m.joined_on).slice(0, 10),
      }),
    ),
  });
}
