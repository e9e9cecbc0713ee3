import { Permission, Role } from '../src/auth/roles.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { FIGURES, insertStatisticsFixture, type Cell, type Figures } from './support/statistics-fixture.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Small-cell suppression under attack (issue 14), on the hand-computed fixture: a regional officer
 * of Attica collects every figure it may read (its region, regional unit, old prefecture, the
 * fixture's municipalities and every municipality's total, for ALL, every year, quarter and month
 * of 2024) and tries to work out a hidden count from them: a total minus its visible parts, a
 * region minus its municipalities, a year minus its months, or any linear combination of those
 * (Gaussian elimination over all the relations at once).
 */
describe('statistics: small-cell suppression under attack (issue 14)', () => {
  let t: TestApp;
  let admin: string;
  let attica: string;
  let atticaSpecial: string;

  const AREAS: Array<[string, string]> = [
    ['REGION', '9'],
    ['REGIONAL_UNIT', '0907'],
    ['OLD_PREFECTURE', 'ΑΝΑΤ. ΑΤΤΙΚΗΣ'],
    ['MUNICIPALITY', '4912'],
    ['MUNICIPALITY', '4904'],
    ['MUNICIPALITY', '4906'],
  ];
  const FIXTURE_MUNICIPALITIES = ['4912', '4904', '4906'];
  const MONTHS = Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`);
  const QUARTERS = [1, 2, 3, 4].map((q) => `2024-Q${q}`);
  const YEARS = ['2024', '2025', '2026'];
  const PERIODS = ['ALL', ...YEARS, ...QUARTERS, ...MONTHS];
  const PARTITIONS: Record<string, string[]> = {
    PEOPLE: ['gender', 'ageBand'],
    HOUSEHOLDS: ['size', 'composition'],
    ENROLMENTS: ['programme', 'status'],
    REFERRALS: ['status', 'outcome', 'need', 'providerKind'],
  };

  const rest = async (token: string, path: string) => {
    const res = await t.http.get(`/api/v1/statistics/${path}`).set('Authorization', `Bearer ${token}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const areaPath = (level: string, code: string) => `${level}/${encodeURIComponent(code)}`;

  /** Every cell a caller reads, by `measure|level:code|period|key` (key `total` or `dimension:category`). */
  const collect = async (token: string) => {
    const cells = new Map<string, Cell>();
    for (const [level, code] of AREAS)
      for (const period of PERIODS) {
        const f: Figures = await rest(token, `${areaPath(level, code)}?period=${period}`);
        for (const table of f.tables) {
          const at = (key: string) => `${table.measure}|${level}:${code}|${period}|${key}`;
          cells.set(at('total'), table.total);
          for (const b of table.breakdowns)
            for (const c of b.cells) cells.set(at(`${b.dimension}:${c.key}`), c);
        }
      }
    // Every municipality's total (the map endpoint): the municipalities outside the fixture are 0.
    const others = new Map<string, Cell>();
    for (const measure of Object.keys(PARTITIONS))
      for (const period of PERIODS) {
        const m = await rest(token, `REGION/9/municipalities?period=${period}&measure=${measure}`);
        for (const x of m.municipalities as Array<{ area: { code: string }; total: Cell }>) {
          if (FIXTURE_MUNICIPALITIES.includes(x.area.code))
            cells.set(`${measure}|MUNICIPALITY:${x.area.code}|${period}|total|map`, x.total);
          else others.set(`${measure}|${x.area.code}|${period}`, x.total);
        }
      }
    return { cells, others };
  };

  let seen: Awaited<ReturnType<typeof collect>>;
  let truth: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'privacy-admin');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'privacy-attica');
    atticaSpecial = await t.token(
      { roles: [Role.REGIONAL_OFFICER], region: '9', permissions: [Permission.SPECIAL_CATEGORY] },
      'privacy-attica-special',
    );
    await insertStatisticsFixture(t.db);
    await t.app.get(StatisticsService).refresh();
    seen = await collect(attica);
    truth = await collect(admin);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  const cell = (measure: string, area: string, period: string, key = 'total') =>
    seen.cells.get(`${measure}|${area}|${period}|${key}`)!;

  it('shows no count of 1 to 4, and every count it shows is the true one', () => {
    let shown = 0;
    for (const [key, c] of seen.cells) {
      const real = truth.cells.get(key)!;
      expect(real).toBeDefined();
      if (c.suppressed) {
        expect(c.count).toBeNull();
        continue;
      }
      shown++;
      expect(c.count).toBe(real.count);
      expect(c.count === 0 || c.count! >= 5).toBe(true);
    }
    for (const c of seen.others.values()) expect(c).toEqual({ key: 'total', count: 0, suppressed: false });
    expect(shown).toBeGreaterThan(0);
    const hidden = [...seen.cells.values()].filter((c) => c.suppressed).length;
    expect(hidden).toBeGreaterThan(0);
  });

  it('(a) a total minus its visible parts: a small part never stands alone', () => {
    // Spata has 4 children (0-17) of 10 people: with the total shown, a second band hides too
    expect(cell('PEOPLE', 'MUNICIPALITY:4912', 'ALL', 'ageBand:0-17').suppressed).toBe(true);
    for (const [measure, dims] of Object.entries(PARTITIONS))
      for (const [level, code] of AREAS)
        for (const period of PERIODS) {
          const total = cell(measure, `${level}:${code}`, period);
          for (const dim of dims) {
            const parts = [...seen.cells.entries()].filter(([k]) =>
              k.startsWith(`${measure}|${level}:${code}|${period}|${dim}:`),
            );
            const unknown = parts.filter(([, c]) => c.suppressed).length + (total.suppressed ? 1 : 0);
            expect(unknown).not.toBe(1);
          }
        }
  });

  it('(b) a region (or regional unit) minus its municipalities does not give a small municipality', () => {
    // Marathon has 3 people: its total is hidden, and so is at least one other municipality's
    expect(cell('PEOPLE', 'MUNICIPALITY:4906', 'ALL').suppressed).toBe(true);
    for (const area of ['REGION:9', 'REGIONAL_UNIT:0907', 'OLD_PREFECTURE:ΑΝΑΤ. ΑΤΤΙΚΗΣ'])
      for (const period of PERIODS) {
        const parent = cell('PEOPLE', area, period);
        const parts = FIXTURE_MUNICIPALITIES.map((m) => cell('PEOPLE', `MUNICIPALITY:${m}`, period));
        const unknown = parts.filter((c) => c.suppressed).length + (parent.suppressed ? 1 : 0);
        expect(unknown).not.toBe(1);
      }
  });

  it('(c) a year minus its months (or a quarter minus its months) does not give a small month', () => {
    // Spata registered 4 people in February 2024
    expect(cell('PEOPLE', 'MUNICIPALITY:4912', '2024-02').suppressed).toBe(true);
    for (const [level, code] of AREAS) {
      const area = `${level}:${code}`;
      const check = (parent: string, parts: string[]) => {
        const unknown =
          parts.filter((p) => cell('PEOPLE', area, p).suppressed).length +
          (cell('PEOPLE', area, parent).suppressed ? 1 : 0);
        expect(unknown).not.toBe(1);
      };
      check('2024', MONTHS);
      check('2024', QUARTERS);
      check('ALL', YEARS);
      for (let q = 0; q < 4; q++) check(QUARTERS[q]!, MONTHS.slice(3 * q, 3 * q + 3));
    }
  });

  it('no hidden count can be derived from every published figure at once (linear algebra over all relations)', () => {
    for (const [measure, dims] of Object.entries(PARTITIONS)) {
      const keysOf = new Set(
        [...seen.cells.keys()].filter((k) => k.startsWith(`${measure}|`)).map((k) => k.split('|')[3]!),
      );
      const keys = [...keysOf];
      const equations: Array<Array<[string, number]>> = [];
      const rel = (parent: string, children: string[]) =>
        equations.push([[parent, 1], ...children.map((c): [string, number] => [c, -1])]);
      const id = (area: string, period: string, key: string) => `${measure}|${area}|${period}|${key}`;
      const areas = AREAS.map(([l, c]) => `${l}:${c}`);
      for (const area of areas)
        for (const period of PERIODS)
          for (const dim of dims)
            rel(
              id(area, period, 'total'),
              keys.filter((k) => k.startsWith(`${dim}:`)).map((k) => id(area, period, k)),
            );
      for (const area of areas)
        for (const key of keys) {
          rel(
            id(area, 'ALL', key),
            YEARS.map((y) => id(area, y, key)),
          );
          rel(
            id(area, '2024', key),
            MONTHS.map((m) => id(area, m, key)),
          );
          rel(
            id(area, '2024', key),
            QUARTERS.map((q) => id(area, q, key)),
          );
          for (let q = 0; q < 4; q++)
            rel(
              id(area, QUARTERS[q]!, key),
              MONTHS.slice(3 * q, 3 * q + 3).map((m) => id(area, m, key)),
            );
        }
      // Every other municipality of Attica is 0 (checked above), so each larger area is the sum of these three.
      for (const area of ['REGION:9', 'REGIONAL_UNIT:0907', 'OLD_PREFECTURE:ΑΝΑΤ. ΑΤΤΙΚΗΣ'])
        for (const period of PERIODS)
          for (const key of keys)
            rel(
              id(area, period, key),
              FIXTURE_MUNICIPALITIES.map((m) => id(`MUNICIPALITY:${m}`, period, key)),
            );
      const derivable = derivableUnknowns(equations, (k) => seen.cells.get(k));
      expect({ measure, derivable }).toEqual({ measure, derivable: [] });
      if (measure !== 'PEOPLE') continue;
      // The same attack on a naive suppression (small cells hidden, no partners) finds them all.
      const naive = (k: string) => {
        const real = truth.cells.get(k);
        if (!real) return undefined;
        const small = real.count! > 0 && real.count! < 5;
        return { ...real, count: small ? null : real.count, suppressed: small };
      };
      const leaked = derivableUnknowns(equations, naive);
      expect(leaked).toEqual(expect.arrayContaining(['PEOPLE|MUNICIPALITY:4912|2024-02|total']));
    }
  });

  it('(d) the same figure is the same answer through every endpoint: GraphQL, REST, the map and a trend', async () => {
    for (const period of ['ALL', '2024', '2024-02']) {
      const graphql = (
        await t.gql(
          attica,
          `query($area: StatisticsAreaInput!, $period: String!) { statistics(area: $area, period: $period) { ${FIGURES} } }`,
          { area: { level: 'MUNICIPALITY', code: '4912' }, period },
        )
      ).body.data.statistics as Figures;
      const viaRest: Figures = await rest(attica, `MUNICIPALITY/4912?period=${period}`);
      expect(graphql).toEqual(viaRest);
      const map = (
        await t.gql(
          attica,
          `query($area: StatisticsAreaInput!, $period: String!) { municipalityStatistics(area: $area, period: $period, measure: PEOPLE) { municipalities { area { code } total { key count suppressed } } } }`,
          { area: { level: 'REGIONAL_UNIT', code: '0907' }, period },
        )
      ).body.data.municipalityStatistics.municipalities as Array<{ area: { code: string }; total: Cell }>;
      expect(map.find((m) => m.area.code === '4912')!.total).toEqual(
        viaRest.tables.find((x) => x.measure === 'PEOPLE')!.total,
      );
    }
    const year: Figures = await rest(attica, `MUNICIPALITY/4912?period=2024`);
    const trend = year.tables.find((x) => x.measure === 'PEOPLE')!.trend;
    for (const month of ['2024-01', '2024-02', '2024-03']) {
      const direct = cell('PEOPLE', 'MUNICIPALITY:4912', month);
      expect(trend.find((c) => c.key === month)).toEqual({ ...direct, key: month });
    }
  });

  it('Roma and disability counts: absent without the permission, suppressed by the same rule with it', async () => {
    const without: Figures = await rest(attica, 'MUNICIPALITY/4912');
    const groups = without.tables
      .find((x) => x.measure === 'PEOPLE')!
      .breakdowns.find((b) => b.dimension === 'group')!;
    expect(groups.cells.map((c) => c.key)).toEqual(['HOMELESS', 'DESTITUTE']);
    const withPermission: Figures = await rest(atticaSpecial, 'MUNICIPALITY/4912');
    const special = withPermission.tables
      .find((x) => x.measure === 'PEOPLE')!
      .breakdowns.find((b) => b.dimension === 'group')!;
    // one Roma woman in Spata: withheld, never 1
    expect(special.cells.find((c) => c.key === 'ROMA')).toEqual({
      key: 'ROMA',
      count: null,
      suppressed: true,
    });
    const enrolments = withPermission.tables.find((x) => x.measure === 'ENROLMENTS')!;
    expect(enrolments.breakdowns[0]!.cells.find((c) => c.key === 'STATS_ROMA')!.suppressed).toBe(true);
    // and the general figures are not the difference of the two: without the permission,
    // Spata's enrolment total counts no special-category enrolment at all (0, not 1 hidden)
    expect(without.tables.find((x) => x.measure === 'ENROLMENTS')!.total).toEqual({
      key: 'total',
      count: 0,
      suppressed: false,
    });
  });
});

