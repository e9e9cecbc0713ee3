import { Permission, Role } from '../src/auth/roles.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import {
  counts,
  FIGURES,
  insertReferralTimesFixture,
  insertStatisticsFixture,
  type Figures,
} from './support/statistics-fixture.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Figures against the hand-computed fixture (test/support/statistics-fixture.ts), scope and freshness. */
describe('statistics (issue 14)', () => {
  let t: TestApp;
  let admin: string;
  let adminSpecial: string;
  let attica: string;
  let macedonia: string;
  let spata: string;
  let auditor: string;
  let importer: string;

  const figures = async (token: string, level: string, code: string, period = 'ALL') => {
    const body = (
      await t.gql(
        token,
        `query($area: StatisticsAreaInput!, $period: String!) { statistics(area: $area, period: $period) { ${FIGURES} } }`,
        { area: { level, code }, period },
      )
    ).body;
    return body as { data?: { statistics: Figures }; errors?: Array<{ extensions: { code: string } }> };
  };
  const ok = async (token: string, level: string, code: string, period = 'ALL') => {
    const body = await figures(token, level, code, period);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!.statistics;
  };
  const refresh = () => t.app.get(StatisticsService).refresh();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'stats-admin');
    adminSpecial = await t.token(
      { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
      'stats-admin-special',
    );
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'stats-attica');
    macedonia = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '2' }, 'stats-macedonia');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'stats-spata');
    auditor = await t.token({ roles: [Role.AUDITOR] }, 'stats-auditor');
    importer = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'stats-importer');
    await insertStatisticsFixture(t.db);
    await insertReferralTimesFixture(t.db);
    await refresh();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('figures (national: whole)', () => {
    it("counts a municipality's people by gender, age band and group, its households and enrolments", async () => {
      const f = await ok(admin, 'MUNICIPALITY', '4912');
      expect(f.smallCellsSuppressed).toBe(false);
      expect(f.area).toEqual({
        level: 'MUNICIPALITY',
        code: '4912',
        name: 'ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ',
        population: 34053,
      });
      expect(counts(f, 'PEOPLE')).toEqual({
        total: 10,
        gender: { FEMALE: 6, MALE: 4, OTHER: 0, UNKNOWN: 0 },
        ageBand: { '0-17': 4, '18-29': 0, '30-54': 6, '55-64': 0, '65+': 0 },
        // no special-category permission: no Roma or disability count at all
        group: { HOMELESS: 3, DESTITUTE: 0 },
      });
      expect(f.peoplePer1000Residents).toBe(0.29); // 10 / 34,053 x 1,000
      expect(counts(f, 'HOUSEHOLDS')).toEqual({
        total: 6,
        size: { '0': 1, '1': 1, '2': 3, '3': 1, '4': 0, '5': 0, '6+': 0 },
        composition: {
          EMPTY: 1,
          ONE_ADULT: 1,
          ONE_ADULT_WITH_CHILDREN: 1,
          ADULTS: 1,
          ADULTS_WITH_CHILDREN: 1,
          CHILDREN_ONLY: 1,
        },
      });
      // Spata's one enrolment is in a programme for Roma: not counted without the permission
      expect(counts(f, 'ENROLMENTS')).toEqual({
        total: 0,
        programme: { STATS_P1: 0 },
        status: { APPLIED: 0, ACTIVE: 0, SUSPENDED: 0, ENDED: 0 },
      });
      expect(counts(f, 'REFERRALS')).toMatchObject({ total: 0 });
    });

    it('sums municipalities into the regional unit, old prefecture, region and country', async () => {
      const attica28 = {
        total: 28,
        gender: { FEMALE: 17, MALE: 11, OTHER: 0, UNKNOWN: 0 },
        ageBand: { '0-17': 4, '18-29': 8, '30-54': 9, '55-64': 0, '65+': 7 },
        group: { HOMELESS: 3, DESTITUTE: 6 },
      };
      for (const [level, code] of [
        ['REGION', '9'],
        ['REGIONAL_UNIT', '0907'],
        ['OLD_PREFECTURE', 'ΑΝΑΤ. ΑΤΤΙΚΗΣ'],
      ])
        expect(counts(await ok(admin, level!, code!), 'PEOPLE')).toEqual(attica28);
      const country = await ok(admin, 'COUNTRY', 'EL');
      expect(counts(country, 'PEOPLE')).toMatchObject({
        total: 33,
        gender: { FEMALE: 20, MALE: 13 },
        ageBand: { '30-54': 14 },
      });
      expect(counts(await ok(admin, 'REGION', '9'), 'ENROLMENTS')).toEqual({
        total: 6,
        programme: { STATS_P1: 6 },
        status: { APPLIED: 2, ACTIVE: 4, SUSPENDED: 0, ENDED: 0 },
      });
    });

    it('gives fixed periods with their trend: the months of a year, the years of ALL', async () => {
      const year = await ok(admin, 'REGION', '9', '2024');
      const people = year.tables.find((x) => x.measure === 'PEOPLE')!;
      expect(people.total.count).toBe(28);
      expect(people.trend.map((c) => [c.key, c.count])).toEqual([
        ['2024-01', 13],
        ['2024-02', 7],
        ['2024-03', 8],
        ...['04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => [`2024-${m}`, 0]),
      ]);
      expect(counts(await ok(admin, 'REGION', '9', '2024-02'), 'PEOPLE')).toMatchObject({
        total: 7,
        gender: { FEMALE: 4, MALE: 3 },
      });
      expect(counts(await ok(admin, 'REGION', '9', '2024-Q1'), 'PEOPLE')).toMatchObject({ total: 28 });
      expect(counts(await ok(admin, 'REGION', '9', '2024-Q2'), 'PEOPLE')).toMatchObject({ total: 0 });
      const all = (await ok(admin, 'REGION', '9')).tables.find((x) => x.measure === 'PEOPLE')!;
      expect(all.trend[0]).toEqual({ key: '2024', count: 28, suppressed: false });
      expect(all.trend.slice(1).every((c) => c.count === 0)).toBe(true);
      // a year before any figure: zeros, not an error
      expect(counts(await ok(admin, 'REGION', '9', '2019'), 'PEOPLE')).toMatchObject({ total: 0 });
    });

    it('counts Roma and disability, and special-category enrolments, only with the special_category permission', async () => {
      const f = await ok(adminSpecial, 'MUNICIPALITY', '4912');
      expect(counts(f, 'PEOPLE')).toMatchObject({
        group: { DISABILITY: 0, ROMA: 1, HOMELESS: 3, DESTITUTE: 0 },
      });
      expect(counts(f, 'ENROLMENTS')).toMatchObject({ total: 1, programme: { STATS_ROMA: 1 } });
    });

    it('counts referral times to accept and to complete in bands of Athens days, like any other count', async () => {
      const bands = (c: Record<string, number>) => ({
        SAME_DAY: 0,
        '1-3': 0,
        '4-7': 0,
        '8-30': 0,
        '31+': 0,
        NONE: 0,
        ...c,
      });
      // the hand-computed table of insertReferralTimesFixture, without the special-category one
      const kropia = counts(await ok(admin, 'MUNICIPALITY', '4904', '2024-03'), 'REFERRALS');
      expect(kropia).toMatchObject({
        total: 7,
        acceptTime: bands({ SAME_DAY: 1, '1-3': 2, '4-7': 1, '31+': 1, NONE: 2 }),
        completeTime: bands({ '1-3': 1, '8-30': 1, '31+': 1, NONE: 4 }),
        status: { DRAFT: 1, ACCEPTED: 1, IN_PROGRESS: 1, COMPLETED: 3, REJECTED: 1 },
      });
      // counted in the month the referral was made, whenever it was accepted or completed
      expect(counts(await ok(admin, 'MUNICIPALITY', '4904', '2024-04'), 'REFERRALS')).toMatchObject({
        total: 0,
      });
      const special = counts(await ok(adminSpecial, 'MUNICIPALITY', '4904', '2024-03'), 'REFERRALS');
      expect(special).toMatchObject({
        total: 8,
        acceptTime: bands({ SAME_DAY: 2, '1-3': 2, '4-7': 1, '31+': 1, NONE: 2 }),
        completeTime: bands({ '1-3': 1, '8-30': 1, '31+': 1, NONE: 5 }),
      });
      // the same suppression as every count: a regional officer sees no band of 1 to 4
      const region = await ok(attica, 'MUNICIPALITY', '4904', '2024-03');
      const table = region.tables.find((x) => x.measure === 'REFERRALS')!;
      for (const b of table.breakdowns.filter((x) => x.dimension.endsWith('Time')))
        for (const c of b.cells) {
          expect(c.count === null || c.count === 0 || c.count >= 5).toBe(true);
          expect(c.suppressed).toBe(c.count === null);
        }
    });

    it('refuses a period that is not fixed and an area that does not exist', async () => {
      expect((await figures(admin, 'REGION', '9', '2024-03-01')).errors?.[0]?.extensions.code).toBe(
        'BAD_USER_INPUT',
      );
      expect((await figures(admin, 'REGION', '99')).errors?.[0]?.extensions.code).toBe('UNKNOWN_AREA');
      const rest = await t.http
        .get('/api/v1/statistics/REGION/9?period=last-week')
        .set('Authorization', `Bearer ${admin}`);
      expect(rest.status).toBe(400);
    });
  });

  describe('scope', () => {
    it('a regional officer sees its region and the areas in it, suppressed', async () => {
      const region = await ok(attica, 'REGION', '9');
      expect(region.smallCellsSuppressed).toBe(true);
      // every count shown is the true one; the rest is withheld (test/statistics-privacy.e2e-spec.ts)
      const whole = counts(await ok(admin, 'REGION', '9'), 'PEOPLE');
      const shown = counts(region, 'PEOPLE');
      expect(shown.total === null || shown.total === 28).toBe(true);
      for (const [dimension, cells] of Object.entries(shown))
        if (typeof cells === 'object' && cells)
          for (const [key, count] of Object.entries(cells))
            if (count !== null) expect(count).toBe((whole[dimension] as Record<string, number>)[key]);
      expect((await ok(attica, 'MUNICIPALITY', '4904')).area.code).toBe('4904');
      expect((await ok(attica, 'OLD_PREFECTURE', 'ΑΝΑΤ. ΑΤΤΙΚΗΣ')).area.level).toBe('OLD_PREFECTURE');
    });

    it("a regional officer asking for another region's area, or the country, is refused with OUTSIDE_YOUR_AREA", async () => {
      for (const [level, code] of [
        ['REGION', '2'],
        ['MUNICIPALITY', '0802'],
        ['REGIONAL_UNIT', '0201'],
        ['COUNTRY', 'EL'],
      ]) {
        const body = await figures(attica, level!, code!);
        expect(body.errors?.[0]?.extensions.code).toBe('OUTSIDE_YOUR_AREA');
      }
      expect((await figures(macedonia, 'MUNICIPALITY', '4912')).errors?.[0]?.extensions.code).toBe(
        'OUTSIDE_YOUR_AREA',
      );
      const rest = await t.http.get('/api/v1/statistics/REGION/2').set('Authorization', `Bearer ${attica}`);
      expect(rest.status).toBe(403);
      expect(rest.body.code).toBe('OUTSIDE_YOUR_AREA');
      const [denied] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_event WHERE action = 'statistics.read' AND outcome = 'denied'`,
      );
      expect(denied!.n).toBeGreaterThan(0);
    });

    it('centre staff see their own municipality only, suppressed; not its region nor a neighbour', async () => {
      const own = await ok(spata, 'MUNICIPALITY', '4912');
      expect(own.smallCellsSuppressed).toBe(true);
      const total = own.tables.find((x) => x.measure === 'PEOPLE')!.total;
      expect(total.suppressed ? total.count : 10).toBe(total.count);
      for (const [level, code] of [
        ['MUNICIPALITY', '4904'],
        ['REGIONAL_UNIT', '0907'],
        ['REGION', '9'],
      ])
        expect((await figures(spata, level!, code!)).errors?.[0]?.extensions.code).toBe('OUTSIDE_YOUR_AREA');
    });

    it('an auditor and an import operator, without statistics:read, are refused', async () => {
      for (const token of [auditor, importer])
        expect((await figures(token, 'MUNICIPALITY', '4912')).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    });
  });

  describe('freshness', () => {
    it('a new person appears once the refresh job has run, and asOf moves', async () => {
      const before = await ok(admin, 'MUNICIPALITY', '0802');
      expect(counts(before, 'PEOPLE')).toMatchObject({ total: 5 });
      await t.db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key)
         VALUES ('0802', 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', '1985-01-01', 'OTHER', 'nea engrafi', 'nea engrafi')`,
      );
      // not yet: requests read the views, never the people
      expect(counts(await ok(admin, 'MUNICIPALITY', '0802'), 'PEOPLE')).toMatchObject({ total: 5 });
      const results = await refresh();
      expect(results.map((r) => r.view)).toEqual([
        'stats_people',
        'stats_households',
        'stats_enrolments',
        'stats_referrals',
      ]);
      const after = await ok(admin, 'MUNICIPALITY', '0802');
      expect(counts(after, 'PEOPLE')).toMatchObject({ total: 6, gender: { OTHER: 1 } });
      expect(new Date(after.asOf).getTime()).toBeGreaterThan(new Date(before.asOf).getTime());
      const people = after.tables.find((x) => x.measure === 'PEOPLE')!;
      expect(new Date(people.asOf).getTime()).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('REST', () => {
    it('answers the same figures as GraphQL, documented in OpenAPI', async () => {
      const rest = await t.http
        .get('/api/v1/statistics/REGION/9?period=2024')
        .set('Authorization', `Bearer ${attica}`);
      expect(rest.status).toBe(200);
      const graphql = await ok(attica, 'REGION', '9', '2024');
      expect(rest.body).toEqual(graphql);
      const doc = await t.http.get('/api/openapi.json');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/statistics/{level}/{code}',
          '/api/v1/statistics/{level}/{code}/municipalities',
        ]),
      );
    });

    it('gives a measure per municipality of an area, for maps', async () => {
      const res = await t.http
        .get('/api/v1/statistics/REGIONAL_UNIT/0907/municipalities?measure=PEOPLE')
        .set('Authorization', `Bearer ${admin}`);
      expect(res.status).toBe(200);
      const byCode = Object.fromEntries(
        res.body.municipalities.map((m: { area: { code: string }; total: { count: number } }) => [
          m.area.code,
          m.total.count,
        ]),
      );
      expect(byCode).toMatchObject({ '4912': 10, '4904': 15, '4906': 3, '4901': 0 });
    });
  });
});
