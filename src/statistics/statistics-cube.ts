import { suppressLinked, type LinkedCounts } from '../common/small-cells.js';
import type { GeographyRow, MeasureRow } from './statistics.queries.js';

/**
 * The figures of one measure (people, households, enrolments, referrals) for every area, every
 * fixed period and every category at once: a cube built from its materialized view's rows at the
 * municipality x month grain, summed up the geography and the calendar. Every published table is
 * read out of a cube, and small-cell suppression is decided once for the whole cube
 * (suppressLinked), so the same figure is hidden (or shown) whichever area, period, table or
 * endpoint it is reached through: nothing can be worked out by differencing two of them.
 */

export enum AreaLevel {
  MUNICIPALITY = 'MUNICIPALITY',
  REGIONAL_UNIT = 'REGIONAL_UNIT',
  OLD_PREFECTURE = 'OLD_PREFECTURE',
  REGION = 'REGION',
  COUNTRY = 'COUNTRY',
}

/** Levels from the smallest up; each area of a level is a set of municipalities. */
export const AREA_LEVELS: readonly AreaLevel[] = [
  AreaLevel.MUNICIPALITY,
  AreaLevel.REGIONAL_UNIT,
  AreaLevel.OLD_PREFECTURE,
  AreaLevel.REGION,
  AreaLevel.COUNTRY,
];

/** The code of the whole country (NUTS). */
export const COUNTRY_CODE = 'EL';

export interface Area {
  level: AreaLevel;
  code: string;
  name: string;
  /** 2021 census population, the sum of its municipalities' (those with one). */
  population: number | null;
  /** Indices (into Geography.areas, which starts with the municipalities) of its municipalities. */
  municipalities: number[];
  municipalityCodes: string[];
}

export interface Relation {
  parent: number;
  children: number[];
}

export interface Geography {
  /** Municipalities first (index = municipality index), then the larger areas. */
  areas: Area[];
  municipalityCount: number;
  find(level: AreaLevel, code: string): number | undefined;
  /** An area is the sum of its municipalities, and of the areas of each smaller level that nest in it. */
  relations: Relation[];
}

export function buildGeography(rows: readonly GeographyRow[]): Geography {
  const areas: Area[] = [];
  const byKey = new Map<string, number>();
  const key = (level: AreaLevel, code: string) => `${level}:${code}`;
  const add = (level: AreaLevel, code: string, name: string) => {
    const k = key(level, code);
    let i = byKey.get(k);
    if (i === undefined) {
      i = areas.length;
      byKey.set(k, i);
      areas.push({ level, code, name, population: null, municipalities: [], municipalityCodes: [] });
    }
    return i;
  };
  rows.forEach((m) => add(AreaLevel.MUNICIPALITY, m.code, m.name));
  const memberOf: number[][] = rows.map((m, mi) => [
    mi,
    add(AreaLevel.REGIONAL_UNIT, m.regional_unit_code, m.regional_unit_name),
    add(AreaLevel.OLD_PREFECTURE, m.old_prefecture, m.old_prefecture),
    add(AreaLevel.REGION, m.region_code, m.region_name),
    add(AreaLevel.COUNTRY, COUNTRY_CODE, 'ΕΛΛΑΔΑ'),
  ]);
  rows.forEach((m, mi) => {
    for (const a of memberOf[mi]!) {
      const area = areas[a]!;
      area.municipalities.push(mi);
      area.municipalityCodes.push(m.code);
      if (m.population_2021 !== null) area.population = (area.population ?? 0) + m.population_2021;
    }
  });
  const relations: Relation[] = [];
  areas.forEach((area, a) => {
    const levelRank = AREA_LEVELS.indexOf(area.level);
    if (levelRank === 0) return;
    relations.push({ parent: a, children: [...area.municipalities] });
    for (let childRank = 1; childRank < levelRank; childRank++) {
      // The areas of a smaller level that overlap this one; a relation only when they all nest in it.
      const children = [...new Set(area.municipalities.map((mi) => memberOf[mi]![childRank]!))];
      const inside = new Set(area.municipalities);
      if (children.every((c) => areas[c]!.municipalities.every((mi) => inside.has(mi))))
        relations.push({ parent: a, children });
    }
  });
  return {
    areas,
    municipalityCount: rows.length,
    find: (level, code) => byKey.get(key(level, code)),
    relations,
  };
}

