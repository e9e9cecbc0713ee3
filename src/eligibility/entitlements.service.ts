import { Injectable } from '@nestjs/common';
import { canSeeSpecialCategory } from '../auth/special-category.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { athensTime, todayInAthens } from '../common/athens-time.js';
import { NotFoundError } from '../common/domain-error.js';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  toConnection,
  type ConnectionShape,
} from '../common/pagination.js';
import { isUuid } from '../common/validators.js';
import { personInScope } from '../beneficiaries/person-rows.js';
import { nextOpening } from '../providers/opening-hours.js';
import {
  EligibilityOutcome,
  FACT_CATALOGUE,
  FactBasis,
  type FactName,
  type FactValue,
  type PersonFacts,
} from './contracts.js';
import type { EligibleNotEnrolledArgs, ScreeningInput } from './dto/entitlements.args.js';
import { EntitlementError, EntitlementErrorCode } from './entitlements.errors.js';
import {
  Proximity,
  type Entitlement,
  type LikelyEligiblePerson,
  type NearbyProvider,
  type PersonEntitlements,
  type Screening,
} from './entitlements.model.js';
import {
  ENROLLED_IN_PROGRAMME,
  MUNICIPALITIES_REACHED,
  NEAREST_PROVIDERS,
  PEOPLE_NAMED,
  PROGRAMME_BY_ID,
  PROGRAMMES_AVAILABLE,
  type CandidateRow,
  type ProgrammeRow,
  type ProviderRow,
} from './entitlements.queries.js';
import { FactsService } from './facts/facts.service.js';
import { Language } from './language.js';
import {
  evaluateProgramme,
  outcomeOf,
  prepareProgramme,
  toEntitlement,
  type PreparedProgramme,
} from './programme-evaluation.js';
import { parametersAsOf } from './rules/index.js';

/** Providers listed per programme. */
const PROVIDERS_PER_PROGRAMME = 3;
/** People whose facts are read and evaluated at once by the outreach list. */
const OUTREACH_BATCH = 5000;
const PROXIMITY = [
  Proximity.SAME_MUNICIPALITY,
  Proximity.SAME_REGIONAL_UNIT,
  Proximity.SAME_REGION,
  Proximity.ELSEWHERE,
];
/** Facts that come from the municipality of a screening, not from the desk. */
const AREA_FACTS: readonly FactName[] = ['municipality_code', 'regional_unit_code', 'region_code'];

/** The entitlement result kept with an enrolment: what the registry answered when the person was enrolled. */
export interface EnrolmentEntitlement {
  evaluatedAt: string;
  asOf: string;
  outcome: EligibilityOutcome | null;
  summary: string;
  amount: number | null;
  criteria: Entitlement['criteria'];
  /** The rule reads special-category facts the enrolling caller may not read: not evaluated. */
  withheld: boolean;
}

/**
 * What people are entitled to (issue 11): every programme available where a person lives on a
 * day, evaluated against the person's facts with an explanation per criterion, the amount, how to
 * apply, whether they are already enrolled and the nearest providers with when they open next.
 * The same answer for a screening at the desk (facts typed in, nothing written or audited), and,
 * set-wise, the people of an area likely eligible for a programme but not enrolled in it.
 */
@Injectable()
export class EntitlementsService {
  constructor(private readonly facts: FactsService) {}

  /**
   * A registered person's entitlements as of `asOf` (default today): a person of the caller's area
   * only (NOT_FOUND otherwise, audited as denied), with a purpose, audited as one read of the person.
   * Without special_category, programmes that concern Art. 9 data are left out and counted.
   */
  async forPerson(
    ctx: RequestContext,
    args: { personId: string; asOf?: string; language: Language },
  ): Promise<PersonEntitlements> {
    ctx.require(Permission.PERSON_READ, 'entitlement.read', { type: 'person', id: args.personId });
    const purpose = ctx.requirePurpose('entitlement.read');
    const person = await personInScope(ctx, args.personId, 'entitlement.read');
    const asOf = args.asOf ?? todayInAthens();
    const { visible, withheld } = this.visibleProgrammes(
      ctx,
      await ctx.em.query<ProgrammeRow[]>(PROGRAMMES_AVAILABLE, [person.municipality_code, asOf, person.id]),
    );
    const facts = (await this.facts.factsOf(ctx, [person.id], asOf)).get(person.id) ?? {};
    const entitlements = await this.answer(
      ctx,
      visible,
      facts,
      person.municipality_code,
      asOf,
      args.language,
    );
    ctx.audit({
      action: 'entitlement.read',
      subjectType: 'person',
      subjectId: person.id,
      municipalityCode: person.municipality_code,
      outcome: 'allowed',
      purpose,
    });
    return {
      personId: person.id,
      municipalityCode: person.municipality_code,
      asOf,
      language: args.language,
      entitlements,
      withheldProgrammes: withheld,
    };
  }

