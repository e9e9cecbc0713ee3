import {
  buildPeriods,
  suppressionByThreshold,
  type Geography,
  type Periods,
  type Relation,
} from './statistics-cube.js';

/**
 * ESF+ participant indicators (Regulation (EU) 2021/1057, Annex I; docs/statistics.md): what is
 * counted, the published indicator codes, and the cube of every area x fixed period x category x
 * gender they are read from. Like the registry figures, suppression is decided once for the whole
 * cube (suppressLinked), so a cell is hidden or shown the same in every row, centre, area and period.
 */

export enum EsfFlow {
  /** Participants entering (their answers recorded), counted in the month of entry. */
  ENTRY = 'ENTRY',
  /** Participants leaving, counted in the month they left, with their situation upon leaving. */
  EXIT = 'EXIT',
}

export enum EsfIndicatorKind {
  /** An Annex I common output indicator (characteristics on entry). */
  OUTPUT = 'OUTPUT',
  /** An Annex I common immediate result indicator (situation upon leaving). */
  RESULT = 'RESULT',
  /** Participants who left in the period: the base of the result indicators (not an Annex I code). */
  LEAVERS = 'LEAVERS',
  /** Participants who preferred not to answer (or whose answer is unknown), kept apart from the indicator. */
  NOT_ANSWERED = 'NOT_ANSWERED',
}

/** A question of the view `stats_esf` and its answers, which partition the flow's participants. */
interface Question {
  flow: EsfFlow;
  question: string;
  answers: readonly string[];
  /** Disability and minority (Roma) answers: Art. 9 data, only with special_category. */
  special?: boolean;
  /** Answers summed into one more category (the unemployed, long-term included). */
  derived?: { answer: string; of: readonly string[] };
}

const YES_NO = ['YES', 'NO', 'PREFER_NOT_TO_ANSWER'] as const;

const QUESTIONS: readonly Question[] = [
  { flow: EsfFlow.ENTRY, question: 'participants', answers: [''] },
  {
    flow: EsfFlow.ENTRY,
    question: 'employment',
    answers: ['UNEMPLOYED', 'LONG_TERM_UNEMPLOYED', 'INACTIVE', 'EMPLOYED', 'PREFER_NOT_TO_ANSWER'],
    derived: { answer: 'UNEMPLOYED_INCLUDING_LONG_TERM', of: ['UNEMPLOYED', 'LONG_TERM_UNEMPLOYED'] },
  },
  { flow: EsfFlow.ENTRY, question: 'age', answers: ['UNDER_18', '18_29', '30_54', '55_PLUS'] },
  {
    flow: EsfFlow.ENTRY,
    question: 'education',
    answers: ['ISCED_0_2', 'ISCED_3_4', 'ISCED_5_8', 'PREFER_NOT_TO_ANSWER'],
  },
  { flow: EsfFlow.ENTRY, question: 'disability', answers: YES_NO, special: true },
  { flow: EsfFlow.ENTRY, question: 'thirdCountry', answers: ['YES', 'NO', 'UNKNOWN'] },
  { flow: EsfFlow.ENTRY, question: 'foreignBackground', answers: YES_NO },
  { flow: EsfFlow.ENTRY, question: 'minority', answers: YES_NO, special: true },
  { flow: EsfFlow.ENTRY, question: 'homeless', answers: YES_NO },
  { flow: EsfFlow.ENTRY, question: 'rural', answers: YES_NO },
  { flow: EsfFlow.EXIT, question: 'leavers', answers: [''] },
  { flow: EsfFlow.EXIT, question: 'jobSearching', answers: YES_NO },
  { flow: EsfFlow.EXIT, question: 'educationOrTraining', answers: YES_NO },
  { flow: EsfFlow.EXIT, question: 'qualification', answers: YES_NO },
  { flow: EsfFlow.EXIT, question: 'employment', answers: YES_NO },
];

/** The question whose single answer is every participant of the flow. */
const TOTAL_QUESTION: Record<EsfFlow, string> = { ENTRY: 'participants', EXIT: 'leavers' };

