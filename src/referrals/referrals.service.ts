import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { coversMunicipality } from '../auth/area-scope.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { todayInAthens } from '../common/athens-time.js';
import { ForbiddenError, InputError, InputErrorCode, NotFoundError } from '../common/domain-error.js';
import { type ConnectionShape } from '../common/pagination.js';
import { keysetPage } from '../common/keyset-page.js';
import { SqlParams } from '../common/sql.js';
import { isUuid } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import { BeneficiaryService } from '../beneficiaries/beneficiary.service.js';
import { personInScope } from '../beneficiaries/person-rows.js';
import type { OutboxEvent, OutboxWriter, ReferralSchedule } from '../outbox/contracts.js';
import type {
  ChangeReferralStatusInput,
  HandoverInput,
  ReferralCountsArgs,
  ReferralFilterArgs,
  ReferralInput,
} from './dto/referral.input.js';
import { REFERRAL_OUTBOX } from './referral-events.js';
import {
  PersonRegistration,
  ReferralKind,
  ReferralStatus,
  SharedField,
  type ReferralChange,
  type ReferralCounts,
  type ReferralView,
  type SharedPerson,
} from './referral.model.js';
import { ReferralError, ReferralErrorCode } from './referrals.errors.js';
import {
  CHANGE_STATUS,
  countsSql,
  EXPIRE_UNANSWERED,
  FLAG_OVERDUE,
  HAS_CONSENT,
  HISTORY,
  INSERT_APPLICATION,
  INSERT_REFERRAL,
  REFERRAL_COLUMNS,
  REFERRAL_FROM,
  SEND_REMINDERS,
  SPECIAL_TARGET_SQL,
  specialTargetParams,
  visibleSql,
  type ReferralCountsRow,
  type ReferralRow,
  type ScheduledRow,
} from './referrals.queries.js';

/**
 * The lifecycle (docs/referrals.md). Statuses set through the API; EXPIRED only by the schedule.
 * The referring centre sends and cancels, the receiver answers.
 */
export const TRANSITIONS: Record<ReferralStatus, ReferralStatus[]> = {
  DRAFT: [ReferralStatus.SENT, ReferralStatus.CANCELLED],
  SENT: [ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.CANCELLED],
  ACCEPTED: [ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED, ReferralStatus.CANCELLED],
  IN_PROGRESS: [ReferralStatus.COMPLETED, ReferralStatus.CANCELLED],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
  EXPIRED: [],
};

/** Statuses the referring centre sets; the others (but EXPIRED) are the receiver's. */
const SENDER_STATUSES: ReferralStatus[] = [ReferralStatus.SENT, ReferralStatus.CANCELLED];

/** The actor of the scheduled work, as written in history rows. */
export const SCHEDULE_ACTOR = 'system:referral-schedule';

const TOPIC: Partial<Record<ReferralStatus, string>> = {
  SENT: 'referral.sent',
  CANCELLED: 'referral.cancelled',
  COMPLETED: 'referral.completed',
};

/**
 * Referrals from centres to providers, programmes and other centres. A referral is personal data:
 * every read needs a purpose and is audited under its person; the scope (referring area, holding
 * centre of a hand-over, receiving provider) is in the SQL that reads, and row-level security
 * repeats it. Every change writes its history row and its outbox event in the request's transaction.
 */
