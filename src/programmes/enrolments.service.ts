import { Injectable } from '@nestjs/common';
import { municipalityPredicate } from '../auth/area-scope.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { type ConnectionShape } from '../common/pagination.js';
import { keysetPage } from '../common/keyset-page.js';
import { SqlParams } from '../common/sql.js';
import type { ChangeEnrolmentInput, EnrolInput, EnrolmentFilterArgs } from './dto/enrolment.input.js';
import { EnrolmentSource, EnrolmentStatus, type EnrolmentView } from './programme.entity.js';
import { EnrolmentError, EnrolmentErrorCode } from './programmes.errors.js';
import { isUuid } from '../common/validators.js';
import { personInScope } from '../beneficiaries/person-rows.js';
import { programmeVisibleSql } from '../auth/special-category.js';
import { todayInAthens } from '../common/athens-time.js';
import { EntitlementsService } from '../eligibility/entitlements.service.js';

/** Where an enrolment may go from each status; ENDED is final (a new application is a new enrolment). */
export const TRANSITIONS: Record<EnrolmentStatus, EnrolmentStatus[]> = {
  APPLIED: [EnrolmentStatus.ACTIVE, EnrolmentStatus.ENDED],
  ACTIVE: [EnrolmentStatus.SUSPENDED, EnrolmentStatus.ENDED],
  SUSPENDED: [EnrolmentStatus.ACTIVE, EnrolmentStatus.ENDED],
  ENDED: [],
};

interface EnrolmentRow {
  id: string;
  person_id: string;
  programme_id: string;
  status: EnrolmentStatus;
  applied_on: string;
  started_on: string | null;
  ended_on: string | null;
  source: EnrolmentSource;
  source_reference: string | null;
  version: number;
  updated_at: Date;
  municipality_code: string;
  entitlement_at_enrolment: unknown;
}

const COLUMNS = `e.id, e.person_id, e.programme_id, e.status, to_char(e.applied_on, 'YYYY-MM-DD') AS applied_on,
  to_char(e.started_on, 'YYYY-MM-DD') AS started_on, to_char(e.ended_on, 'YYYY-MM-DD') AS ended_on, e.source,
  e.source_reference, e.version, e.updated_at, pe.municipality_code, e.entitlement_at_enrolment`;

function toView(r: EnrolmentRow): EnrolmentView {
  return {
    id: r.id,
    personId: r.person_id,
    programmeId: r.programme_id,
    status: r.status,
    appliedOn: r.applied_on,
    startedOn: r.started_on,
    endedOn: r.ended_on,
    source: r.source,
    sourceReference: r.source_reference,
    version: r.version,
    updatedAt: r.updated_at,
    municipalityCode: r.municipality_code,
    entitlementAtEnrolment: r.entitlement_at_enrolment,
  };
}

/**
 * Enrolments: which person is in which programme. They are personal data, so a caller sees and
 * changes only the enrolments of people of its own area (the person's municipality, checked in the
 * SQL), each read needs a declared purpose, and every person read or changed is audited. A person
 * outside the area looks exactly like one that does not exist.
 */
@Injectable()
export class EnrolmentsService {
  constructor(private readonly entitlements: EntitlementsService) {}

  /** Enrolments of one person and/or one programme, of people in the caller's area, newest first. */
  async list(
    ctx: RequestContext,
    filter: EnrolmentFilterArgs,
    options: { count: boolean } = { count: true },
  ): Promise<ConnectionShape<EnrolmentView>> {
    ctx.require(Permission.PERSON_READ, 'enrolment.read');
    const purpose = ctx.requirePurpose('enrolment.read');
    const q = new SqlParams();
    const scope = municipalityPredicate(ctx.actor.scope, 'pe.municipality_code', q.values.length + 1);
    q.values.push(...scope.params);
    const where = [scope.sql, programmeVisibleSql(ctx, 'pr')];
    if (filter.personId) {
      if (!isUuid(filter.personId)) throw new NotFoundError('person', filter.personId);
      where.push(`e.person_id = ${q.p(filter.personId)}`);
    }
    if (filter.programmeId) {
      if (!isUuid(filter.programmeId)) throw new NotFoundError('programme', filter.programmeId);
      where.push(`e.programme_id = ${q.p(filter.programmeId)}`);
    }
    if (filter.status) where.push(`e.status = ${q.p(filter.status)}`);
    const found = await keysetPage<EnrolmentRow>(ctx.em, {
      q,
      columns: COLUMNS,
      from: 'enrolment e JOIN person pe ON pe.id = e.person_id JOIN programme pr ON pr.id = e.programme_id',
      where,
      keys: [
        { sql: 'e.updated_at', part: 'timestamp' },
        { sql: 'e.id', part: 'uuid' },
      ],
      direction: 'DESC',
      first: filter.first,
      after: filter.after,
      count: options.count,
    });
    // Nothing found for a person: a person outside the area is refused (and audited) as not found.
    if (filter.personId && found.rows.length === 0 && !filter.after)
      await personInScope(ctx, filter.personId, 'enrolment.read');
    const page = found.rows;
    for (const person of new Map(page.map((r) => [r.person_id, r.municipality_code]))) {
      ctx.audit({
        action: 'enrolment.read',
        subjectType: 'person',
        subjectId: person[0],
        municipalityCode: person[1],
        outcome: 'allowed',
        purpose,
      });
    }
    return found.connection(toView);
  }