export interface EsfIndicatorDef {
  code: string;
  name: string;
  kind: EsfIndicatorKind;
  /** `flow:question:answer` of the category it publishes. */
  category: string;
  special?: boolean;
}

const indicator = (
  code: string,
  name: string,
  kind: EsfIndicatorKind,
  category: string,
  special = false,
): EsfIndicatorDef => ({ code, name, kind, category, special });
const { OUTPUT, RESULT, LEAVERS, NOT_ANSWERED } = EsfIndicatorKind;

/**
 * The published rows, in the order a managing authority lists them: the Annex I codes as SFC2021
 * numbers them (EECO, EECR), then the national rows that keep the refusals apart (PNA-…, UNK-…).
 */
export const ESF_INDICATORS: readonly EsfIndicatorDef[] = [
  indicator('EECO01', 'Total number of participants', OUTPUT, 'ENTRY:participants:'),
  indicator(
    'EECO02',
    'Unemployed, including long-term unemployed',
    OUTPUT,
    'ENTRY:employment:UNEMPLOYED_INCLUDING_LONG_TERM',
  ),
  indicator('EECO03', 'Long-term unemployed', OUTPUT, 'ENTRY:employment:LONG_TERM_UNEMPLOYED'),
  indicator('EECO04', 'Inactive', OUTPUT, 'ENTRY:employment:INACTIVE'),
  indicator('EECO05', 'Employed, including self-employed', OUTPUT, 'ENTRY:employment:EMPLOYED'),
  indicator('EECO06', 'Children below 18 years of age', OUTPUT, 'ENTRY:age:UNDER_18'),
  indicator('EECO07', 'Young people aged 18-29 years', OUTPUT, 'ENTRY:age:18_29'),
  indicator('EECO08', 'Participants aged 55 years and above', OUTPUT, 'ENTRY:age:55_PLUS'),
  indicator('EECO09', 'Participants with ISCED 0-2', OUTPUT, 'ENTRY:education:ISCED_0_2'),
  indicator('EECO10', 'Participants with ISCED 3-4', OUTPUT, 'ENTRY:education:ISCED_3_4'),
  indicator('EECO11', 'Participants with ISCED 5-8', OUTPUT, 'ENTRY:education:ISCED_5_8'),
  indicator('EECO12', 'Participants with disabilities', OUTPUT, 'ENTRY:disability:YES', true),
  indicator('EECO13', 'Third-country nationals', OUTPUT, 'ENTRY:thirdCountry:YES'),
  indicator('EECO14', 'Participants with a foreign background', OUTPUT, 'ENTRY:foreignBackground:YES'),
  indicator(
    'EECO15',
    'Minorities (including marginalised communities such as Roma)',
    OUTPUT,
    'ENTRY:minority:YES',
    true,
  ),
  indicator('EECO16', 'Homeless or affected by housing exclusion', OUTPUT, 'ENTRY:homeless:YES'),
  indicator('EECO17', 'Participants from rural areas', OUTPUT, 'ENTRY:rural:YES'),
  indicator('LEAVERS', 'Participants who left the operation', LEAVERS, 'EXIT:leavers:'),
  indicator('EECR01', 'Participants engaged in job searching upon leaving', RESULT, 'EXIT:jobSearching:YES'),
  indicator(
    'EECR02',
    'Participants in education or training upon leaving',
    RESULT,
    'EXIT:educationOrTraining:YES',
  ),
  indicator('EECR03', 'Participants gaining a qualification upon leaving', RESULT, 'EXIT:qualification:YES'),
  indicator(
    'EECR04',
    'Participants in employment, including self-employment, upon leaving',
    RESULT,
    'EXIT:employment:YES',
  ),
  indicator(
    'PNA-EMPLOYMENT',
    'Labour-market status: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:employment:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-EDUCATION',
    'Education level: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:education:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-DISABILITY',
    'Disability: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:disability:PREFER_NOT_TO_ANSWER',
    true,
  ),
  indicator('UNK-CITIZENSHIP', 'Citizenship not recorded', NOT_ANSWERED, 'ENTRY:thirdCountry:UNKNOWN'),
  indicator(
    'PNA-FOREIGN-BACKGROUND',
    'Foreign background: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:foreignBackground:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-MINORITY',
    'Minority: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:minority:PREFER_NOT_TO_ANSWER',
    true,
  ),
  indicator(
    'PNA-HOMELESS',
    'Housing exclusion: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:homeless:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-RURAL',
    'Rural area: preferred not to answer',
    NOT_ANSWERED,
    'ENTRY:rural:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-JOB-SEARCHING',
    'Job searching upon leaving: preferred not to answer',
    NOT_ANSWERED,
    'EXIT:jobSearching:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-EDUCATION-OR-TRAINING',
    'Education or training upon leaving: preferred not to answer',
    NOT_ANSWERED,
    'EXIT:educationOrTraining:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-QUALIFICATION',
    'Qualification upon leaving: preferred not to answer',
    NOT_ANSWERED,
    'EXIT:qualification:PREFER_NOT_TO_ANSWER',
  ),
  indicator(
    'PNA-EMPLOYMENT-ON-LEAVING',
    'Employment upon leaving: preferred not to answer',
    NOT_ANSWERED,
    'EXIT:employment:PREFER_NOT_TO_ANSWER',
  ),
];