/** A fixed period: ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01). */
export const PERIOD_PATTERN = /^(ALL|[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?)$/;

export interface Periods {
  keys: string[];
  index: Map<string, number>;
  relations: Relation[];
  /** The periods a period is made of, for its trend: years of ALL, months of a year or quarter. */
  parts(period: number): number[];
}

/** Every fixed period of the years firstYear..lastYear, with ALL = its years, a year = its quarters = its months. */
export function buildPeriods(firstYear: number, lastYear: number): Periods {
  const keys = ['ALL'];
  const relations: Relation[] = [];
  const parts = new Map<number, number[]>();
  const years: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) {
    const yi = keys.push(String(y)) - 1;
    years.push(yi);
    const quarters: number[] = [];
    const months: number[] = [];
    for (let q = 1; q <= 4; q++) {
      const qi = keys.push(`${y}-Q${q}`) - 1;
      quarters.push(qi);
      const qMonths: number[] = [];
      for (let m = 3 * q - 2; m <= 3 * q; m++)
        qMonths.push(keys.push(`${y}-${String(m).padStart(2, '0')}`) - 1);
      relations.push({ parent: qi, children: qMonths });
      parts.set(qi, qMonths);
      months.push(...qMonths);
    }
    relations.push({ parent: yi, children: quarters }, { parent: yi, children: months });
    parts.set(yi, months);
  }
  relations.push({ parent: 0, children: years });
  parts.set(0, years);
  return {
    keys,
    index: new Map(keys.map((k, i) => [k, i])),
    relations,
    parts: (p) => parts.get(p) ?? [],
  };
}

export enum StatisticsMeasure {
  PEOPLE = 'PEOPLE',
  HOUSEHOLDS = 'HOUSEHOLDS',
  ENROLMENTS = 'ENROLMENTS',
  REFERRALS = 'REFERRALS',
}

export interface DimensionDef {
  name: string;
  /** The categories partition the total (every unit in exactly one): the total is their parent. */
  partition: boolean;
  /** Categories always listed (zero when none), in this order; others found in the data follow, sorted. */
  keys: readonly string[];
}

export interface MeasureDef {
  measure: StatisticsMeasure;
  view: string;
  dimensions: readonly DimensionDef[];
}

/** Days in Athens from a referral's sending to its acceptance or completion (statistics.queries.ts). */
export const REFERRAL_TIME_BANDS = ['SAME_DAY', '1-3', '4-7', '8-30', '31+', 'NONE'] as const;

/** A household's current members: adults and minors (statistics.queries.ts, docs/statistics.md). */
export const HOUSEHOLD_COMPOSITIONS = [
  'EMPTY',
  'ONE_ADULT',
  'ONE_ADULT_WITH_CHILDREN',
  'ADULTS',
  'ADULTS_WITH_CHILDREN',
  'CHILDREN_ONLY',
] as const;