  /** One enrolment of a person of the caller's area; read with a purpose and audited. */
  async get(ctx: RequestContext, id: string): Promise<EnrolmentView> {
    ctx.require(Permission.PERSON_READ, 'enrolment.read');
    const purpose = ctx.requirePurpose('enrolment.read');
    const row = await this.findInScope(ctx, id, false);
    ctx.audit({
      action: 'enrolment.read',
      subjectType: 'person',
      subjectId: row.person_id,
      municipalityCode: row.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    return toView(row);
  }

  /**
   * Enrols a person of the caller's area in a programme (APPLIED, or ACTIVE when recorded after the
   * fact). A person has at most one open enrolment per programme; a closed or draft programme takes none.
   */
  async enrol(ctx: RequestContext, input: EnrolInput): Promise<EnrolmentView> {
    ctx.require(Permission.PERSON_WRITE, 'enrolment.create');
    const purpose = ctx.requirePurpose('enrolment.create');
    const person = await personInScope(ctx, input.personId, 'enrolment.create');
    if (person.status !== 'ACTIVE')
      throw new EnrolmentError(
        EnrolmentErrorCode.PERSON_NOT_ACTIVE,
        'This record is closed or merged: it can no longer be enrolled.',
        [{ field: 'personId', reason: `the record is ${person.status.toLowerCase()}` }],
      );
    // The same coverage test as the programme search's availableIn: national, or covering the
    // person's municipality, its regional unit or its region.
    const [programme]: Array<{
      status: string;
      code: string;
      special_category: boolean;
      covers: boolean;
      starts_on: string | null;
      ends_on: string | null;
    }> = isUuid(input.programmeId)
      ? await ctx.em.query(
          `SELECT g.status, g.code, g.special_category, g.starts_on::text AS starts_on, g.ends_on::text AS ends_on,
               g.national OR EXISTS (
             SELECT 1 FROM programme_coverage c JOIN municipality mu ON mu.code = $2
              WHERE c.programme_id = g.id AND (
                (c.area_level = 'MUNICIPALITY' AND c.area_code = mu.code)
                OR (c.area_level = 'REGIONAL_UNIT' AND c.area_code = mu.regional_unit_code)
                OR (c.area_level = 'REGION' AND c.area_code = mu.region_code))) AS covers
             FROM programme g WHERE g.id = $1`,
          [input.programmeId, person.municipality_code],
        )
      : [];
    if (!programme) throw new NotFoundError('programme', input.programmeId);
    // Programmes are public, so saying that this one needs the permission reveals nothing about the person.
    if (programme.special_category)
      ctx.require(Permission.SPECIAL_CATEGORY, 'enrolment.create', { type: 'person', id: person.id });
    if (programme.status !== 'ACTIVE')
      throw new EnrolmentError(
        EnrolmentErrorCode.PROGRAMME_NOT_OPEN,
        `Programme ${programme.code} is ${programme.status.toLowerCase()}: it takes no enrolments.`,
      );
    if (!programme.covers)
      throw new EnrolmentError(
        EnrolmentErrorCode.OUTSIDE_PROGRAMME_COVERAGE,
        `Programme ${programme.code} is not available in municipality ${person.municipality_code}, where the person lives.`,
        [{ field: 'programmeId', reason: "does not cover the person's municipality" }],
      );
    if (
      (programme.starts_on && input.appliedOn < programme.starts_on) ||
      (programme.ends_on && input.appliedOn > programme.ends_on)
    )
      throw new EnrolmentError(
        EnrolmentErrorCode.OUTSIDE_PROGRAMME_PERIOD,
        `Programme ${programme.code} runs ${programme.starts_on ?? '…'} to ${programme.ends_on ?? '…'}: it takes no application dated ${input.appliedOn}.`,
        [{ field: 'appliedOn', reason: 'outside the period of the programme' }],
      );
    const status = input.status ?? EnrolmentStatus.APPLIED;
    if (status !== EnrolmentStatus.APPLIED && status !== EnrolmentStatus.ACTIVE)
      throw new EnrolmentError(
        EnrolmentErrorCode.TRANSITION_NOT_ALLOWED,
        'A new enrolment starts as APPLIED or ACTIVE; suspend or end it afterwards.',
        [{ field: 'status', reason: 'not a starting status' }],
      );
    const startedOn = status === EnrolmentStatus.ACTIVE ? (input.startedOn ?? input.appliedOn) : null;
    if (startedOn && startedOn < input.appliedOn)
      throw new EnrolmentError(
        EnrolmentErrorCode.BAD_DATE_RANGE,
        'An enrolment cannot start before it was applied for.',
        [{ field: 'startedOn', reason: 'before appliedOn' }],
      );
    const open: Array<{ id: string }> = await ctx.em.query(
      `SELECT id FROM enrolment WHERE person_id = $1 AND programme_id = $2 AND status <> 'ENDED'`,
      [input.personId, input.programmeId],
    );
    if (open.length)
      throw new EnrolmentError(
        EnrolmentErrorCode.ALREADY_ENROLLED,
        `The person already has an open enrolment (${open[0]!.id}) in programme ${programme.code}.`,
      );
    // What the registry answers at this moment, kept with the enrolment; read for the day applied
    // (today for an application dated later), with the parameters in force then.
    const today = todayInAthens();
    const entitlement = await this.entitlements.atEnrolment(
      ctx,
      input.personId,
      input.programmeId,
      input.appliedOn < today ? input.appliedOn : today,
    );
    const [{ id }] = await ctx.em.query(
      `INSERT INTO enrolment (person_id, programme_id, status, applied_on, started_on, source, source_reference, created_by, updated_by, entitlement_at_enrolment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9::jsonb) RETURNING id`,
      [
        input.personId,
        input.programmeId,
        status,
        input.appliedOn,
        startedOn,
        input.source ?? EnrolmentSource.CENTRE,
        input.sourceReference ?? null,
        ctx.actor.id,
        JSON.stringify(entitlement),
      ],
    );
    ctx.audit({
      action: 'enrolment.create',
      subjectType: 'person',
      subjectId: input.personId,
      municipalityCode: person.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    return toView(await this.findInScope(ctx, id, false));
  }

  /** Moves an enrolment along its lifecycle (APPLIED → ACTIVE → SUSPENDED ↔ ACTIVE → ENDED) on a day. */
  async changeStatus(ctx: RequestContext, id: string, input: ChangeEnrolmentInput): Promise<EnrolmentView> {
    ctx.require(Permission.PERSON_WRITE, 'enrolment.update');
    const purpose = ctx.requirePurpose('enrolment.update');
    const row = await this.findInScope(ctx, id, true);
    if (input.expectedVersion !== undefined && input.expectedVersion !== row.version)
      throw new EnrolmentError(
        EnrolmentErrorCode.VERSION_CONFLICT,
        `The enrolment changed since you read it (version ${row.version}): read it again.`,
      );
    if (!TRANSITIONS[row.status].includes(input.status))
      throw new EnrolmentError(
        EnrolmentErrorCode.TRANSITION_NOT_ALLOWED,
        `An enrolment that is ${row.status} cannot become ${input.status}${TRANSITIONS[row.status].length ? ` (it can become ${TRANSITIONS[row.status].join(' or ')})` : ''}.`,
        [{ field: 'status', reason: `not allowed from ${row.status}` }],
      );
    const from = row.started_on ?? row.applied_on;
    if (input.on < from)
      throw new EnrolmentError(
        EnrolmentErrorCode.BAD_DATE_RANGE,
        `The change cannot date from ${input.on}, before the enrolment ${row.started_on ? 'started' : 'was applied for'} (${from}).`,
        [{ field: 'on', reason: `before ${from}` }],
      );
    await ctx.em.query(
      `UPDATE enrolment SET status = $2,
         started_on = CASE WHEN $2 = 'ACTIVE' AND started_on IS NULL THEN $3::date ELSE started_on END,
         ended_on = CASE WHEN $2 = 'ENDED' THEN $3::date ELSE NULL END,
         updated_by = $4, updated_at = clock_timestamp(), version = version + 1
       WHERE id = $1`,
      [id, input.status, input.on, ctx.actor.id],
    );
    ctx.audit({
      action: 'enrolment.update',
      subjectType: 'person',
      subjectId: row.person_id,
      municipalityCode: row.municipality_code,
      outcome: 'allowed',
      purpose,
      reason: `${row.status} -> ${input.status}`,
    });
    return toView(await this.findInScope(ctx, id, false));
  }

  /**
   * One enrolment of a person of the caller's area. One in a special-category programme, for a
   * caller without special_category, is NOT_FOUND like one that does not exist.
   */
  private async findInScope(ctx: RequestContext, id: string, lock: boolean): Promise<EnrolmentRow> {
    if (!isUuid(id)) throw new NotFoundError('enrolment', id);
    const scope = municipalityPredicate(ctx.actor.scope, 'pe.municipality_code', 2);
    const params = [id, ...scope.params];
    const visible = programmeVisibleSql(ctx, 'pr');
    const [row]: EnrolmentRow[] = await ctx.em.query(
      `SELECT ${COLUMNS} FROM enrolment e JOIN person pe ON pe.id = e.person_id JOIN programme pr ON pr.id = e.programme_id
        WHERE e.id = $1 AND ${scope.sql} AND ${visible} ${lock ? 'FOR UPDATE OF e' : ''}`,
      params,
    );
    if (!row) throw new NotFoundError('enrolment', id);
    return row;
  }
}