/** The gender breakdown of every row: all, then women, men, non-binary (recorded OTHER), not recorded. */
export const ESF_GENDERS = ['ALL', 'FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] as const;
const G = ESF_GENDERS.length;

/** One row of `stats_esf`. */
export interface EsfRow {
  municipality_code: string;
  /** 'YYYY-MM' */
  month: string;
  flow: string;
  gender: string;
  question: string;
  answer: string;
  special: boolean;
  n: number;
}

export interface EsfCube {
  withSpecial: boolean;
  asOf: Date;
  geography: Geography;
  periods: Periods;
  /** `flow:question:answer` of each category; a category's gender g is key index c * 5 + g. */
  categories: string[];
  categoryIndex: Map<string, number>;
  /** Counts at [area][period][category * 5 + gender], row-major. */
  values: Int32Array;
  hidden(threshold: number): Uint8Array;
  timings: { buildMs: number; suppressMs?: number };
}

/**
 * Builds the cube from the view's rows (special-category questions left out entirely unless
 * withSpecial: a caller without the permission gets a cube in which they never existed, so even
 * the suppression of the other cells does not depend on them). `today` ('YYYY-MM') sets the last year.
 */
export function buildEsfCube(
  geography: Geography,
  rows: readonly EsfRow[],
  asOf: Date,
  withSpecial: boolean,
  today: string,
): EsfCube {
  const started = performance.now();
  const questions = QUESTIONS.filter((q) => withSpecial || !q.special);
  const categories: string[] = [];
  const categoryIndex = new Map<string, number>();
  const add = (key: string) => categoryIndex.set(key, categories.push(key) - 1);
  for (const q of questions) {
    for (const a of q.answers) add(`${q.flow}:${q.question}:${a}`);
    if (q.derived) add(`${q.flow}:${q.question}:${q.derived.answer}`);
  }
  // A leaf category also counts in the categories derived from it (long-term unemployed -> unemployed).
  const countsIn = new Map<string, number[]>();
  for (const q of questions)
    for (const a of q.answers) {
      const key = `${q.flow}:${q.question}:${a}`;
      const targets = [categoryIndex.get(key)!];
      if (q.derived?.of.includes(a))
        targets.push(categoryIndex.get(`${q.flow}:${q.question}:${q.derived.answer}`)!);
      countsIn.set(key, targets);
    }

  const used = rows.filter((r) => withSpecial || !r.special);
  let firstYear = Number(today.slice(0, 4));
  let lastYear = firstYear;
  for (const r of used) {
    const y = Number(r.month.slice(0, 4));
    if (y < firstYear) firstYear = y;
    if (y > lastYear) lastYear = y;
  }
  const periods = buildPeriods(firstYear, lastYear);
  const A = geography.areas.length;
  const P = periods.keys.length;
  const K = categories.length * G;
  const values = new Int32Array(A * P * K);
  const municipalityIndex = new Map(
    geography.areas.slice(0, geography.municipalityCount).map((a, i) => [a.code, i]),
  );
  for (const r of used) {
    const m = municipalityIndex.get(r.municipality_code);
    const p = periods.index.get(r.month);
    const g = ESF_GENDERS.indexOf(r.gender as (typeof ESF_GENDERS)[number]);
    const targets = countsIn.get(`${r.flow}:${r.question}:${r.answer}`);
    if (m === undefined || p === undefined || g < 1 || !targets) continue;
    for (const c of targets) {
      values[(m * P + p) * K + c * G]! += r.n;
      values[(m * P + p) * K + c * G + g]! += r.n;
    }
  }
  // Up the calendar (months -> quarters -> years -> ALL) for each municipality, then up the map.
  const sumInto = (target: number, parts: readonly number[], stride: number) => {
    for (let j = 0; j < stride; j++) {
      let s = 0;
      for (const part of parts) s += values[part + j]!;
      values[target + j] = s;
    }
  };
  const rollUps = [
    ...periods.relations.filter((r) => /-Q/.test(periods.keys[r.parent]!)),
    ...periods.relations.filter((r) => /^[0-9]{4}$/.test(periods.keys[r.parent]!) && r.children.length === 4),
    periods.relations.find((r) => r.parent === 0)!,
  ];
  for (let m = 0; m < geography.municipalityCount; m++) {
    const at = (p: number) => (m * P + p) * K;
    for (const rel of rollUps)
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

  const keyRelations = esfKeyRelations(questions, categoryIndex);
  const timings: EsfCube['timings'] = { buildMs: performance.now() - started };
  return {
    withSpecial,
    asOf,
    geography,
    periods,
    categories,
    categoryIndex,
    values,
    timings,
    hidden: suppressionByThreshold(
      { shape: [A, P, K], values, relations: [geography.relations, periods.relations, keyRelations] },
      timings,
    ),
  };
}

/**
 * The additive relations along the category x gender axis: every category is the sum of its
 * genders; in every gender, the flow's total is the sum of each question's answers (a partition),
 * and a derived category the sum of its parts (the unemployed of the short- and the long-term).
 */
function esfKeyRelations(questions: readonly Question[], index: Map<string, number>): Relation[] {
  const relations: Relation[] = [];
  for (const c of index.values())
    relations.push({ parent: c * G, children: ESF_GENDERS.slice(1).map((_, g) => c * G + g + 1) });
  for (const q of questions) {
    const total = index.get(`${q.flow}:${TOTAL_QUESTION[q.flow]}:`)!;
    const cat = (a: string) => index.get(`${q.flow}:${q.question}:${a}`)!;
    const partition = q.derived
      ? [cat(q.derived.answer), ...q.answers.filter((a) => !q.derived!.of.includes(a)).map(cat)]
      : q.answers.map(cat);
    for (let g = 0; g < G; g++) {
      if (q.question !== TOTAL_QUESTION[q.flow])
        relations.push({ parent: total * G + g, children: partition.map((c) => c * G + g) });
      if (q.derived)
        relations.push({
          parent: cat(q.derived.answer) * G + g,
          children: q.derived.of.map((a) => cat(a) * G + g),
        });
    }
  }
  return relations;
}

export interface EsfPublishedCount {
  count: number | null;
  suppressed: boolean;
}

/** A cell of the cube as a caller may see it: whole (threshold null) or with the cube's suppression. */
export function publishEsfCount(
  cube: EsfCube,
  area: number,
  period: number | undefined,
  category: number,
  gender: number,
  threshold: number | null,
): EsfPublishedCount {
  if (period === undefined) return { count: 0, suppressed: false };
  const P = cube.periods.keys.length;
  const K = cube.categories.length * G;
  const i = (area * P + period) * K + category * G + gender;
  if (threshold !== null && cube.hidden(threshold)[i]) return { count: null, suppressed: true };
  return { count: cube.values[i]!, suppressed: false };
}

/** The CSV columns of the export, one row per indicator code per period per centre. */
export const ESF_CSV_COLUMNS = [
  'period',
  'centre_level',
  'centre_code',
  'centre_name',
  'indicator_code',
  'indicator_name',
  'indicator_kind',
  'total',
  'women',
  'men',
  'non_binary',
  'gender_not_recorded',
  'as_of',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