export const MEASURES: readonly MeasureDef[] = [
  {
    measure: StatisticsMeasure.PEOPLE,
    view: 'stats_people',
    dimensions: [
      { name: 'gender', partition: true, keys: ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] },
      { name: 'ageBand', partition: true, keys: ['0-17', '18-29', '30-54', '55-64', '65+'] },
      // A person may be in several groups, or none: each group is a count of its own.
      { name: 'group', partition: false, keys: ['DISABILITY', 'ROMA', 'HOMELESS', 'DESTITUTE'] },
    ],
  },
  {
    measure: StatisticsMeasure.HOUSEHOLDS,
    view: 'stats_households',
    dimensions: [
      { name: 'size', partition: true, keys: ['0', '1', '2', '3', '4', '5', '6+'] },
      { name: 'composition', partition: true, keys: HOUSEHOLD_COMPOSITIONS },
    ],
  },
  {
    measure: StatisticsMeasure.ENROLMENTS,
    view: 'stats_enrolments',
    dimensions: [
      { name: 'programme', partition: true, keys: [] },
      { name: 'status', partition: true, keys: ['APPLIED', 'ACTIVE', 'SUSPENDED', 'ENDED'] },
    ],
  },
  {
    measure: StatisticsMeasure.REFERRALS,
    view: 'stats_referrals',
    dimensions: [
      {
        name: 'status',
        partition: true,
        keys: ['DRAFT', 'SENT', 'ACCEPTED', 'REJECTED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'EXPIRED'],
      },
      {
        name: 'outcome',
        partition: true,
        keys: [
          'NONE',
          'GOT_HELP',
          'REFERRED_ELSEWHERE',
          'COULD_NOT_CONTACT',
          'NOT_ELIGIBLE',
          'NO_LONGER_INTERESTED',
          'COULD_NOT_GET_HELP',
        ],
      },
      { name: 'need', partition: true, keys: [] },
      { name: 'providerKind', partition: true, keys: [] },
      // Days from sending to acceptance, and to completion, in bands (NONE: not accepted or not
      // completed): counts, suppressed like any other (docs/statistics.md, "Referral times").
      { name: 'acceptTime', partition: true, keys: REFERRAL_TIME_BANDS },
      { name: 'completeTime', partition: true, keys: REFERRAL_TIME_BANDS },
    ],
  },
];

export const TOTAL_KEY = 'total';

export interface Cube {
  measure: StatisticsMeasure;
  /** With the rows that reveal special-category data (Roma, disability), or without them. */
  withSpecial: boolean;
  asOf: Date;
  geography: Geography;
  periods: Periods;
  /** `total`, then `dimension:key` per category. */
  keys: string[];
  keyIndex: Map<string, number>;
  /** The categories of each dimension, as key indices. */
  dimensions: Array<{ name: string; keys: number[] }>;
  /** Counts at [area][period][key], row-major. */
  values: Int32Array;
  /** The suppression of the whole cube, computed when a caller below national level first asks. */
  hidden(threshold: number): Uint8Array;
  /** Milliseconds spent building (summing) and suppressing, for the benchmark. */
  timings: { buildMs: number; suppressMs?: number };
}

/**
 * Builds one measure's cube from its view's rows (`special` rows left out unless withSpecial).
 * `today` ('YYYY-MM', Europe/Athens) sets the last year; the first is the earliest row's.
 */
