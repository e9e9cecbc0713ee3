import {
  AreaLevel,
  buildCube,
  buildGeography,
  buildPeriods,
  MEASURES,
  publishCell,
  StatisticsMeasure,
} from './statistics-cube.js';
import type { GeographyRow, MeasureRow } from './statistics.queries.js';

const municipality = (code: string, unit: string, prefecture: string, region: string): GeographyRow => ({
  code,
  name: `M${code}`,
  regional_unit_code: unit,
  regional_unit_name: `U${unit}`,
  old_prefecture: prefecture,
  region_code: region,
  region_name: `R${region}`,
  population_2021: 1000,
});

// Region 9: old prefecture A = units 01 (m1, m2) + 02 (m3); region 2: unit 03 (m4), prefecture B.
const GEOGRAPHY = [
  municipality('0001', '01', 'A', '9'),
  municipality('0002', '01', 'A', '9'),
  municipality('0003', '02', 'A', '9'),
  municipality('0004', '03', 'B', '2'),
];

describe('statistics cube', () => {
  it('makes every area the sum of its municipalities and of the smaller areas nested in it', () => {
    const g = buildGeography(GEOGRAPHY);
    const name = (i: number) => `${g.areas[i]!.level}:${g.areas[i]!.code}`;
    const relations = g.relations.map((r) => `${name(r.parent)} = ${r.children.map(name).join(' + ')}`);
    expect(relations).toEqual(
      expect.arrayContaining([
        'REGIONAL_UNIT:01 = MUNICIPALITY:0001 + MUNICIPALITY:0002',
        'OLD_PREFECTURE:A = REGIONAL_UNIT:01 + REGIONAL_UNIT:02',
        'REGION:9 = OLD_PREFECTURE:A',
        'REGION:9 = REGIONAL_UNIT:01 + REGIONAL_UNIT:02',
        'COUNTRY:EL = REGION:9 + REGION:2',
      ]),
    );
    expect(g.areas[g.find(AreaLevel.REGION, '9')!]!.population).toBe(3000);
  });

  it('makes ALL the sum of the years, a year of its quarters and of its months', () => {
    const p = buildPeriods(2024, 2025);
    const name = (i: number) => p.keys[i]!;
    const relations = p.relations.map((r) => `${name(r.parent)} = ${r.children.map(name).join(' + ')}`);
    expect(relations).toEqual(
      expect.arrayContaining([
        'ALL = 2024 + 2025',
        '2024 = 2024-Q1 + 2024-Q2 + 2024-Q3 + 2024-Q4',
        '2025-Q2 = 2025-04 + 2025-05 + 2025-06',
      ]),
    );
    expect(p.parts(p.index.get('2024-Q3')!).map(name)).toEqual(['2024-07', '2024-08', '2024-09']);
  });

  it('sums rows up the calendar and the map, and leaves special-category rows out unless asked', () => {
    const def = MEASURES.find((m) => m.measure === StatisticsMeasure.ENROLMENTS)!;
    const row = (
      m: string,
      month: string,
      special: boolean,
      dim: string,
      key: string,
      n: number,
    ): MeasureRow => ({
      municipality_code: m,
      month,
      special,
      dim,
      key,
      n,
    });
    const rows = [
      row('0001', '2024-01', false, 'total', '', 7),
      row('0001', '2024-01', false, 'status', 'ACTIVE', 7),
      row('0001', '2024-01', false, 'programme', 'P1', 7),
      row('0003', '2024-05', false, 'total', '', 2),
      row('0003', '2024-05', false, 'status', 'APPLIED', 2),
      row('0003', '2024-05', false, 'programme', 'P1', 2),
      row('0002', '2024-05', true, 'total', '', 1),
      row('0002', '2024-05', true, 'status', 'ACTIVE', 1),
      row('0002', '2024-05', true, 'programme', 'ROMA1', 1),
    ];
    const g = buildGeography(GEOGRAPHY);
    const general = buildCube(def, g, rows, new Date(), false, '2025-02');
    const region = g.find(AreaLevel.REGION, '9')!;
    const at = (cube: typeof general, area: number, period: string, key: string, threshold: number | null) =>
      publishCell(cube, area, cube.periods.index.get(period)!, cube.keyIndex.get(key)!, threshold, key).count;
    expect(general.periods.keys[1]).toBe('2024');
    expect(at(general, region, 'ALL', 'total', null)).toBe(9);
    expect(at(general, region, '2024-Q2', 'total', null)).toBe(2);
    expect(general.keyIndex.has('programme:ROMA1')).toBe(false);
    const all = buildCube(def, g, rows, new Date(), true, '2025-02');
    expect(at(all, region, 'ALL', 'total', null)).toBe(10);
    expect(at(all, region, 'ALL', 'programme:ROMA1', null)).toBe(1);
    // Suppressed: the 1 is hidden, and so is a partner; the whole figure stays for national callers.
    expect(at(all, region, 'ALL', 'programme:ROMA1', 5)).toBeNull();
    expect(at(all, region, 'ALL', 'programme:P1', 5)).toBeNull();
    expect(at(all, region, 'ALL', 'total', 5)).toBe(10);
  });
});