  /**
   * The same answer for someone not registered, from facts typed at the desk: nothing is written,
   * nothing personal is audited, no purpose is needed. Every fact is checked against the catalogue
   * (an unknown name or a wrong type is refused with the field named); the area facts come from
   * `municipalityCode`.
   */
  async screen(ctx: RequestContext, input: ScreeningInput, language: Language): Promise<Screening> {
    ctx.require(Permission.PROGRAMME_READ, 'entitlement.screen');
    const asOf = input.asOf ?? todayInAthens();
    const [home] = await ctx.em.query<
      Array<{ code: string; regional_unit_code: string; region_code: string }>
    >(`SELECT code, regional_unit_code, region_code FROM municipality WHERE code = $1`, [
      input.municipalityCode,
    ]);
    if (!home)
      throw new EntitlementError(
        EntitlementErrorCode.UNKNOWN_MUNICIPALITY,
        `There is no municipality ${input.municipalityCode}.`,
        [{ field: 'municipalityCode', reason: 'unknown municipality' }],
      );
    const facts = this.typedFacts(ctx, input.facts, asOf);
    for (const [name, value] of [
      ['municipality_code', home.code],
      ['regional_unit_code', home.regional_unit_code],
      ['region_code', home.region_code],
    ] as const)
      facts[name] = { value, basis: FactBasis.STAFF, source: 'SCREENING', asOf };
    const { visible, withheld } = this.visibleProgrammes(
      ctx,
      await ctx.em.query<ProgrammeRow[]>(PROGRAMMES_AVAILABLE, [home.code, asOf, null]),
    );
    return {
      municipalityCode: home.code,
      asOf,
      language,
      entitlements: await this.answer(ctx, visible, facts, home.code, asOf, language),
      withheldProgrammes: withheld,
    };
  }

