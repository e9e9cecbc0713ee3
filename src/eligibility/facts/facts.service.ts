import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../auth/request-context.js';
import { Permission } from '../../auth/roles.js';
import {
  SPECIAL_CATEGORY_FACT_KINDS,
  SPECIAL_CATEGORY_LIST_VALUES,
  canSeeSpecialCategory,
} from '../../auth/special-category.js';
import { AccessPurpose } from '../../audit/purpose.js';
import { NotFoundError } from '../../common/domain-error.js';
import { scopeSql } from '../../beneficiaries/person-rows.js';
import { PersonFactView, type FactKind } from '../../beneficiaries/beneficiary.model.js';
import { AppConfig } from '../../config/app-config.js';
import {
  FACT_CATALOGUE,
  FactBasis,
  type FactDefinition,
  type FactScalar,
  type FactValue,
  type PersonFacts,
} from '../contracts.js';
import { FactError, FactErrorCode } from './facts.errors.js';
import {
  FACT_VALUES_ORDERED_SQL,
  FACT_VALUES_SQL,
  INSERT_FACT_SQL,
  PERSON_IN_AREA_SQL,
} from './facts.queries.js';

/** One person's facts as of a date, as the view returns them. */
export interface PersonFactsRow {
  personId: string;
  municipalityCode: string;
  facts: PersonFacts;
  /** Something special-category was left out because the caller lacks the permission. */
  withheld: boolean;
}

export interface FactBatchOptions {
  /** Only these municipalities (within the caller's area); else the whole area. */
  municipalityCodes?: readonly string[];
  /** YYYY-MM-DD */
  asOf: string;
  /** People per batch; 5,000 by default. */
  batchSize?: number;
}

export interface RecordFactInput {
  personId: string;
  fact: string;
  value: unknown;
  basis: FactBasis;
  asOf: string;
  validFrom?: string | null;
  validTo?: string | null;
  documentReference?: string | null;
  note?: string | null;
}

/** fact_values and provenance are JSON objects as text (see the migration: cheaper to build). */
interface ValuesRow {
  person_id: string;
  municipality_code: string;
  fact_values: string;
  provenance: string;
  withheld: boolean;
}

const CATALOGUE: Record<string, FactDefinition> = FACT_CATALOGUE;

/**
 * The facts of people as of a date (issue 11): one view over the registry (derived facts) and
 * person_fact (recorded facts, the winner by basis then newest), computed in the database by
 * person_fact_values so that single reads, bulk evaluation and SQL readers agree. The area applies
 * in the SQL (the scope's municipalities, and row-level security under it); special-category facts
 * are left out in the SQL for a caller without the permission.
 */
@Injectable()
export class FactsService {
  constructor(private readonly config: AppConfig) {}

  /** The facts of these people (those of the caller's area; others are absent from the map) as of `asOf`. */
  async factsOf(
    ctx: RequestContext,
    personIds: readonly string[],
    asOf: string,
  ): Promise<Map<string, PersonFacts>> {
    const rows = await this.rowsOf(ctx, personIds, asOf);
    return new Map([...rows].map(([id, row]) => [id, row.facts]));
  }

  /** Like factsOf, with each person's municipality and whether something was withheld. */
  async rowsOf(
    ctx: RequestContext,
    personIds: readonly string[],
    asOf: string,
  ): Promise<Map<string, PersonFactsRow>> {
    ctx.require(Permission.PERSON_READ, 'person.facts_read');
    if (personIds.length === 0) return new Map();
    const rows: ValuesRow[] = await ctx.em.query(FACT_VALUES_SQL, this.args(ctx, asOf, personIds, undefined));
    return new Map(rows.map((r) => [r.person_id, toRow(r, asOf)]));
  }

