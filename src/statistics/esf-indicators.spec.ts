import { buildEsfCube, csvField, ESF_INDICATORS, publishEsfCount, type EsfRow } from './esf-indicators.js';
import { AreaLevel, buildGeography } from './statistics-cube.js';
import type { GeographyRow } from './statistics.queries.js';

const municipality = (code: string): GeographyRow => ({
  code,
  name: `M${code}`,
  regional_unit_code: '01',
  regional_unit_name: 'U01',
  old_prefecture: 'A',
  region_code: '9',
  region_name: 'R9',
  population_2021: 1000,
});
const geography = buildGeography([municipality('0001'), municipality('0002')]);

/** The rows of `stats_esf` for `n` people entering in one month with the same answers. */
const entering = (
  m: string,
  month: string,
  gender: string,
  n: number,
  answers: Record<string, string>,
): EsfRow[] =>
  Object.entries({ participants: '', ...answers }).map(([question, answer]) => ({
    municipality_code: m,
    month,
    flow: 'ENTRY',
    gender,
    question,
    answer,
    special: question === 'disability' || question === 'minority',
    n,
  }));
const answers = (employment: string, disability = 'NO') => ({
  employment,
  age: '30_54',
  education: 'ISCED_3_4',
  disability,
  thirdCountry: 'NO',
  foreignBackground: 'NO',
  minority: 'NO',
  homeless: 'NO',
  rural: 'NO',
});

describe('ESF+ indicator cube', () => {
  const rows = [
    ...entering('0001', '2025-02', 'FEMALE', 3, answers('LONG_TERM_UNEMPLOYED', 'YES')),
    ...entering('0001', '2025-02', 'FEMALE', 20, answers('UNEMPLOYED')),
    ...entering('0001', '2025-05', 'MALE', 30, answers('EMPLOYED')),
    ...entering('0002', '2025-03', 'MALE', 12, answers('INACTIVE')),
  ];
  const value = (
    cube: ReturnType<typeof buildEsfCube>,
    area: number,
    period: string,
    category: string,
    g = 0,
  ) =>
    publishEsfCount(cube, area, cube.periods.index.get(period), cube.categoryIndex.get(category)!, g, null)
      .count;

  it('sums genders, derived categories, the calendar and the geography', () => {
    const cube = buildEsfCube(geography, rows, new Date(), true, '2025-12');
    const region = geography.find(AreaLevel.REGION, '9')!;
    expect(value(cube, 0, '2025', 'ENTRY:participants:')).toBe(53);
    expect(value(cube, 0, '2025-Q1', 'ENTRY:employment:UNEMPLOYED_INCLUDING_LONG_TERM', 1)).toBe(23);
    expect(value(cube, 0, '2025-Q2', 'ENTRY:participants:', 2)).toBe(30);
    expect(value(cube, region, 'ALL', 'ENTRY:participants:')).toBe(65);
    expect(value(cube, region, '2025-03', 'ENTRY:employment:INACTIVE', 2)).toBe(12);
  });

  it('leaves the special-category questions out of the cube without the permission', () => {
    const cube = buildEsfCube(geography, rows, new Date(), false, '2025-12');
    expect(cube.categories.some((c) => c.includes('disability') || c.includes('minority'))).toBe(false);
    const codes = ESF_INDICATORS.filter((d) => cube.categoryIndex.has(d.category)).map((d) => d.code);
    expect(codes).not.toContain('EECO12');
    expect(codes).not.toContain('EECO15');
    expect(value(cube, 0, '2025', 'ENTRY:participants:')).toBe(53);
  });

  it('hides the 3 long-term unemployed women and a partner in each of their partitions', () => {
    const cube = buildEsfCube(geography, rows, new Date(), true, '2025-12');
    const p = cube.periods.index.get('2025-Q1')!;
    const shown = (category: string, g: number) =>
      !publishEsfCount(cube, 0, p, cube.categoryIndex.get(category)!, g, 5).suppressed;
    expect(shown('ENTRY:employment:LONG_TERM_UNEMPLOYED', 1)).toBe(false);
    // unemployed (23) = long-term (3) + short-term (20): the short-term are the only partner
    expect(shown('ENTRY:employment:UNEMPLOYED', 1)).toBe(false);
    // long-term (3, all women) = women + men + non-binary + not recorded: the total hides too
    expect(shown('ENTRY:employment:LONG_TERM_UNEMPLOYED', 0)).toBe(false);
    expect(shown('ENTRY:participants:', 1)).toBe(true);
  });

  it('quotes CSV fields that need it', () => {
    expect(csvField('Unemployed, including long-term')).toBe('"Unemployed, including long-term"');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField(null)).toBe('');
    expect(csvField(0)).toBe('0');
  });
});