  /**
   * People of the caller's area likely eligible (ELIGIBLE) for a programme and without an open
   * enrolment in it, for outreach, paged by person id. The area's people are read in batches,
   * their facts fetched set-wise and the compiled rule evaluated in Node; the whole area is
   * evaluated (the total is part of the answer). Audited as ONE bulk read naming the programme and
   * the number of people found, with its purpose. A special-category programme needs the permission.
   * National callers name one municipality (a request reads one area, never the country).
   */
  async eligibleNotEnrolled(
    ctx: RequestContext,
    args: EligibleNotEnrolledArgs,
  ): Promise<ConnectionShape<LikelyEligiblePerson>> {
    ctx.require(Permission.PERSON_READ, 'entitlement.outreach');
    const purpose = ctx.requirePurpose('entitlement.outreach');
    const asOf = args.asOf ?? todayInAthens();
    const limit = Math.min(args.first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const after = args.after ? decodeCursor(args.after, ['uuid'])[0] : undefined;
    const [row] = isUuid(args.programmeId)
      ? await ctx.em.query<ProgrammeRow[]>(PROGRAMME_BY_ID, [args.programmeId])
      : [];
    if (!row) throw new NotFoundError('programme', args.programmeId);
    const programme = prepareProgramme(row);
    if (programme.specialCategory)
      ctx.require(Permission.SPECIAL_CATEGORY, 'entitlement.outreach', { type: 'programme', id: row.id });
    const scope = ctx.actor.scope;
    let codes: string[];
    if (scope.level === 'national') {
      if (!args.municipalityCode)
        throw new EntitlementError(
          EntitlementErrorCode.MUNICIPALITY_REQUIRED,
          'Name one municipality: an outreach list reads one area at a time.',
          [{ field: 'municipalityCode', reason: 'required for callers of the whole country' }],
        );
      codes = [args.municipalityCode];
    } else
      codes = args.municipalityCode
        ? scope.municipalityCodes.filter((c) => c === args.municipalityCode)
        : scope.municipalityCodes;
    const reached = codes.length
      ? (await ctx.em.query<Array<{ code: string }>>(MUNICIPALITIES_REACHED, [codes, row.id, asOf])).map(
          (r) => r.code,
        )
      : [];
    // The area's facts streamed in batches (one cursor), the compiled rule run on each person; the
    // open enrolments of the programme there are read once and left out.
    const found: Array<{ personId: string; municipalityCode: string; amount: number | null }> = [];
    if (programme.compiled && reached.length) {
      const enrolled = new Set(
        (await ctx.em.query<Array<{ person_id: string }>>(ENROLLED_IN_PROGRAMME, [row.id, reached])).map(
          (r) => r.person_id,
        ),
      );
      const params = parametersAsOf(row.parameters, asOf);
      await this.facts.forEachBatch(
        ctx,
        { municipalityCodes: reached, asOf, batchSize: OUTREACH_BATCH },
        (batch) => {
          for (const person of batch) {
            if (enrolled.has(person.personId)) continue;
            const r = outcomeOf(programme, person.facts, params);
            if (r.outcome === EligibilityOutcome.ELIGIBLE)
              found.push({
                personId: person.personId,
                municipalityCode: person.municipalityCode,
                amount: r.amount ?? null,
              });
          }
        },
      );
      found.sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
    }
    const start = after ? found.findIndex((p) => p.personId > after) : 0;
    const slice = start < 0 ? [] : found.slice(start, start + limit + 1);
    const names = new Map(
      (await ctx.em.query<CandidateRow[]>(PEOPLE_NAMED, [slice.map((p) => p.personId)])).map((r) => [
        r.id,
        r,
      ]),
    );
    const rows: LikelyEligiblePerson[] = slice.map((p) => ({
      ...p,
      givenName: names.get(p.personId)?.given_name ?? '',
      surname: names.get(p.personId)?.surname ?? '',
    }));
    ctx.auditBulk(
      {
        action: 'entitlement.outreach',
        subjectType: 'programme',
        subjectId: row.id,
        outcome: 'allowed',
        purpose,
        municipalityCode: reached.length === 1 ? reached[0] : undefined,
        reason: `${found.length} likely eligible and not enrolled in ${row.code} as of ${asOf}${
          reached.length ? ` in ${reached.join(',')}` : ''
        }; page of ${Math.min(rows.length, limit)}`,
      },
      rows.slice(0, limit).map((p) => ({ type: 'person', id: p.personId })),
    );
    return toConnection(rows, limit, found.length, (p) => [p.personId], !!after);
  }

  /**
   * The entitlement result of one programme for a person at the moment of enrolling, kept with the
   * enrolment. The caller (EnrolmentsService) has checked scope, coverage and permissions.
   */
  async atEnrolment(
    ctx: RequestContext,
    personId: string,
    programmeId: string,
    asOf: string,
  ): Promise<EnrolmentEntitlement> {
    const [row] = await ctx.em.query<ProgrammeRow[]>(PROGRAMME_BY_ID, [programmeId]);
    const programme = prepareProgramme(row!);
    const base = { evaluatedAt: new Date().toISOString(), asOf };
    if (programme.specialCategory && !canSeeSpecialCategory(ctx))
      return {
        ...base,
        outcome: null,
        summary: 'Not evaluated: the rule concerns special-category data',
        amount: null,
        criteria: [],
        withheld: true,
      };
    const facts = (await this.facts.factsOf(ctx, [personId], asOf)).get(personId) ?? {};
    const out = evaluateProgramme(programme, facts, asOf, Language.EL);
    const e = toEntitlement(programme, out, Language.EL);
    return {
      ...base,
      outcome: e.outcome,
      summary: e.summary,
      amount: e.amount,
      criteria: e.criteria,
      withheld: false,
    };
  }

  /** Programmes the caller may see evaluated, and how many were left out (rule 17). */
  private visibleProgrammes(
    ctx: RequestContext,
    rows: ProgrammeRow[],
  ): { visible: PreparedProgramme[]; withheld: number } {
    const prepared = rows.map(prepareProgramme);
    if (canSeeSpecialCategory(ctx)) return { visible: prepared, withheld: 0 };
    const visible = prepared.filter((p) => !p.specialCategory);
    return { visible, withheld: prepared.length - visible.length };
  }

  private async answer(
    ctx: RequestContext,
    programmes: PreparedProgramme[],
    facts: PersonFacts,
    municipalityCode: string,
    asOf: string,
    language: Language,
  ): Promise<Entitlement[]> {
    const providers = await this.nearestProviders(
      ctx,
      programmes.map((p) => p.row.id),
      municipalityCode,
    );
    return programmes.map((p) => ({
      ...toEntitlement(p, evaluateProgramme(p, facts, asOf, language), language),
      enrolled: p.row.enrolled === true,
      providers: providers.get(p.row.id) ?? [],
    }));
  }

  private async nearestProviders(
    ctx: RequestContext,
    programmeIds: string[],
    municipalityCode: string,
  ): Promise<Map<string, NearbyProvider[]>> {
    const byProgramme = new Map<string, NearbyProvider[]>();
    if (programmeIds.length === 0) return byProgramme;
    const now = athensTime(new Date());
    const rows = await ctx.em.query<ProviderRow[]>(NEAREST_PROVIDERS, [
      programmeIds,
      municipalityCode,
      now.date,
      PROVIDERS_PER_PROGRAMME,
    ]);
    for (const r of rows) {
      const list = byProgramme.get(r.programme_id) ?? [];
      list.push({
        providerId: r.provider_id,
        name: r.name,
        role: r.role,
        proximity: PROXIMITY[r.rank]!,
        address: r.address,
        municipalityCode: r.municipality_code,
        distanceKm: r.distance_km,
        phone: r.phone,
        opensNext:
          nextOpening(
            { intervals: r.hours, closures: r.closures, closedOnPublicHolidays: r.closed_on_public_holidays },
            now,
          ) ?? null,
      });
      byProgramme.set(r.programme_id, list);
    }
    return byProgramme;
  }

  /** Desk facts checked against the catalogue: an unknown name or a wrong type names its field. */
  private typedFacts(ctx: RequestContext, input: Record<string, unknown>, asOf: string): PersonFacts {
    const facts: PersonFacts = {};
    for (const [name, value] of Object.entries(input)) {
      const field = `facts.${name}`;
      if (!Object.hasOwn(FACT_CATALOGUE, name))
        throw new EntitlementError(EntitlementErrorCode.UNKNOWN_FACT, `There is no fact named "${name}".`, [
          { field, reason: 'unknown fact (see the catalogue in docs/entitlements.md)' },
        ]);
      const fact = name as FactName;
      const definition = FACT_CATALOGUE[fact] as { type: string; specialCategory?: boolean };
      if (AREA_FACTS.includes(fact))
        throw new EntitlementError(
          EntitlementErrorCode.FACT_FROM_MUNICIPALITY,
          `The fact "${name}" comes from municipalityCode.`,
          [{ field, reason: 'set by municipalityCode' }],
        );
      if (definition.specialCategory && !canSeeSpecialCategory(ctx))
        throw new EntitlementError(
          EntitlementErrorCode.SPECIAL_CATEGORY_FACT,
          `The fact "${name}" is special-category data: it needs the special_category permission.`,
          [{ field, reason: 'needs the special_category permission' }],
        );
      if (!hasType(value, definition.type))
        throw new EntitlementError(
          EntitlementErrorCode.WRONG_FACT_TYPE,
          `The fact "${name}" must be ${definition.type === 'list' ? 'a list of strings' : `a ${definition.type}`}.`,
          [
            {
              field,
              reason: `must be ${definition.type === 'list' ? 'a list of strings' : `a ${definition.type}`}`,
            },
          ],
        );
      facts[fact] = {
        value: value as FactValue['value'],
        basis: FactBasis.SELF_DECLARED,
        source: 'SCREENING',
        asOf,
      };
    }
    return facts;
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.length <= 200;
    case 'list':
      return (
        Array.isArray(value) &&
        value.length <= 100 &&
        value.every((v) => typeof v === 'string' && v.length <= 200)
      );
    default:
      return false;
  }
}