  /**
   * Every ACTIVE person of the caller's area (or of `municipalityCodes` within it) with their facts
   * as of `asOf`, in batches of `batchSize`, through one cursor on the request's connection (one
   * statement, set-based joins; no per-person queries). `onBatch` is awaited before the next fetch.
   * Returns the number of people read.
   */
  async forEachBatch(
    ctx: RequestContext,
    options: FactBatchOptions,
    onBatch: (batch: PersonFactsRow[]) => Promise<void> | void,
  ): Promise<number> {
    ctx.require(Permission.PERSON_READ, 'person.facts_read');
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 5_000, 50_000));
    const cursor = `person_facts_${Math.random().toString(36).slice(2, 10)}`;
    // One statement over the whole area, read to its end: planned for all its rows (a cursor is
    // planned for the first tenth by default, which picks per-person index loops), with memory
    // for its sorts and hashes and no JIT compilation (which costs more than it saves here).
    // All three end with the transaction.
    await ctx.em.query(
      `SELECT set_config('cursor_tuple_fraction', '1', true), set_config('work_mem', '128MB', true),
              set_config('jit', 'off', true)`,
    );
    const args = this.args(ctx, options.asOf, undefined, options.municipalityCodes);
    await ctx.em.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${FACT_VALUES_ORDERED_SQL}`, args);
    let total = 0;
    try {
      for (;;) {
        const rows: ValuesRow[] = await ctx.em.query(`FETCH ${batchSize} FROM ${cursor}`);
        if (rows.length === 0) break;
        total += rows.length;
        await onBatch(rows.map((r) => toRow(r, options.asOf)));
        if (rows.length < batchSize) break;
      }
    } finally {
      await ctx.em.query(`CLOSE ${cursor}`);
    }
    return total;
  }

  /**
   * Records a fact staff saw in a document, heard from the person or established themselves
   * (issue 11), for a person of the caller's area. The value must have the catalogue's type; derived
   * facts and FEED (only imports write feed facts) are refused; special-category facts need the
   * permission. Audited with the declared purpose, as the answer holds personal data.
   */
  async record(ctx: RequestContext, input: RecordFactInput): Promise<PersonFactView> {
    const action = 'person.fact_record';
    ctx.require(Permission.PERSON_WRITE, action, { type: 'person', id: input.personId });
    const definition = CATALOGUE[input.fact];
    if (!definition)
      throw new FactError(
        FactErrorCode.UNKNOWN_FACT,
        `There is no fact named ${input.fact} in the catalogue.`,
        [{ field: 'fact', reason: 'not a fact of the catalogue' }],
      );
    if (definition.derived)
      throw new FactError(
        FactErrorCode.DERIVED_FACT,
        `${input.fact} is derived from the registry and cannot be recorded; change the registry instead.`,
        [{ field: 'fact', reason: 'derived from the registry' }],
      );
    if (input.basis === FactBasis.FEED)
      throw new FactError(
        FactErrorCode.FEED_ONLY_BY_IMPORT,
        'Facts with basis FEED are written by feed imports only.',
        [{ field: 'basis', reason: 'FEED is written by imports only' }],
      );
    const columns = valueColumns(input.fact, definition, input.value);
    if (input.validFrom && input.validTo && input.validTo < input.validFrom)
      throw new FactError(FactErrorCode.BAD_DATE_RANGE, 'validTo is before validFrom.', [
        { field: 'validTo', reason: 'before validFrom' },
      ]);
    if (definition.specialCategory)
      ctx.require(Permission.SPECIAL_CATEGORY, action, { type: 'person', id: input.personId });
    const purpose = ctx.requirePurpose(action);
    const person = await this.personInArea(ctx, input.personId, action);
    const rows: FactRow[] = await ctx.em.query(INSERT_FACT_SQL, [
      person.id,
      input.fact,
      input.basis,
      columns.numeric,
      columns.boolean,
      columns.text,
      columns.list,
      input.validFrom ?? null,
      input.validTo ?? null,
      ctx.actor.id,
      input.asOf,
      ctx.actor.id,
      input.documentReference ?? null,
      input.note ?? null,
    ]);
    ctx.audit({
      action,
      subjectType: 'person',
      subjectId: person.id,
      outcome: 'allowed',
      municipalityCode: person.municipality_code,
      purpose: purpose ?? AccessPurpose.REGISTRATION,
    });
    return toFactView(rows[0]!, person.municipality_code);
  }

  /** One person's facts as of a date, for the caller's area (NOT_FOUND otherwise). */
  async personFacts(ctx: RequestContext, personId: string, asOf: string): Promise<PersonFactsRow> {
    ctx.require(Permission.PERSON_READ, 'person.facts_read', { type: 'person', id: personId });
    const person = await this.personInArea(ctx, personId, 'person.facts_read');
    const row = (await this.rowsOf(ctx, [person.id], asOf)).get(person.id);
    if (!row) throw new NotFoundError('person', personId);
    return row;
  }

  private async personInArea(
    ctx: RequestContext,
    personId: string,
    action: string,
  ): Promise<{ id: string; municipality_code: string }> {
    const params: unknown[] = [personId];
    const scope = scopeSql(ctx, 'p.municipality_code', params);
    const found: Array<{ id: string; municipality_code: string }> = /^[0-9a-f-]{36}$/i.test(personId)
      ? await ctx.em.query(`${PERSON_IN_AREA_SQL} AND ${scope}`, params)
      : [];
    if (!found[0]) {
      ctx.audit({
        action,
        subjectType: 'person',
        subjectId: personId,
        outcome: 'denied',
        reason: 'not found in area',
      });
      throw new NotFoundError('person', personId);
    }
    return found[0];
  }

  /** The view's arguments: the area's municipalities (NULL for national) and what to withhold. */
  private args(
    ctx: RequestContext,
    asOf: string,
    personIds: readonly string[] | undefined,
    municipalityCodes: readonly string[] | undefined,
  ): unknown[] {
    const scope = ctx.actor.scope;
    let codes: readonly string[] | null = municipalityCodes ?? null;
    if (scope.level !== 'national')
      codes = codes ? codes.filter((c) => scope.municipalityCodes.includes(c)) : scope.municipalityCodes;
    const special = canSeeSpecialCategory(ctx);
    return [
      asOf,
      personIds ?? null,
      codes,
      special ? [] : SPECIAL_CATEGORY_FACT_KINDS,
      special ? [] : SPECIAL_CATEGORY_LIST_VALUES,
      this.config.ADULT_AGE,
      this.config.ELDERLY_AGE,
    ];
  }
}

interface FactRow {
  id: string;
  person_id: string;
  kind: string;
  tax_year: number | null;
  value_numeric: string | null;
  value_text: string | null;
  value_boolean: boolean | null;
  value_list: string[] | null;
  basis: string;
  valid_from: string | null;
  valid_to: string | null;
  source: string;
  as_of: string;
}

function toFactView(r: FactRow, municipalityCode: string): PersonFactView {
  return Object.assign(new PersonFactView(), {
    personId: r.person_id,
    municipalityCode,
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
  });
}

/** Derived facts have no provenance row: they come from the registry as of the date asked. */
function toRow(r: ValuesRow, asOf: string): PersonFactsRow {
  const facts: Record<string, FactValue> = {};
  const values = JSON.parse(r.fact_values) as Record<string, FactScalar>;
  const provenances = JSON.parse(r.provenance) as Record<string, FactValue>;
  for (const name in values) {
    const recorded = provenances[name];
    if (recorded) {
      recorded.value = values[name]!;
      facts[name] = recorded;
    } else
      facts[name] = {
        value: values[name]!,
        basis: FactBasis.STAFF,
        source: 'REGISTRY',
        asOf,
        validFrom: null,
        validTo: null,
      };
  }
  return { personId: r.person_id, municipalityCode: r.municipality_code, facts, withheld: r.withheld };
}

/** The value column for a fact's catalogue type; a value of another type is refused, naming the field. */
function valueColumns(
  fact: string,
  definition: FactDefinition,
  value: unknown,
): { numeric: number | null; boolean: boolean | null; text: string | null; list: string[] | null } {
  const none = { numeric: null, boolean: null, text: null, list: null };
  const wrong = (expected: string) =>
    new FactError(FactErrorCode.WRONG_VALUE_TYPE, `${fact} needs ${expected}.`, [
      { field: 'value', reason: `must be ${expected}` },
    ]);
  switch (definition.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a number');
      if (Math.abs(value) >= 1e12) throw wrong('a number below 10^12');
      if (definition.unit === 'PERCENT' && (value < 0 || value > 100))
        throw wrong('a percentage from 0 to 100');
      if (['EUR', 'EUR_PER_MONTH', 'COUNT', 'MONTHS', 'YEARS'].includes(definition.unit ?? '') && value < 0)
        throw wrong('a number of zero or more');
      return { ...none, numeric: Math.round(value * 100) / 100 };
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return { ...none, boolean: value };
    case 'string':
      if (typeof value !== 'string' || value.length === 0 || value.length > 200)
        throw wrong('a text of 1 to 200 characters');
      return { ...none, text: value };
    case 'list':
      if (
        !Array.isArray(value) ||
        value.length > 50 ||
        !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 100)
      )
        throw wrong('a list of up to 50 texts');
      return { ...none, list: value as string[] };
  }
}
