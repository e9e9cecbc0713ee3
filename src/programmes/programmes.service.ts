import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { searchKey } from '../common/greek/search-key.js';
import { type ConnectionShape } from '../common/pagination.js';
import { keysetPage } from '../common/keyset-page.js';
import { SqlParams } from '../common/sql.js';
import type { ProgrammeFilterArgs, ProgrammeInput } from './dto/programme.input.js';
import { FACT_CATALOGUE, type FactScalar, type ProgrammeRule } from '../eligibility/contracts.js';
import { checkRule } from '../eligibility/rules/check-rule.js';
import { describeFailure, failingRuleCases } from '../eligibility/rules/rule-cases.js';
import type { FieldProblem } from '../common/domain-error.js';
import type { RuleCaseInput } from './dto/rule-case.input.js';
import { ProgrammeDetail } from './programme-detail.js';
import {
  Programme,
  ProgrammeCoverage,
  ProgrammeParameter,
  ProgrammeRuleCase,
  ProgrammeStatus,
} from './programme.entity.js';
import { ProgrammeError, ProgrammeErrorCode } from './programmes.errors.js';
import { isUuid } from '../common/validators.js';

const PROGRAMME_COLUMNS = `g.id, g.code, g.title, g.description, g.kind, g.administering_body, g.administering_provider_id,
  g.funding_source, g.operational_programme, g.priority_axis, g.budget::text AS budget,
  to_char(g.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(g.ends_on, 'YYYY-MM-DD') AS ends_on, g.target_groups,
  g.national, g.how_to_apply, g.where_to_apply, g.required_documents, g.eligibility_rule, g.status,
  g.owner_region_code, g.version, g.created_at, g.created_by, g.updated_at, g.updated_by`;

type ProgrammeRow = Record<string, unknown> & { id: string };

function toProgramme(r: ProgrammeRow): Programme {
  return Object.assign(new Programme(), {
    id: r.id,
    code: r.code,
    title: r.title,
    description: r.description,
    kind: r.kind,
    administeringBody: r.administering_body,
    administeringProviderId: r.administering_provider_id,
    fundingSource: r.funding_source,
    operationalProgramme: r.operational_programme,
    priorityAxis: r.priority_axis,
    budget: r.budget,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    targetGroups: r.target_groups,
    national: r.national,
    howToApply: r.how_to_apply,
    whereToApply: r.where_to_apply,
    requiredDocuments: r.required_documents,
    eligibilityRule: r.eligibility_rule,
    status: r.status,
    ownerRegionCode: r.owner_region_code,
    version: r.version,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  });
}

/**
 * The programme registry. Programmes are public information, readable by anyone with
 * programme:read; a region maintains the programmes it owns (and only within its own region), a
 * national body the national ones.
 */
@Injectable()
export class ProgrammesService {
  /** One programme; an id that is not a uuid is simply not found. */
  async get(ctx: RequestContext, id: string): Promise<Programme> {
    ctx.require(Permission.PROGRAMME_READ, 'programme.read');
    const [found] = await this.byIds(ctx.em, [id]);
    if (!found) throw new NotFoundError('programme', id);
    return found;
  }

  /** A programme by its code (e.g. GMI), for people and feeds that know codes rather than ids. */
  async getByCode(ctx: RequestContext, code: string): Promise<Programme> {
    ctx.require(Permission.PROGRAMME_READ, 'programme.read');
    const rows: ProgrammeRow[] = await ctx.em.query(
      `SELECT ${PROGRAMME_COLUMNS} FROM programme g WHERE g.code = $1`,
      [code],
    );
    if (!rows[0]) throw new NotFoundError('programme', code);
    return toProgramme(rows[0]);
  }