/**
 * The hidden cells that a linear combination of the equations pins down exactly: Gauss-Jordan
 * elimination over the unknowns (shown cells move to the right-hand side); an unknown is
 * determined when a row of the reduced form holds it alone.
 */
function derivableUnknowns(
  equations: Array<Array<[string, number]>>,
  lookup: (key: string) => Cell | undefined,
): string[] {
  const unknowns = new Map<string, number>();
  const rows: Array<Map<number, number>> = [];
  for (const eq of equations) {
    if (eq.some(([k]) => lookup(k) === undefined)) continue;
    const row = new Map<number, number>();
    for (const [k, coefficient] of eq) {
      const c = lookup(k)!;
      if (!c.suppressed) continue;
      if (!unknowns.has(k)) unknowns.set(k, unknowns.size);
      const v = unknowns.get(k)!;
      row.set(v, (row.get(v) ?? 0) + coefficient);
    }
    if (row.size) rows.push(row);
  }
  const names = [...unknowns.keys()];
  let pivotRow = 0;
  for (let v = 0; v < names.length && pivotRow < rows.length; v++) {
    const r = rows.findIndex((row, i) => i >= pivotRow && Math.abs(row.get(v) ?? 0) > 1e-9);
    if (r < 0) continue;
    [rows[pivotRow], rows[r]] = [rows[r]!, rows[pivotRow]!];
    const pivot = rows[pivotRow]!;
    const p = pivot.get(v)!;
    for (const [k, x] of pivot) pivot.set(k, x / p);
    rows.forEach((row, i) => {
      const f = row.get(v);
      if (i === pivotRow || !f) return;
      for (const [k, x] of pivot) {
        const y = (row.get(k) ?? 0) - f * x;
        if (Math.abs(y) < 1e-9) row.delete(k);
        else row.set(k, y);
      }
    });
    pivotRow++;
  }
  return rows.filter((row) => row.size === 1).map((row) => names[[...row.keys()][0]!]!);
}