export function buildCube(
  def: MeasureDef,
  geography: Geography,
  rows: readonly MeasureRow[],
  asOf: Date,
  withSpecial: boolean,
  today: string,
): Cube {
  const started = performance.now();
  const used = rows.filter((r) => withSpecial || !r.special);
  let firstYear = Number(today.slice(0, 4));
  let lastYear = firstYear;
  for (const r of used) {
    const y = Number(r.month.slice(0, 4));
    if (y < firstYear) firstYear = y;
    if (y > lastYear) lastYear = y;
  }
  const periods = buildPeriods(firstYear, lastYear);
  const keys = [TOTAL_KEY];
  const dimensions: Cube['dimensions'] = [];
  for (const d of def.dimensions) {
    const found = new Set(used.filter((r) => r.dim === d.name).map((r) => r.key));
    for (const k of d.keys) found.delete(k);
    const ordered = [...d.keys, ...[...found].sort()];
    dimensions.push({ name: d.name, keys: ordered.map((k) => keys.push(`${d.name}:${k}`) - 1) });
  }
  const keyIndex = new Map(keys.map((k, i) => [k, i]));
  const A = geography.areas.length;
  const P = periods.keys.length;
  const K = keys.length;
  const values = new Int32Array(A * P * K);
  const municipalityIndex = new Map(
    geography.areas.slice(0, geography.municipalityCount).map((a, i) => [a.code, i]),
  );
  for (const r of used) {
    const m = municipalityIndex.get(r.municipality_code);
    const p = periods.index.get(r.month);
    const k = keyIndex.get(r.dim === TOTAL_KEY ? TOTAL_KEY : `${r.dim}:${r.key}`);
    if (m === undefined || p === undefined || k === undefined) continue;
    values[(m * P + p) * K + k]! += r.n;
  }
  // Up the calendar (months -> quarters -> years -> ALL) for each municipality, then up the map.
  const sumInto = (target: number, parts: readonly number[], stride: number) => {
    for (let j = 0; j < stride; j++) {
      let s = 0;
      for (const part of parts) s += values[part + j]!;
      values[target + j] = s;
    }
  };
  const quarterRelations = periods.relations.filter((r) => /-Q/.test(periods.keys[r.parent]!));
  const yearRelations = periods.relations.filter(
    (r) => /^[0-9]{4}$/.test(periods.keys[r.parent]!) && r.children.length === 4,
  );
  const allRelation = periods.relations.find((r) => r.parent === 0)!;
  for (let m = 0; m < geography.municipalityCount; m++) {
    const at = (p: number) => (m * P + p) * K;
    for (const rel of [...quarterRelations, ...yearRelations, allRelation])
      sumInto(
        at(rel.parent),
        rel.children.map((c) => at(c)),
        K,
      );
  }
  for (let a = geography.municipalityCount; a < A; a++)
    sumInto(
      a * P * K,
      geography.areas[a]!.municipalities.map((m) => m * P * K),
      P * K,
    );
  const keyRelations: Relation[] = def.dimensions
    .map((d, i) => ({ d, keys: dimensions[i]!.keys }))
    .filter(({ d }) => d.partition)
    .map(({ keys: children }) => ({ parent: 0, children }));
  const timings: Cube['timings'] = { buildMs: performance.now() - started };
  return {
    measure: def.measure,
    withSpecial,
    asOf,
    geography,
    periods,
    keys,
    keyIndex,
    dimensions,
    values,
    timings,
    hidden: suppressionByThreshold(
      { shape: [A, P, K], values, relations: [geography.relations, periods.relations, keyRelations] },
      timings,
    ),
  };
}

export interface PublishedCell {
  key: string;
  count: number | null;
  suppressed: boolean;
}

/**
 * THE function every published figure goes through: the cell of an area, a period and a key,
 * whole for national callers, or with the cube's suppression (threshold) for everyone else.
 */
export function publishCell(
  cube: Cube,
  area: number,
  period: number,
  key: number,
  threshold: number | null,
  label: string,
): PublishedCell {
  const P = cube.periods.keys.length;
  const K = cube.keys.length;
  const i = (area * P + period) * K + key;
  if (threshold !== null && cube.hidden(threshold)[i]) return { key: label, count: null, suppressed: true };
  return { key: label, count: cube.values[i]!, suppressed: false };
}

/**
 * A cube's hidden cells at a threshold, computed once per threshold (the cube never changes), with
 * the time the first computation took in `timings.suppressMs`.
 */
export function suppressionByThreshold(
  table: LinkedCounts,
  timings: { suppressMs?: number },
): (threshold: number) => Uint8Array {
  const suppressed = new Map<number, Uint8Array>();
  return (threshold) => {
    let hidden = suppressed.get(threshold);
    if (!hidden) {
      const t = performance.now();
      hidden = suppressLinked(table, threshold);
      timings.suppressMs = performance.now() - t;
      suppressed.set(threshold, hidden);
    }
    return hidden;
  };
}