  /** One programme with its coverage, delivering providers and every parameter (REST). */
  async getDetail(ctx: RequestContext, id: string): Promise<ProgrammeDetail> {
    const programme = await this.get(ctx, id);
    // One after another: the queries share the request's one connection (pg runs one query at a time).
    const coverage = await this.coverageOf(ctx.em, [id]);
    const providers = await this.deliveringProviderIdsOf(ctx.em, [id]);
    const parameters = await this.parametersOf(ctx.em, [id]);
    const ruleCases = await this.ruleCasesOf(ctx.em, [id]);
    return Object.assign(new ProgrammeDetail(), programme, {
      ruleCases: ruleCases.map(({ programmeId: _programmeId, ...c }) => c),
      coverage: coverage.map(({ areaLevel, areaCode }) => ({ areaLevel, areaCode })),
      deliveringProviderIds: providers.get(id) ?? [],
      parameters: parameters.map(({ programmeId: _programmeId, ...p }) => p),
    });
  }

  /** Programmes by id in one query (DataLoader batches); unknown ids are left out. */
  async byIds(em: EntityManager, ids: readonly string[]): Promise<Programme[]> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return [];
    const rows: ProgrammeRow[] = await em.query(
      `SELECT ${PROGRAMME_COLUMNS} FROM programme g WHERE g.id = ANY($1::uuid[])`,
      [valid],
    );
    return rows.map(toProgramme);
  }

  /**
   * Programmes available in a municipality (national ones, and those covering the municipality,
   * its regional unit or its region), for a target group (or all residents), active on a day
   * (status ACTIVE and the day within its period), of a kind, or by title/code. Ordered by title.
   */
  async search(
    ctx: RequestContext,
    filter: ProgrammeFilterArgs,
    options: { count: boolean } = { count: true },
  ): Promise<ConnectionShape<Programme>> {
    ctx.require(Permission.PROGRAMME_READ, 'programme.read');
    const q = new SqlParams();
    const where: string[] = [];
    if (filter.kind) where.push(`g.kind = ${q.p(filter.kind)}`);
    if (filter.availableIn) {
      const m = q.p(filter.availableIn);
      where.push(`(g.national OR EXISTS (
        SELECT 1 FROM programme_coverage c JOIN municipality mu ON mu.code = ${m}
         WHERE c.programme_id = g.id AND (
           (c.area_level = 'MUNICIPALITY' AND c.area_code = mu.code)
           OR (c.area_level = 'REGIONAL_UNIT' AND c.area_code = mu.regional_unit_code)
           OR (c.area_level = 'REGION' AND c.area_code = mu.region_code))))`);
    }
    if (filter.targetGroup)
      where.push(`g.target_groups && ARRAY[${q.p(filter.targetGroup)}, 'ALL_RESIDENTS']::text[]`);
    if (filter.activeOn) {
      const d = q.p(filter.activeOn);
      where.push(`g.status = 'ACTIVE' AND (g.starts_on IS NULL OR g.starts_on <= ${d}::date)
        AND (g.ends_on IS NULL OR g.ends_on >= ${d}::date)`);
    }
    const key = filter.search ? searchKey(filter.search) : '';
    if (key) {
      where.push(`((SELECT bool_and(' ' || g.search_key LIKE '% ' || w || '%') FROM unnest(${q.p(key.split(' '))}::text[]) AS w)
        OR word_similarity(${q.p(key)}, g.search_key) > 0.5)`);
    }
    const page = await keysetPage<ProgrammeRow>(ctx.em, {
      q,
      columns: PROGRAMME_COLUMNS,
      from: 'programme g',
      where,
      keys: [
        { sql: 'g.search_key', part: 'text' },
        { sql: 'g.id', part: 'uuid' },
      ],
      first: filter.first,
      after: filter.after,
      count: options.count,
    });
    return page.connection(toProgramme);
  }

  /** Creates a programme with its coverage, delivering providers and dated parameters, all or nothing. */
  async create(ctx: RequestContext, input: ProgrammeInput): Promise<Programme> {
    ctx.require(Permission.PROGRAMME_WRITE, 'programme.create');
    const owner = this.ownerRegionOf(ctx, 'programme.create', input.ownerRegionCode);
    await this.check(ctx, input, owner, undefined);
    const [{ id }] = await ctx.em.query(
      `INSERT INTO programme (code, title, search_key, description, kind, administering_body, administering_provider_id,
         funding_source, operational_programme, priority_axis, budget, starts_on, ends_on, target_groups, national,
         how_to_apply, where_to_apply, required_documents, eligibility_rule, status, owner_region_code, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)
       RETURNING id`,
      [...this.columnValues(input), owner, ctx.actor.id],
    );
    await this.writeChildren(ctx.em, id, input);
    ctx.audit({ action: 'programme.create', subjectType: 'programme', subjectId: id, outcome: 'allowed' });
    return this.get(ctx, id);
  }

  /** Replaces a programme its caller maintains; coverage, providers and parameters are replaced as given. */
  async replace(ctx: RequestContext, id: string, input: ProgrammeInput): Promise<Programme> {
    ctx.require(Permission.PROGRAMME_WRITE, 'programme.update');
    if (!isUuid(id)) throw new NotFoundError('programme', id);
    const [current]: Array<{ owner_region_code: string | null; version: number }> = await ctx.em.query(
      `SELECT owner_region_code, version FROM programme WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!current) throw new NotFoundError('programme', id);
    const scope = ctx.actor.scope;
    if (
      scope.level !== 'national' &&
      !(scope.level === 'region' && scope.regionCode === current.owner_region_code)
    ) {
      this.refuse(
        ctx,
        'programme.update',
        `maintained by ${current.owner_region_code ? `region ${current.owner_region_code}` : 'a national body'}`,
        id,
      );
    }
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version)
      throw new ProgrammeError(
        ProgrammeErrorCode.VERSION_CONFLICT,
        `The programme changed since you read it (version ${current.version}, you read ${input.expectedVersion}): read it again.`,
      );
    const owner =
      input.ownerRegionCode === undefined
        ? current.owner_region_code
        : this.ownerRegionOf(ctx, 'programme.update', input.ownerRegionCode, id);
    await this.check(ctx, input, owner, id);
    await ctx.em.query(
      `UPDATE programme SET code = $1, title = $2, search_key = $3, description = $4, kind = $5, administering_body = $6,
         administering_provider_id = $7, funding_source = $8, operational_programme = $9, priority_axis = $10, budget = $11,
         starts_on = $12, ends_on = $13, target_groups = $14, national = $15, how_to_apply = $16, where_to_apply = $17,
         required_documents = $18, eligibility_rule = $19, status = $20, owner_region_code = $21, updated_by = $22,
         updated_at = now(), version = version + 1
       WHERE id = $23`,
      [...this.columnValues(input), owner, ctx.actor.id, id],
    );
    await this.writeChildren(ctx.em, id, input);
    ctx.audit({ action: 'programme.update', subjectType: 'programme', subjectId: id, outcome: 'allowed' });
    return this.get(ctx, id);
  }

  private columnValues(input: ProgrammeInput): unknown[] {
    return [
      input.code,
      input.title.trim(),
      searchKey(`${input.title} ${input.code}`),
      input.description ?? null,
      input.kind,
      input.administeringBody,
      input.administeringProviderId ?? null,
      input.fundingSource,
      input.operationalProgramme ?? null,
      input.priorityAxis ?? null,
      input.budget ?? null,
      input.startsOn ?? null,
      input.endsOn ?? null,
      [...new Set(input.targetGroups ?? [])],
      input.national ?? false,
      input.howToApply ?? null,
      input.whereToApply ?? null,
      input.requiredDocuments ?? [],
      input.eligibilityRule ? JSON.stringify(input.eligibilityRule) : null,
      input.status ?? ProgrammeStatus.ACTIVE,
    ];
  }

  /**
   * The region that maintains a programme: a region's own programmes are always its own; a national
   * body keeps a programme national or hands it to a region to maintain.
   */
  private ownerRegionOf(
    ctx: RequestContext,
    action: string,
    asked: string | undefined,
    id?: string,
  ): string | null {
    const scope = ctx.actor.scope;
    if (scope.level === 'national') return asked ?? null;
    if (scope.level === 'region') {
      if (asked !== undefined && asked !== scope.regionCode)
        this.refuse(ctx, action, `a region cannot give a programme to region ${asked}`, id);
      return scope.regionCode;
    }
    return this.refuse(ctx, action, 'only regions and national bodies maintain programmes', id);
  }

  private refuse(ctx: RequestContext, action: string, why: string, id?: string): never {
    ctx.audit({ action, subjectType: 'programme', subjectId: id, outcome: 'denied', reason: why });
    throw new ProgrammeError(
      ProgrammeErrorCode.OUTSIDE_YOUR_AREA,
      `You cannot change this programme: ${why}. A region maintains only its own programmes, within its own region.`,
    );
  }

  /** Every check that needs no write, before the first write, so a refusal leaves nothing behind. */
  private async check(
    ctx: RequestContext,
    input: ProgrammeInput,
    ownerRegion: string | null,
    id: string | undefined,
  ): Promise<void> {
    const em = ctx.em;
    if (input.budget?.startsWith('-'))
      throw new ProgrammeError(
        ProgrammeErrorCode.NEGATIVE_BUDGET,
        `The budget cannot be negative (${input.budget}): give the eligible cost in euro, e.g. 317307.17.`,
        [{ field: 'budget', reason: 'negative' }],
      );
    if (input.startsOn && input.endsOn && input.endsOn < input.startsOn)
      throw new ProgrammeError(
        ProgrammeErrorCode.BAD_DATE_RANGE,
        `The programme ends (${input.endsOn}) before it starts (${input.startsOn}).`,
        [{ field: 'endsOn', reason: 'before startsOn' }],
      );
    const taken: Array<{ id: string }> = await em.query(`SELECT id FROM programme WHERE code = $1`, [
      input.code,
    ]);
    if (taken[0] && taken[0].id !== id)
      throw new ProgrammeError(
        ProgrammeErrorCode.CODE_TAKEN,
        `Another programme already has the code ${input.code}.`,
        [{ field: 'code', reason: 'taken' }],
      );
    const coverage = input.coverage ?? [];
    if (!input.national && coverage.length === 0)
      throw new ProgrammeError(
        ProgrammeErrorCode.NO_COVERAGE,
        'Say where the programme is available: national, or a coverage of regions, regional units or municipalities.',
        [{ field: 'coverage', reason: 'empty' }],
      );
    const areas: Array<{ level: string; code: string; region_code: string }> = await em.query(
      `SELECT c.level, c.code, a.region_code FROM jsonb_to_recordset($1::jsonb) AS c(level text, code text)
         JOIN (SELECT 'REGION' AS level, code, code AS region_code FROM region
               UNION ALL SELECT 'REGIONAL_UNIT', code, region_code FROM regional_unit
               UNION ALL SELECT 'MUNICIPALITY', code, region_code FROM municipality) a
           ON a.level = c.level AND a.code = c.code`,
      [JSON.stringify(coverage.map((c) => ({ level: c.areaLevel, code: c.areaCode })))],
    );
    const unknown = coverage.filter(
      (c) => !areas.some((a) => a.level === c.areaLevel && a.code === c.areaCode),
    );
    if (unknown.length)
      throw new ProgrammeError(
        ProgrammeErrorCode.UNKNOWN_AREA,
        `Unknown areas in the coverage: ${unknown.map((u) => `${u.areaLevel.toLowerCase()} ${u.areaCode}`).join(', ')}.`,
        unknown.map((u) => ({ field: 'coverage', reason: `unknown ${u.areaLevel} ${u.areaCode}` })),
      );
    if (ownerRegion !== null) {
      if (input.national)
        this.refuse(ctx, 'programme.write', 'a region cannot publish a national programme', id);
      const outside = areas.filter((a) => a.region_code !== ownerRegion);
      if (outside.length)
        this.refuse(
          ctx,
          'programme.write',
          `the coverage ${outside.map((a) => a.code).join(', ')} lies outside region ${ownerRegion}`,
          id,
        );
    }
    const groups = [...new Set(input.targetGroups ?? [])];
    if (groups.length) {
      const known: Array<{ code: string }> = await em.query(
        `SELECT code FROM target_group WHERE code = ANY($1::text[])`,
        [groups],
      );
      const bad = groups.filter((g) => !known.some((k) => k.code === g));
      if (bad.length)
        throw new ProgrammeError(
          ProgrammeErrorCode.UNKNOWN_TARGET_GROUP,
          `Unknown target groups: ${bad.join(', ')}.`,
          [{ field: 'targetGroups', reason: `unknown ${bad.join(', ')}` }],
        );
    }
    const providers = [
      ...new Set([
        ...(input.deliveringProviderIds ?? []),
        ...(input.administeringProviderId ? [input.administeringProviderId] : []),
      ]),
    ];
    if (providers.length) {
      const known: Array<{ id: string }> = await em.query(
        `SELECT id FROM provider WHERE id = ANY($1::uuid[])`,
        [providers],
      );
      const bad = providers.filter((p) => !known.some((k) => k.id === p));
      if (bad.length)
        throw new ProgrammeError(
          ProgrammeErrorCode.UNKNOWN_PROVIDER,
          `There is no provider ${bad.join(', ')}.`,
          [{ field: 'deliveringProviderIds', reason: 'unknown provider' }],
        );
    }
    const parameters = input.parameters ?? [];
    parameters.forEach((p, i) => {
      if (p.validTo && p.validTo < p.validFrom)
        throw new ProgrammeError(
          ProgrammeErrorCode.BAD_DATE_RANGE,
          `Parameter ${p.name} is valid to ${p.validTo}, before it is valid from ${p.validFrom}.`,
          [{ field: `parameters.${i}.validTo`, reason: 'before validFrom' }],
        );
      for (let j = 0; j < i; j++) {
        const o = parameters[j]!;
        if (
          o.name === p.name &&
          o.validFrom <= (p.validTo ?? '9999-12-31') &&
          p.validFrom <= (o.validTo ?? '9999-12-31')
        )
          throw new ProgrammeError(
            ProgrammeErrorCode.PARAMETER_PERIODS_OVERLAP,
            `Parameter ${p.name} has two values for the same days (${o.validFrom}–${o.validTo ?? '…'} and ${p.validFrom}–${p.validTo ?? '…'}): end the old one the day before the new one starts.`,
            [{ field: `parameters.${i}.validFrom`, reason: `overlaps parameters.${j}` }],
          );
      }
    });
    this.checkRuleAndCases(input);
  }

  /**
   * The rule is well formed (checkRule), a rule comes with test cases and cases with a rule, and
   * every case gets the outcome and amount it expects from the rule and the parameters valid on
   * its day: a change that would silently change what people are entitled to is refused.
   */
  private checkRuleAndCases(input: ProgrammeInput): void {
    const parameters = input.parameters ?? [];
    const cases = input.ruleCases ?? [];
    const rule = input.eligibilityRule;
    if (rule) {
      const problems = checkRule(rule, new Set(parameters.map((p) => p.name)));
      if (problems.length)
        throw new ProgrammeError(
          ProgrammeErrorCode.INVALID_RULE,
          `The eligibility rule is not well formed: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}.`,
          problems,
        );
      if (!cases.length)
        throw new ProgrammeError(
          ProgrammeErrorCode.INVALID_RULE_CASE,
          'A programme with an eligibility rule needs test cases (ruleCases): at least one person who qualifies or not, with the outcome expected.',
          [{ field: 'ruleCases', reason: 'a rule needs at least one case' }],
        );
    } else if (cases.length)
      throw new ProgrammeError(
        ProgrammeErrorCode.INVALID_RULE_CASE,
        'Test cases (ruleCases) test an eligibility rule: give the rule, or leave the cases out.',
        [{ field: 'ruleCases', reason: 'cases without a rule' }],
      );
    if (!rule) return;
    const problems = ruleCaseProblems(cases);
    if (problems.length)
      throw new ProgrammeError(
        ProgrammeErrorCode.INVALID_RULE_CASE,
        `Some test cases are not well formed: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}.`,
        problems,
      );
    const failures = failingRuleCases(
      rule as unknown as ProgrammeRule,
      parameters,
      cases.map((c) => ({
        name: c.name,
        asOf: c.asOf,
        facts: c.facts as Record<string, FactScalar>,
        expectedOutcome: c.expectedOutcome,
        expectedAmount: c.expectedAmount ?? null,
      })),
    );
    if (failures.length)
      throw new ProgrammeError(
        ProgrammeErrorCode.RULE_CASE_FAILED,
        `The rule does not answer ${failures.length} of its test cases as expected: ${failures.map(describeFailure).join('; ')}.`,
        failures.map((f) => ({
          field: `ruleCases.${f.index}`,
          reason: `${describeFailure(f)}${f.evaluation.criteria
            .filter((c) => c.status !== 'MET')
            .map((c) => ` [${c.explanation}]`)
            .join('')}`,
        })),
      );
  }

  private async writeChildren(em: EntityManager, id: string, input: ProgrammeInput): Promise<void> {
    await em.query(`DELETE FROM programme_coverage WHERE programme_id = $1`, [id]);
    await em.query(`DELETE FROM programme_provider WHERE programme_id = $1`, [id]);
    await em.query(`DELETE FROM programme_parameter WHERE programme_id = $1`, [id]);
    await em.query(`DELETE FROM programme_rule_case WHERE programme_id = $1`, [id]);
    if (input.ruleCases?.length)
      await em.query(
        `INSERT INTO programme_rule_case (programme_id, position, name, as_of, facts, expected_outcome, expected_amount)
         SELECT $1::uuid, c.position, c.name, c.as_of, c.facts, c.expected_outcome, c.expected_amount
           FROM jsonb_to_recordset($2::jsonb)
             AS c(position int, name text, as_of date, facts jsonb, expected_outcome text, expected_amount numeric)`,
        [
          id,
          JSON.stringify(
            input.ruleCases.map((c, position) => ({
              position,
              name: c.name.trim(),
              as_of: c.asOf,
              facts: c.facts,
              expected_outcome: c.expectedOutcome,
              expected_amount: c.expectedAmount ?? null,
            })),
          ),
        ],
      );
    if (input.coverage?.length)
      await em.query(
        `INSERT INTO programme_coverage (programme_id, area_level, area_code)
         SELECT DISTINCT $1::uuid, c.level, c.code FROM jsonb_to_recordset($2::jsonb) AS c(level text, code text)`,
        [id, JSON.stringify(input.coverage.map((c) => ({ level: c.areaLevel, code: c.areaCode })))],
      );
    if (input.deliveringProviderIds?.length)
      await em.query(
        `INSERT INTO programme_provider (programme_id, provider_id) SELECT DISTINCT $1::uuid, unnest($2::uuid[])`,
        [id, input.deliveringProviderIds],
      );
    if (input.parameters?.length)
      await em.getRepository(ProgrammeParameter).insert(
        input.parameters.map((p) => ({
          programmeId: id,
          name: p.name,
          value: p.value,
          unit: p.unit,
          validFrom: p.validFrom,
          validTo: p.validTo ?? null,
          description: p.description ?? null,
        })),
      );
  }

  /** Coverage rows of programmes (one query for a page of programmes). */
  async coverageOf(em: EntityManager, ids: readonly string[]): Promise<ProgrammeCoverage[]> {
    return em
      .getRepository(ProgrammeCoverage)
      .createQueryBuilder('c')
      .where('c.programme_id = ANY(:ids)', { ids: [...ids] })
      .orderBy('c.area_level')
      .addOrderBy('c.area_code')
      .getMany();
  }

  /** Ids of the providers delivering each programme (one query for a page of programmes). */
  async deliveringProviderIdsOf(em: EntityManager, ids: readonly string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ programme_id: string; ids: string[] }> = await em.query(
      `SELECT programme_id, array_agg(provider_id ORDER BY provider_id) AS ids FROM programme_provider
        WHERE programme_id = ANY($1::uuid[]) GROUP BY programme_id`,
      [[...ids]],
    );
    return new Map(rows.map((r) => [r.programme_id, r.ids]));
  }

  /** The rule's test cases of programmes, in the order given (one query for a page of programmes). */
  async ruleCasesOf(
    em: EntityManager,
    ids: readonly string[],
  ): Promise<Array<ProgrammeRuleCase & { programmeId: string }>> {
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT programme_id, name, to_char(as_of, 'YYYY-MM-DD') AS as_of, facts, expected_outcome,
              expected_amount::text AS expected_amount
         FROM programme_rule_case WHERE programme_id = ANY($1::uuid[]) ORDER BY programme_id, position`,
      [[...ids]],
    );
    return rows.map((r) =>
      Object.assign(new ProgrammeRuleCase(), {
        programmeId: r.programme_id as string,
        name: r.name,
        asOf: r.as_of,
        facts: r.facts,
        expectedOutcome: r.expected_outcome,
        expectedAmount: r.expected_amount,
      }),
    );
  }

  /** Parameters of programmes, by name then start; on a day, only those valid that day. */
  async parametersOf(em: EntityManager, ids: readonly string[], on?: string): Promise<ProgrammeParameter[]> {
    const rows: Array<Record<string, string | null>> = await em.query(
      `SELECT id, programme_id, name, value::text AS value, unit, to_char(valid_from, 'YYYY-MM-DD') AS valid_from,
              to_char(valid_to, 'YYYY-MM-DD') AS valid_to, description
         FROM programme_parameter
        WHERE programme_id = ANY($1::uuid[])
          AND ($2::date IS NULL OR (valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)))
        ORDER BY name, valid_from`,
      [[...ids], on ?? null],
    );
    return rows.map((r) =>
      Object.assign(new ProgrammeParameter(), {
        id: r.id,
        programmeId: r.programme_id,
        name: r.name,
        value: r.value,
        unit: r.unit,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        description: r.description,
      }),
    );
  }
}

const FACT_TYPE_OK: Record<string, (v: unknown) => boolean> = {
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  list: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
};

/** Case names unique; each fact known and of its catalogue type. */
function ruleCaseProblems(cases: readonly RuleCaseInput[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = new Map<string, number>();
  cases.forEach((c, i) => {
    const name = c.name.trim();
    if (names.has(name))
      problems.push({
        field: `ruleCases.${i}.name`,
        reason: `also the name of ruleCases.${names.get(name)}`,
      });
    else names.set(name, i);
    for (const [fact, value] of Object.entries(c.facts ?? {})) {
      const definition = FACT_CATALOGUE[fact as keyof typeof FACT_CATALOGUE];
      if (!definition) problems.push({ field: `ruleCases.${i}.facts.${fact}`, reason: 'unknown fact' });
      else if (!FACT_TYPE_OK[definition.type]!(value))
        problems.push({
          field: `ruleCases.${i}.facts.${fact}`,
          reason: `${fact} is ${definition.type === 'list' ? 'a list of texts' : `a ${definition.type}`}`,
        });
    }
  });
  return problems;
}
