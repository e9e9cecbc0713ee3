import pg from 'pg';
import { seedDemoData } from '../src/demo/seed-demo.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** The demo seeder reproduces the seed documents' facts and can run at every start-up. */
describe('demo data of the provider and programme registries', () => {
  let db: TestDatabase;
  let client: pg.Client;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.url, (m) => logs.push(m));
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const one = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0];

  it('is idempotent: a second run adds nothing', async () => {
    const before =
      await one(`SELECT (SELECT count(*) FROM provider)::int AS p, (SELECT count(*) FROM programme)::int AS g,
      (SELECT count(*) FROM programme_parameter)::int AS pp, (SELECT count(*) FROM opening_hours)::int AS h`);
    expect(before.p).toBeGreaterThanOrEqual(13);
    const second: string[] = [];
    await seedDemoData(db.url, (m) => second.push(m));
    // Other registries' seeders log after this one; find its own line.
    expect(second.find((m) => m.includes('providers'))).toMatch(/0 providers and 0 programmes added/);
    const after =
      await one(`SELECT (SELECT count(*) FROM provider)::int AS p, (SELECT count(*) FROM programme)::int AS g,
      (SELECT count(*) FROM programme_parameter)::int AS pp, (SELECT count(*) FROM opening_hours)::int AS h`);
    expect(after).toEqual(before);
  });

  it('has the Roma branch of Spata–Artemida under its centre, also serving Kropia', async () => {
    const branch = await one(
      `SELECT b.kind_code, c.name AS centre, array_agg(a.municipality_code) AS area FROM provider b
         JOIN provider c ON c.id = b.parent_id JOIN provider_service_area a ON a.provider_id = b.id
        WHERE b.municipality_code = '4912' AND b.kind_code = 'CENTRE_BRANCH_ROMA' GROUP BY b.kind_code, c.name`,
    );
    expect(branch).toEqual({
      kind_code: 'CENTRE_BRANCH_ROMA',
      centre: 'Διευρυμένο Κέντρο Κοινότητας Δήμου Σπάτων - Αρτέμιδος',
      area: ['4904'],
    });
  });

  it('has the published hours: Spata 08:00–16:00, Paiania 09:00–17:00, Alexandreia 09:00–21:00 in two shifts', async () => {
    const hours = async (municipality: string) =>
      (
        await client.query(
          `SELECT DISTINCT to_char(h.opens_at, 'HH24:MI') || '-' || to_char(h.closes_at, 'HH24:MI') AS i
             FROM opening_hours h JOIN provider_location l ON l.id = h.location_id JOIN provider p ON p.id = l.provider_id
            WHERE p.municipality_code = $1 AND p.kind_code = 'COMMUNITY_CENTRE' ORDER BY 1`,
          [municipality],
        )
      ).rows.map((r) => r.i);
    expect(await hours('4912')).toEqual(['08:00-16:00']);
    expect(await hours('4908')).toEqual(['09:00-17:00']);
    expect(await hours('0802')).toEqual(['09:00-15:00', '15:00-21:00']);
    const step = await one(
      `SELECT l.accessibility FROM provider_location l JOIN provider p ON p.id = l.provider_id WHERE p.municipality_code = '1405'`,
    );
    expect(step.accessibility).toEqual(['STEP_FREE_ACCESS']);
  });

  it('has the funding of the centres: budgets in exact euro, operational programmes, regions that maintain them', async () => {
    const { rows } = await client.query(
      `SELECT code, budget::text AS budget, operational_programme, owner_region_code FROM programme
        WHERE code IN ('KK-ASPROPYRGOS-ROMA', 'KK-ALEXANDREIA-ROMA', 'KK-SERVIA-VELVENTOS') ORDER BY code`,
    );
    expect(rows).toEqual([
      {
        code: 'KK-ALEXANDREIA-ROMA',
        budget: '371520.00',
        operational_programme: 'Κεντρική Μακεδονία',
        owner_region_code: '2',
      },
      {
        code: 'KK-ASPROPYRGOS-ROMA',
        budget: '317307.17',
        operational_programme: 'Αττική 2014-2020',
        owner_region_code: '9',
      },
      {
        code: 'KK-SERVIA-VELVENTOS',
        budget: null,
        operational_programme: 'Δυτική Μακεδονία 2014-2020',
        owner_region_code: '3',
      },
    ]);
  });

  it('has the national programmes with amounts as dated parameters (ΕΕΕ 200/100/50, then 216/108/54 from 12/2023)', async () => {
    const value = async (code: string, name: string, on: string) =>
      (
        await one(
          `SELECT pp.value::text AS v FROM programme_parameter pp JOIN programme g ON g.id = pp.programme_id
            WHERE g.code = $1 AND pp.name = $2 AND pp.valid_from <= $3::date AND (pp.valid_to IS NULL OR pp.valid_to >= $3::date)`,
          [code, name, on],
        )
      )?.v;
    expect(await value('GMI', 'guaranteed_amount_single', '2023-11-30')).toBe('200.00');
    expect(await value('GMI', 'guaranteed_amount_single', '2023-12-01')).toBe('216.00');
    expect(await value('GMI', 'guaranteed_amount_extra_adult', '2024-06-01')).toBe('108.00');
    expect(await value('GMI', 'guaranteed_amount_per_minor', '2022-06-01')).toBe('50.00');
    expect(await value('HOUSING-BENEFIT', 'max_amount', '2024-06-01')).toBe('210.00');
    expect(await value('CHILD-BENEFIT', 'equivalised_income_band_2', '2024-06-01')).toBe('10000.00');
    expect(await value('UNINSURED-ELDERLY', 'min_age', '2024-06-01')).toBe('67.00');
    const national = await one(`SELECT count(*)::int AS n FROM programme WHERE national`);
    expect(national.n).toBe(7);
  });
});
