import { suppressLinked } from '../common/small-cells.js';
import type { Geography } from './statistics-cube.js';

/**
 * The counts of stats_likely_eligible for every area x programme, summed up the geography, with
 * one suppression for the whole cube (suppressLinked), as the registry figures: a cell is hidden
 * or shown the same whichever area or row it is read through.
 */

/** Published measures first; the last two are counted for the partitions but never published. */
export const LIKELY_ELIGIBLE_MEASURES = [
  'evaluated',
  'eligible',
  'eligibleNotEnrolled',
  'cannotTell',
  'eligibleEnrolled',
  'notEligible',
] as const;
const [EVALUATED, ELIGIBLE, NOT_ENROLLED, CANNOT_TELL, ENROLLED, NOT_ELIGIBLE] = [0, 1, 2, 3, 4, 5];
const M = LIKELY_ELIGIBLE_MEASURES.length;

export interface LikelyEligibleRow {
  municipality_code: string;
  programme_id: string;
  programme_code: string;
  special: boolean;
  evaluated: number;
  eligible: number;
  eligible_not_enrolled: number;
  cannot_tell: number;
  as_of: string;
}

export interface LikelyEligibleCube {
  asOf: Date;
  /** The day the rules were evaluated for. */
  evaluatedOn: string | null;
  geography: Geography;
  programmes: Array<{ id: string; code: string; special: boolean }>;
  /** Counts at [area][programme][measure], row-major. */
  values: Int32Array;
  hidden(threshold: number): Uint8Array;
}

export function buildLikelyEligibleCube(
  geography: Geography,
  rows: readonly LikelyEligibleRow[],
  asOf: Date,
): LikelyEligibleCube {
  const programmes: LikelyEligibleCube['programmes'] = [];
  const programmeIndex = new Map<string, number>();
  for (const r of [...rows].sort((a, b) => a.programme_code.localeCompare(b.programme_code)))
    if (!programmeIndex.has(r.programme_id))
      programmeIndex.set(
        r.programme_id,
        programmes.push({ id: r.programme_id, code: r.programme_code, special: r.special }) - 1,
      );
  const A = geography.areas.length;
  const G = programmes.length;
  const values = new Int32Array(A * G * M);
  const municipalityIndex = new Map(
    geography.areas.slice(0, geography.municipalityCount).map((a, i) => [a.code, i]),
  );
  for (const r of rows) {
    const m = municipalityIndex.get(r.municipality_code);
    if (m === undefined) continue;
    const at = (m * G + programmeIndex.get(r.programme_id)!) * M;
    values[at + EVALUATED] = r.evaluated;
    values[at + ELIGIBLE] = r.eligible;
    values[at + NOT_ENROLLED] = r.eligible_not_enrolled;
    values[at + CANNOT_TELL] = r.cannot_tell;
    values[at + ENROLLED] = r.eligible - r.eligible_not_enrolled;
    values[at + NOT_ELIGIBLE] = r.evaluated - r.eligible - r.cannot_tell;
  }
  for (let a = geography.municipalityCount; a < A; a++)
    for (const m of geography.areas[a]!.municipalities)
      for (let j = 0; j < G * M; j++) values[a * G * M + j]! += values[m * G * M + j]!;
  // Those evaluated are the eligible, the undecided and the not eligible; the eligible are the
  // enrolled and the not enrolled.
  const measureRelations = [
    { parent: EVALUATED, children: [ELIGIBLE, CANNOT_TELL, NOT_ELIGIBLE] },
    { parent: ELIGIBLE, children: [NOT_ENROLLED, ENROLLED] },
  ];
  const suppressed = new Map<number, Uint8Array>();
  return {
    asOf,
    evaluatedOn: rows[0]?.as_of ?? null,
    geography,
    programmes,
    values,
    hidden(threshold) {
      let hidden = suppressed.get(threshold);
      if (!hidden) {
        hidden = suppressLinked(
          { shape: [A, G, M], values, relations: [geography.relations, [], measureRelations] },
          threshold,
        );
        suppressed.set(threshold, hidden);
      }
      return hidden;
    },
  };
}

/** A cell as a caller may see it: whole (threshold null) or with the cube's suppression. */
export function publishLikelyEligible(
  cube: LikelyEligibleCube,
  area: number,
  programme: number,
  measure: number,
  threshold: number | null,
): { key: string; count: number | null; suppressed: boolean } {
  const i = (area * cube.programmes.length + programme) * M + measure;
  const key = LIKELY_ELIGIBLE_MEASURES[measure]!;
  if (threshold !== null && cube.hidden(threshold)[i]) return { key, count: null, suppressed: true };
  return { key, count: cube.values[i]!, suppressed: false };
}

/** The evaluated count of an area and programme (whether a row is listed: zero is never hidden). */
export const evaluatedIn = (cube: LikelyEligibleCube, area: number, programme: number): number =>
  cube.values[(area * cube.programmes.length + programme) * M + EVALUATED]!;