@Injectable()
export class ReferralsService implements ReferralSchedule {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(REFERRAL_OUTBOX) private readonly outbox: OutboxWriter,
    private readonly beneficiaries: BeneficiaryService,
  ) {}

  /** One referral the caller may see, with its history; read with a purpose, audited. */
  async get(ctx: RequestContext, id: string): Promise<ReferralView> {
    this.requireReader(ctx, 'referral.read');
    const purpose = ctx.requirePurpose('referral.read');
    const row = await this.findVisible(ctx, id, 'referral.read');
    this.auditRow(ctx, 'referral.read', row, purpose);
    const view = this.toView(ctx, row);
    const history: Array<Record<string, unknown>> = await ctx.em.query(HISTORY, [id]);
    view.history = history.map((h): ReferralChange => ({
      event: h.event as ReferralChange['event'],
      fromStatus: (h.from_status as ReferralStatus | null) ?? null,
      toStatus: (h.to_status as ReferralStatus | null) ?? null,
      actor: h.actor as string,
      at: h.at as Date,
      note: (h.note as string | null) ?? null,
    }));
    return view;
  }

  /**
   * The referrals the caller may see, newest change first: a centre's own (and hand-overs asked of
   * it), a provider's inbox, or one person's referral history (`personId`).
   */
  async list(
    ctx: RequestContext,
    filter: ReferralFilterArgs,
    options: { count: boolean } = { count: true },
  ): Promise<ConnectionShape<ReferralView>> {
    this.requireReader(ctx, 'referral.read');
    const purpose = ctx.requirePurpose('referral.read');
    const q = new SqlParams();
    const where = [visibleSql(ctx, q)];
    if (filter.status) where.push(`r.status = ${q.p(filter.status)}`);
    if (filter.kind) where.push(`r.kind = ${q.p(filter.kind)}`);
    if (filter.overdue !== undefined) where.push(`r.overdue = ${q.p(filter.overdue)}`);
    if (filter.providerId) where.push(`r.provider_id = ${q.p(filter.providerId)}`);
    if (filter.programmeId) where.push(`r.programme_id = ${q.p(filter.programmeId)}`);
    if (filter.personId) where.push(`r.person_id = ${q.p(filter.personId)}`);
    if (filter.categoryCode) where.push(`r.category_code = ${q.p(filter.categoryCode)}`);
    if (filter.createdFrom)
      where.push(
        `r.created_at >= (${q.p(filter.createdFrom)}::date)::timestamp AT TIME ZONE 'Europe/Athens'`,
      );
    if (filter.createdTo)
      where.push(
        `r.created_at < (${q.p(filter.createdTo)}::date + 1)::timestamp AT TIME ZONE 'Europe/Athens'`,
      );
    const found = await keysetPage<ReferralRow>(ctx.em, {
      q,
      columns: `${REFERRAL_COLUMNS}, referral_shared_person(r.id) AS shared`,
      from: REFERRAL_FROM,
      where,
      keys: [
        { sql: 'r.updated_at', part: 'timestamp' },
        { sql: 'r.id', part: 'uuid' },
      ],
      direction: 'DESC',
      first: filter.first,
      after: filter.after,
      count: options.count,
    });
    // Nothing found for a person: one outside the caller's reach is refused (and audited) as not found.
    if (filter.personId && found.rows.length === 0 && !filter.after)
      await personInScope(ctx, filter.personId, 'referral.read');
    for (const row of found.rows) this.auditRow(ctx, 'referral.read', row, purpose);
    return found.connection((r) => this.toView(ctx, r));
  }

  /**
   * Counts by status, provider and need, and the hours to accept and to complete, for those who
   * may see the referrals themselves (centre and provider staff of what they see, national roles).
   * Anyone else (a regional officer) reads referral figures from the statistics API, where small
   * counts are suppressed once for every area and period (docs/statistics.md): counts over free
   * filters here could be differenced against those into a hidden cell.
   */
  async counts(ctx: RequestContext, args: ReferralCountsArgs): Promise<ReferralCounts> {
    const seesReferrals =
      ctx.can(Permission.PERSON_READ) ||
      ctx.can(Permission.REFERRAL_RECEIVE) ||
      (ctx.actor.scope.level === 'national' && ctx.can(Permission.STATISTICS_READ));
    if (!seesReferrals) {
      ctx.require(Permission.STATISTICS_READ, 'referral.count');
      throw new ForbiddenError(
        'Referral counts are for those who can see the referrals. Your figures are in the statistics API ' +
          '(GET /api/v1/statistics/REGION/{code} or the statistics query), with small counts suppressed.',
      );
    }
    const q = new SqlParams();
    const where = [visibleSql(ctx, q)];
    if (args.municipalityCode) where.push(`r.from_municipality_code = ${q.p(args.municipalityCode)}`);
    if (args.createdFrom)
      where.push(`r.created_at >= (${q.p(args.createdFrom)}::date)::timestamp AT TIME ZONE 'Europe/Athens'`);
    if (args.createdTo)
      where.push(`r.created_at < (${q.p(args.createdTo)}::date + 1)::timestamp AT TIME ZONE 'Europe/Athens'`);
    const [row]: ReferralCountsRow[] = await ctx.em.query(countsSql(where.join(' AND ')), q.values);
    return {
      total: row!.total,
      byStatus: row!.by_status,
      byProvider: row!.by_provider,
      byNeed: row!.by_need,
      medianHoursToAccept: row!.median_accept,
      averageHoursToAccept: row!.avg_accept,
      medianHoursToComplete: row!.median_complete,
      averageHoursToComplete: row!.avg_complete,
    };
  }

  /**
   * Creates a referral of a person of the caller's area, as a DRAFT (or sent at once with `send`).
   * The target is a provider (and one of its services) or a programme, whose administering
   * provider receives it.
   */
  async create(ctx: RequestContext, input: ReferralInput): Promise<ReferralView> {
    ctx.require(Permission.PERSON_WRITE, 'referral.create');
    const purpose = ctx.requirePurpose('referral.create');
    if (!!input.providerId === !!input.programmeId)
      throw new ReferralError(
        ReferralErrorCode.UNKNOWN_TARGET,
        'Name a provider or a programme (one of them).',
        [{ field: 'providerId', reason: 'exactly one of providerId and programmeId' }],
      );
    if (!!input.legalBasis !== !!input.legalBasisNote)
      throw new InputError(
        InputErrorCode.BAD_USER_INPUT,
        'A legal basis needs its note, and a note its basis.',
        [{ field: 'legalBasisNote', reason: 'goes with legalBasis' }],
      );
    const person = await personInScope(ctx, input.personId, 'referral.create');
    if (person.status !== 'ACTIVE')
      throw new ReferralError(
        ReferralErrorCode.UNKNOWN_TARGET,
        'This record is closed or merged: it cannot be referred.',
        [{ field: 'personId', reason: `the record is ${person.status.toLowerCase()}` }],
      );
    let providerId: string | null = input.providerId ?? null;
    let category = input.categoryCode ?? null;
    if (input.providerId) {
      const [provider] = await ctx.em.query(`SELECT 1 FROM provider WHERE id = $1`, [input.providerId]);
      if (!provider) throw unknownTarget('providerId', 'no such provider');
      if (input.providerServiceId) {
        const [service]: Array<{ category_code: string }> = await ctx.em.query(
          `SELECT category_code FROM provider_service WHERE id = $1 AND provider_id = $2`,
          [input.providerServiceId, input.providerId],
        );
        if (!service) throw unknownTarget('providerServiceId', 'not a service of this provider');
        category ??= service.category_code;
      }
    } else {
      if (input.providerServiceId) throw unknownTarget('providerServiceId', 'goes with providerId');
      const [programme]: Array<{ administering_provider_id: string | null; status: string }> =
        await ctx.em.query(`SELECT administering_provider_id, status FROM programme WHERE id = $1`, [
          input.programmeId,
        ]);
      if (!programme) throw unknownTarget('programmeId', 'no such programme');
      if (programme.status !== 'ACTIVE')
        throw unknownTarget('programmeId', 'the programme takes no applications');
      providerId = programme.administering_provider_id;
    }
    if (category) {
      const [known] = await ctx.em.query(`SELECT 1 FROM service_category WHERE code = $1`, [category]);
      if (!known) throw unknownTarget('categoryCode', 'no such service category');
    }
    const [{ special }] = await ctx.em.query(
      `SELECT ${SPECIAL_TARGET_SQL}`,
      specialTargetParams(input.providerServiceId ?? null, input.programmeId ?? null, category),
    );
    // The target is public, so saying that it needs the permission reveals nothing about the person.
    if (special)
      ctx.require(Permission.SPECIAL_CATEGORY, 'referral.create', { type: 'person', id: person.id });
    const [{ id }] = await ctx.em.query(INSERT_REFERRAL, [
      person.id,
      input.programmeId ? ReferralKind.PROGRAMME : ReferralKind.PROVIDER,
      person.municipality_code,
      ctx.actor.id,
      providerId,
      input.providerServiceId ?? null,
      input.programmeId ?? null,
      null,
      category,
      input.notes ?? null,
      input.urgency ?? 'ROUTINE',
      input.dueOn,
      input.sharedFields,
      input.legalBasis ?? null,
      input.legalBasisNote ?? null,
      special,
    ]);
    await this.recordCreation(ctx, id);
    ctx.audit({
      action: 'referral.create',
      subjectType: 'person',
      subjectId: person.id,
      municipalityCode: person.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    if (input.send) return this.changeStatus(ctx, id, { status: ReferralStatus.SENT });
    return this.toView(ctx, await this.findVisible(ctx, id, 'referral.create'));
  }

  /**
   * The national look-up of a hand-over: whether an active person holds this exact AFM or AMKA and
   * which municipality's centre holds them. Nothing else about them; audited with the purpose.
   */
  async personRegistration(ctx: RequestContext, afm?: string, amka?: string): Promise<PersonRegistration> {
    ctx.require(Permission.PERSON_WRITE, 'person.registration');
    const purpose = ctx.requirePurpose('person.registration');
    const found = await this.registration(afm, amka, ctx);
    ctx.audit({
      action: 'person.registration',
      subjectType: found ? 'person' : undefined,
      subjectId: found?.id,
      municipalityCode: found?.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    return {
      registered: !!found,
      municipalityCode: found?.municipality_code ?? null,
      inYourArea: !!found && coversMunicipality(ctx.actor.scope, found.municipality_code),
      subjectPersonId: found?.id ?? null,
    };
  }

  /**
   * Asks the centre that holds a person (found by exact AFM or AMKA) to hand them over to one of
   * the caller's municipalities; the request is sent at once. On acceptance the person moves.
   */
  async requestHandover(ctx: RequestContext, input: HandoverInput): Promise<ReferralView> {
    ctx.require(Permission.PERSON_WRITE, 'referral.handover');
    const purpose = ctx.requirePurpose('referral.handover');
    const scope = ctx.actor.scope;
    const to =
      input.toMunicipalityCode ??
      (scope.level !== 'national' && scope.municipalityCodes.length === 1
        ? scope.municipalityCodes[0]
        : undefined);
    if (!to)
      throw new ReferralError(
        ReferralErrorCode.BAD_HANDOVER,
        'Name the municipality of yours the person moves to.',
        [{ field: 'toMunicipalityCode', reason: 'required when you serve several municipalities' }],
      );
    if (!coversMunicipality(scope, to))
      throw new ReferralError(
        ReferralErrorCode.OUTSIDE_YOUR_AREA,
        `Municipality ${to} is not in your area.`,
        [{ field: 'toMunicipalityCode', reason: 'outside your area' }],
      );
    const found = await this.registration(input.afm, input.amka, ctx);
    if (!found) {
      ctx.audit({ action: 'referral.handover', outcome: 'denied', reason: 'no such person' });
      throw new NotFoundError('person', input.afm ?? input.amka ?? '');
    }
    if (found.municipality_code === to)
      throw new ReferralError(
        ReferralErrorCode.BAD_HANDOVER,
        'The person is already registered in this municipality.',
      );
    const [{ id }] = await ctx.em.query(INSERT_REFERRAL, [
      found.id,
      ReferralKind.HANDOVER,
      to,
      ctx.actor.id,
      null,
      null,
      null,
      found.municipality_code,
      null,
      input.notes ?? null,
      'ROUTINE',
      input.dueOn,
      [],
      null,
      null,
      false,
    ]);
    await this.recordCreation(ctx, id);
    ctx.audit({
      action: 'referral.handover',
      subjectType: 'person',
      subjectId: found.id,
      municipalityCode: found.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    return this.changeStatus(ctx, id, { status: ReferralStatus.SENT });
  }

  /**
   * Moves a referral along its lifecycle. The referring centre sends and cancels; the receiver
   * (the provider's staff, the holding centre of a hand-over) accepts, rejects, starts and
   * completes. Anything else is REFERRAL_TRANSITION_NOT_ALLOWED, naming both statuses.
   */
  async changeStatus(
    ctx: RequestContext,
    id: string,
    input: ChangeReferralStatusInput,
  ): Promise<ReferralView> {
    if (!ctx.can(Permission.PERSON_WRITE) && !ctx.can(Permission.REFERRAL_RECEIVE))
      ctx.require(Permission.PERSON_WRITE, 'referral.update', { type: 'referral', id });
    const purpose = ctx.requirePurpose('referral.update');
    const row = await this.findVisible(ctx, id, 'referral.update', true);
    if (input.expectedVersion !== undefined && input.expectedVersion !== row.version)
      throw new ReferralError(
        ReferralErrorCode.VERSION_CONFLICT,
        `The referral changed since you read it (version ${row.version}): read it again.`,
      );
    const from = row.status as ReferralStatus;
    const to = input.status;
    if (!TRANSITIONS[from].includes(to))
      throw new ReferralError(
        ReferralErrorCode.REFERRAL_TRANSITION_NOT_ALLOWED,
        `A referral that is ${from} cannot become ${to}${TRANSITIONS[from].length ? ` (it can become ${TRANSITIONS[from].join(' or ')})` : ''}.`,
        [
          { field: 'from', reason: from },
          { field: 'to', reason: to },
        ],
        { from, to },
      );
    const sender = SENDER_STATUSES.includes(to);
    if (sender ? !this.isSender(ctx, row) : !this.isReceiver(ctx, row)) {
      ctx.audit({
        action: 'referral.update',
        subjectType: 'person',
        subjectId: row.person_id,
        outcome: 'denied',
        reason: `only the ${sender ? 'referring centre' : 'receiver'} sets ${to}`,
      });
      throw new ForbiddenError(
        `Only the ${sender ? 'referring centre' : 'receiver'} of a referral may set it ${to}.`,
      );
    }
    if (to === ReferralStatus.REJECTED && !input.rejectionReason)
      throw new ReferralError(ReferralErrorCode.REASON_REQUIRED, 'A rejection needs its reason.', [
        { field: 'rejectionReason', reason: 'required with REJECTED' },
      ]);
    if (to === ReferralStatus.COMPLETED && !input.outcome)
      throw new ReferralError(ReferralErrorCode.REASON_REQUIRED, 'A completed referral needs its outcome.', [
        { field: 'outcome', reason: 'required with COMPLETED' },
      ]);
    if (to === ReferralStatus.SENT) await this.assertMaySend(ctx, row);
    const changed = await ctx.em.query(CHANGE_STATUS, [
      id,
      to,
      from,
      to === ReferralStatus.REJECTED ? input.rejectionReason : null,
      to === ReferralStatus.COMPLETED ? input.outcome : null,
      ctx.actor.id,
      input.note ?? null,
    ]);
    if (changed.length === 0)
      throw new ReferralError(
        ReferralErrorCode.VERSION_CONFLICT,
        'The referral changed meanwhile: read it again.',
      );
    if (to === ReferralStatus.ACCEPTED && row.kind === ReferralKind.PROGRAMME) await this.apply(ctx, row);
    if (to === ReferralStatus.ACCEPTED && row.kind === ReferralKind.HANDOVER) await this.handOver(ctx, row);
    const after = await this.findVisible(ctx, id, 'referral.update');
    await this.outbox.enqueue(ctx.em, eventOf(TOPIC[to] ?? 'referral.updated', after));
    this.auditRow(ctx, 'referral.update', row, purpose);
    return this.toView(ctx, after);
  }

  // ------------------------------------------------------------------ ReferralSchedule

  /** Flags SENT referrals not answered by their due date (an Athens day before `now`'s); once each. */
  flagOverdue(now: Date): Promise<number> {
    return this.scheduled(FLAG_OVERDUE, [now, SCHEDULE_ACTOR], 'referral.updated');
  }

  /** Records a reminder for each overdue referral not reminded within REFERRAL_REMIND_EVERY_HOURS. */
  sendReminders(now: Date): Promise<number> {
    return this.scheduled(
      SEND_REMINDERS,
      [now, SCHEDULE_ACTOR, this.config.REFERRAL_REMIND_EVERY_HOURS],
      'referral.reminder',
    );
  }

  /** Expires SENT referrals still unanswered REFERRAL_EXPIRE_AFTER_DAYS after their due date. */
  expireUnanswered(now: Date): Promise<number> {
    return this.scheduled(
      EXPIRE_UNANSWERED,
      [now, SCHEDULE_ACTOR, this.config.REFERRAL_EXPIRE_AFTER_DAYS],
      'referral.updated',
    );
  }

  /**
   * One set-based statement and its events in one transaction of its own. Two workers at once do
   * not double anything: the second's UPDATE waits for the first's row locks and re-checks its
   * WHERE on the rows the first committed.
   */
  private async scheduled(sql: string, params: unknown[], topic: string): Promise<number> {
    return this.dataSource.transaction(async (em: EntityManager) => {
      const rows: ScheduledRow[] = await em.query(sql, params);
      for (const row of rows) await this.outbox.enqueue(em, eventOf(topic, row));
      return rows.length;
    });
  }

  // ------------------------------------------------------------------ helpers

  private requireReader(ctx: RequestContext, action: string): void {
    if (!ctx.can(Permission.PERSON_READ) && !ctx.can(Permission.REFERRAL_RECEIVE))
      ctx.require(Permission.PERSON_READ, action);
  }

  /** The referral if the caller may see it (NOT_FOUND otherwise, audited), optionally locked. */
  private async findVisible(
    ctx: RequestContext,
    id: string,
    action: string,
    lock = false,
  ): Promise<ReferralRow> {
    if (!isUuid(id)) throw new NotFoundError('referral', id);
    const q = new SqlParams();
    const where = `r.id = ${q.p(id)} AND ${visibleSql(ctx, q)}`;
    if (lock) await ctx.em.query(`SELECT 1 FROM referral r WHERE ${where} FOR UPDATE`, q.values);
    const [row]: ReferralRow[] = await ctx.em.query(
      `SELECT ${REFERRAL_COLUMNS}, referral_shared_person(r.id) AS shared FROM ${REFERRAL_FROM} WHERE ${where}`,
      q.values,
    );
    if (!row) {
      ctx.audit({
        action,
        subjectType: 'referral',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found in scope',
      });
      throw new NotFoundError('referral', id);
    }
    return row;
  }

  private async recordCreation(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(
      `INSERT INTO referral_history (referral_id, event, to_status, actor) VALUES ($1, 'STATUS', 'DRAFT', $2)`,
      [id, ctx.actor.id],
    );
  }

  private async registration(
    afm: string | undefined,
    amka: string | undefined,
    ctx: RequestContext,
  ): Promise<{ id: string; municipality_code: string } | undefined> {
    if (!!afm === !!amka) {
      ctx.audit({ action: 'person.registration', outcome: 'denied', reason: 'needs exactly one identifier' });
      throw new InputError(InputErrorCode.BAD_USER_INPUT, 'Give exactly one of AFM and AMKA.', [
        { field: 'afm', reason: 'exactly one of afm and amka' },
      ]);
    }
    const [found] = await ctx.em.query(`SELECT id, municipality_code FROM person_registration($1, $2)`, [
      afm ?? null,
      amka ?? null,
    ]);
    return found;
  }

  /** The referring centre: the caller's area covers the municipality the referral was sent from. */
  private isSender(ctx: RequestContext, row: ReferralRow): boolean {
    return (
      ctx.can(Permission.PERSON_WRITE) && coversMunicipality(ctx.actor.scope, row.from_municipality_code)
    );
  }

  /**
   * The receiver: the staff of the receiving provider; the holding centre of a hand-over; the
   * referring centre itself for a programme without an administering provider. National
   * administrators act on either side.
   */
  private isReceiver(ctx: RequestContext, row: ReferralRow): boolean {
    const scope = ctx.actor.scope;
    if (scope.level === 'national') return ctx.can(Permission.PERSON_WRITE);
    if (scope.level === 'provider')
      return ctx.can(Permission.REFERRAL_RECEIVE) && scope.providerId === row.provider_id;
    if (!ctx.can(Permission.PERSON_WRITE)) return false;
    if (row.kind === ReferralKind.HANDOVER) return coversMunicipality(scope, row.to_municipality_code!);
    if (row.kind === ReferralKind.PROGRAMME && !row.provider_id)
      return coversMunicipality(scope, row.from_municipality_code);
    return false;
  }

  /** Consent first: sharing personal data with a provider needs a standing consent or a legal basis. */
  private async assertMaySend(ctx: RequestContext, row: ReferralRow): Promise<void> {
    if (row.kind === ReferralKind.HANDOVER || row.shared_fields.length === 0 || row.legal_basis) return;
    const [{ ok }]: Array<{ ok: boolean }> = await ctx.em.query(HAS_CONSENT, [row.person_id]);
    if (!ok)
      throw new ReferralError(
        ReferralErrorCode.CONSENT_REQUIRED,
        'The referral shares personal data: record the person’s consent to referrals (REFERRAL_TO_PROVIDERS), or a legal basis, first.',
        [{ field: 'sharedFields', reason: 'no consent and no legal basis' }],
      );
  }

  /** A programme referral accepted becomes the person's application (unless one is already open). */
  private async apply(ctx: RequestContext, row: ReferralRow): Promise<void> {
    await ctx.em.query(INSERT_APPLICATION, [row.id, todayInAthens(), ctx.actor.id]);
  }

  /** A hand-over accepted: the person moves, with their history, to the requesting centre's municipality. */
  private async handOver(ctx: RequestContext, row: ReferralRow): Promise<void> {
    const [person]: Array<{ version: number }> = await ctx.em.query(
      `SELECT version FROM person WHERE id = $1`,
      [row.person_id],
    );
    if (!person) throw new NotFoundError('person', row.person_id);
    await this.beneficiaries.move(ctx, {
      id: row.person_id,
      version: person.version,
      municipalityCode: row.from_municipality_code,
    });
  }

  private auditRow(
    ctx: RequestContext,
    action: string,
    row: ReferralRow,
    purpose: RequestContext['purpose'],
  ): void {
    ctx.audit({
      action,
      subjectType: 'person',
      subjectId: row.person_id,
      municipalityCode: row.person_municipality_code ?? row.from_municipality_code,
      outcome: 'allowed',
      purpose,
    });
  }

  /**
   * What the caller sees: provider staff never the person's id, and the notes only when NOTES is
   * shared (and sharing still allowed); everyone the person only as far as the referral shares.
   */
  private toView(ctx: RequestContext, r: ReferralRow): ReferralView {
    const provider = ctx.actor.scope.level === 'provider';
    const shared = r.shared ?? null;
    const sharesNotes = !!shared && r.shared_fields.includes(SharedField.NOTES);
    return withAuditSubject<ReferralView>(
      {
        id: r.id,
        kind: r.kind as ReferralKind,
        status: r.status as ReferralStatus,
        personId: provider || !r.person_municipality_code ? null : r.person_id,
        person: shared
          ? toSharedPerson(shared, r.person_id, r.person_municipality_code ?? r.from_municipality_code)
          : null,
        fromMunicipalityCode: r.from_municipality_code,
        referredBy: r.referred_by,
        providerId: r.provider_id,
        providerServiceId: r.provider_service_id,
        programmeId: r.programme_id,
        toMunicipalityCode: r.to_municipality_code,
        categoryCode: r.category_code,
        notes: provider && !sharesNotes ? null : r.notes,
        urgency: r.urgency as ReferralView['urgency'],
        dueOn: r.due_on,
        sharedFields: r.shared_fields as SharedField[],
        legalBasis: r.legal_basis as ReferralView['legalBasis'],
        legalBasisNote: provider ? null : r.legal_basis_note,
        rejectionReason: r.rejection_reason as ReferralView['rejectionReason'],
        outcome: r.outcome as ReferralView['outcome'],
        overdue: r.overdue,
        reminders: r.reminders,
        enrolmentId: provider ? null : r.enrolment_id,
        sentAt: r.sent_at,
        acceptedAt: r.accepted_at,
        completedAt: r.completed_at,
        version: r.version,
        updatedAt: r.updated_at,
        history: null,
      },
      r.person_id,
      r.person_municipality_code ?? r.from_municipality_code,
    );
  }
}

function unknownTarget(field: string, reason: string): ReferralError {
  return new ReferralError(
    ReferralErrorCode.UNKNOWN_TARGET,
    `The referral's ${field} is not usable: ${reason}.`,
    [{ field, reason }],
  );
}

function toSharedPerson(
  s: Record<string, unknown>,
  personId: string,
  municipalityCode: string,
): SharedPerson {
  const text = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : null);
  return withAuditSubject<SharedPerson>(
    {
      givenName: text('givenName'),
      surname: text('surname'),
      birthDate: text('birthDate'),
      phone: text('phone'),
      email: text('email'),
      address: text('address'),
      afm: text('afm'),
      amka: text('amka'),
      householdSize: typeof s.householdSize === 'number' ? s.householdSize : null,
    },
    personId,
    municipalityCode,
  );
}

/**
 * Whom a read is audited under, as properties that are not enumerable: the GraphQL audit reads
 * them, but JSON (REST, a referral link) never carries them, so provider staff and link holders
 * never learn the person's id.
 */
function withAuditSubject<T extends { subjectPersonId: string; subjectMunicipalityCode: string }>(
  value: Omit<T, 'subjectPersonId' | 'subjectMunicipalityCode'>,
  personId: string,
  municipalityCode: string,
): T {
  return Object.defineProperties(value, {
    subjectPersonId: { value: personId, enumerable: false },
    subjectMunicipalityCode: { value: municipalityCode, enumerable: false },
  }) as T;
}

/** The event of a change: the referral's state, never anything about the person. */
function eventOf(
  topic: string,
  // A scheduled change (overdue, reminder, expiry) reads fewer columns: the others stay out of its payload.
  r: ScheduledRow & Partial<Pick<ReferralRow, 'rejection_reason' | 'outcome' | 'version'>>,
): OutboxEvent {
  return {
    topic,
    aggregateType: 'referral',
    aggregateId: r.id,
    municipalityCode: r.from_municipality_code,
    providerId: r.provider_id,
    payload: {
      id: r.id,
      kind: r.kind,
      status: r.status,
      providerId: r.provider_id,
      programmeId: r.programme_id,
      toMunicipalityCode: r.to_municipality_code,
      dueOn: r.due_on,
      overdue: r.overdue,
      reminders: r.reminders,
      rejectionReason: r.rejection_reason,
      outcome: r.outcome,
      version: r.version,
    },
  };
}
