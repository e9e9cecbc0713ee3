import { Permission, Role } from '../src/auth/roles.js';
import { LikelyEligibleService } from '../src/statistics/likely-eligible.service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * "Likely eligible, not enrolled" per municipality x programme (issue 14), computed by its step
 * against a hand-computed fixture, evaluated as of 2026-06-01:
 *
 * | municipality | people (ACTIVE)               | facts                              | enrolments                          |
 * | 4912 Spata   | 3 born 1950, 2 born 1995      |                                    | one 1950: LE_AGE ACTIVE; one: ENDED |
 * | 0802 Alex.   | 2 born 1955, 1 born 2005      | 2005: unemployed; one 1955: not    |                                     |
 * | 4912         | 1 born 1950, MERGED; 1 CLOSED | (not counted: only ACTIVE people)  |                                     |
 *
 * Programmes: LE_AGE national, age >= 60; LE_UNEMPLOYED covering 0802 only, unemployed (a missing
 * fact: CANNOT_TELL); LE_ROMA national, targets ROMA (special category), everyone; LE_CLOSED
 * (status CLOSED) and LE_NO_RULE (no rule) are not counted.
 */
describe('likely eligible, not enrolled (issue 14)', () => {
  let t: TestApp;
  const AS_OF = '2026-06-01';

  const people = async (municipality: string, born: string, count: number, status = 'ACTIVE') =>
    (
      await t.db.query<{ id: string }>(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, status, name_key, phonetic_key)
         SELECT $1, 'Δικαιούχος', 'Δοκιμή', 'Dikaiouchos', 'Dokimi', $2::date, 'FEMALE', $3, 'dikaiouchos dokimi',
                'dikaiouchos dokimi'
           FROM generate_series(1, $4::int) RETURNING id`,
        [municipality, born, status, count],
      )
    ).map((r) => r.id);
  const rule = (test: unknown) => ({ criteria: [{ id: 'c', el: 'κριτήριο', en: 'criterion', test }] });
  const programme = async (
    code: string,
    eligibilityRule: unknown,
    options: { national?: boolean; status?: string; targetGroups?: string[] } = {},
  ) =>
    (
      await t.db.query<{ id: string }>(
        `INSERT INTO programme (code, title, search_key, kind, administering_body, funding_source, target_groups,
                                eligibility_rule, national, status, created_by, updated_by)
         VALUES ($1, $1, lower($1), 'SERVICE', 'test', 'NATIONAL_BUDGET', $2, $3, $4, $5, 'test', 'test') RETURNING id`,
        [
          code,
          options.targetGroups ?? [],
          eligibilityRule === null ? null : JSON.stringify(eligibilityRule),
          options.national ?? true,
          options.status ?? 'ACTIVE',
        ],
      )
    )[0]!.id;
  const counts = async () =>
    Object.fromEntries(
      (
        await t.db.query<{
          key: string;
          special: boolean;
          evaluated: number;
          eligible: number;
          eligible_not_enrolled: number;
          cannot_tell: number;
        }>(
          `SELECT programme_code || '@' || municipality_code AS key, special, evaluated, eligible, eligible_not_enrolled,
                  cannot_tell
             FROM stats_likely_eligible WHERE programme_code LIKE 'LE\\_%'`,
        )
      ).map((r) => [r.key, [r.evaluated, r.eligible, r.eligible_not_enrolled, r.cannot_tell, r.special]]),
    );

  beforeAll(async () => {
    t = await startTestApp();
    const spataOld = await people('4912', '1950-01-01', 3);
    await people('4912', '1995-01-01', 2);
    await people('4912', '1950-01-01', 1, 'CLOSED');
    const [merged] = await people('4912', '1950-01-01', 1);
    await t.db.query(`UPDATE person SET status = 'MERGED', merged_into = $2 WHERE id = $1`, [
      merged,
      spataOld[0],
    ]);
    const alexOld = await people('0802', '1955-01-01', 2);
    const [alexYoung] = await people('0802', '2005-01-01', 1);
    const fact = (id: string, value: boolean) =>
      t.db.query(
        `INSERT INTO person_fact (person_id, kind, basis, source, as_of, value_boolean, recorded_by)
         VALUES ($1, 'unemployed', 'DOCUMENT', 'staff-1', '2026-01-01', $2, 'staff-1')`,
        [id, value],
      );
    await fact(alexYoung!, true);
    await fact(alexOld[0]!, false);

    const age = await programme('LE_AGE', rule({ '>=': [{ var: 'age' }, 60] }));
    const unemployed = await programme('LE_UNEMPLOYED', rule({ '==': [{ var: 'unemployed' }, true] }), {
      national: false,
    });
    await t.db.query(
      `INSERT INTO programme_coverage (programme_id, area_level, area_code) VALUES ($1, 'MUNICIPALITY', '0802')`,
      [unemployed],
    );
    await programme('LE_ROMA', rule({ '>=': [{ var: 'age' }, 0] }), { targetGroups: ['ROMA'] });
    await programme('LE_CLOSED', rule({ '>=': [{ var: 'age' }, 0] }), { status: 'CLOSED' });
    await programme('LE_NO_RULE', null);
    const enrol = (personId: string, status: string) =>
      t.db.query(
        `INSERT INTO enrolment (person_id, programme_id, status, applied_on, started_on, ended_on, source, created_by, updated_by)
         VALUES ($1, $2, $3, '2026-01-10', '2026-01-10', CASE WHEN $3 = 'ENDED' THEN '2026-03-01'::date END,
                 'CENTRE', 'test', 'test')`,
        [personId, age, status],
      );
    await enrol(spataOld[0]!, 'ACTIVE');
    await enrol(spataOld[1]!, 'ENDED');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('counts per municipality x programme the people evaluated, eligible, eligible and not enrolled, and undecided', async () => {
    const run = await t.app.get(LikelyEligibleService).refresh(AS_OF);
    expect(run).toMatchObject({ refreshed: true, asOf: AS_OF, people: 8 });
    //                       evaluated eligible not-enrolled cannot-tell special
    expect(await counts()).toEqual({
      'LE_AGE@4912': [5, 3, 2, 0, false],
      'LE_AGE@0802': [3, 2, 2, 0, false],
      'LE_UNEMPLOYED@0802': [3, 1, 1, 1, false],
      'LE_ROMA@4912': [5, 5, 5, 0, true],
      'LE_ROMA@0802': [3, 3, 3, 0, true],
    });
    const [recorded] = await t.db.query<{ refreshed_at: Date }>(
      `SELECT refreshed_at FROM statistics_refresh WHERE view_name = 'stats_likely_eligible'`,
    );
    expect(recorded!.refreshed_at).toBeInstanceOf(Date);
    const [audit] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'statistics.likely_eligible' AND purpose = 'STATISTICS'`,
    );
    expect(audit!.n).toBe(1);
  });

  it('replaces the previous run: an enrolment made since counts at the next', async () => {
    const [person] = await t.db.query<{ id: string }>(
      `SELECT p.id FROM person p WHERE p.municipality_code = '0802' AND p.birth_date = '1955-01-01' LIMIT 1`,
    );
    await t.db.query(
      `INSERT INTO enrolment (person_id, programme_id, status, applied_on, source, created_by, updated_by)
       SELECT $1, id, 'APPLIED', '2026-05-01', 'CENTRE', 'test', 'test' FROM programme WHERE code = 'LE_AGE'`,
      [person!.id],
    );
    await t.app.get(LikelyEligibleService).refresh(AS_OF);
    const after = await counts();
    expect(after['LE_AGE@0802']).toEqual([3, 2, 1, 0, false]);
    expect(Object.keys(after)).toHaveLength(5);
  });

  describe('figures of an area', () => {
    interface Cell {
      count: number | null;
      suppressed: boolean;
    }
    interface Row {
      area: { level: string; code: string };
      programmeCode: string;
      evaluated: Cell;
      eligible: Cell;
      eligibleNotEnrolled: Cell;
      cannotTell: Cell;
    }
    const report = async (token: string, level: string, code: string) =>
      (
        await t.gql(
          token,
          `query($a: StatisticsAreaInput!) { likelyEligibleStatistics(area: $a) { asOf evaluatedOn smallCellsSuppressed
             rows { area { level code } programmeCode evaluated { count suppressed } eligible { count suppressed }
                    eligibleNotEnrolled { count suppressed } cannotTell { count suppressed } } } }`,
          { a: { level, code } },
        )
      ).body as {
        data?: {
          likelyEligibleStatistics: { evaluatedOn: string; smallCellsSuppressed: boolean; rows: Row[] };
        };
        errors?: Array<{ extensions: { code: string } }>;
      };
    const mine = (rows: Row[]) =>
      Object.fromEntries(
        rows
          .filter((r) => r.programmeCode.startsWith('LE_'))
          .map((r) => [
            `${r.programmeCode}@${r.area.code}`,
            [r.evaluated, r.eligible, r.eligibleNotEnrolled, r.cannotTell].map((c) => c.count),
          ]),
      );
    let national: string;
    let nationalSpecial: string;
    let attica: string;
    let alexandreia: string;

    beforeAll(async () => {
      national = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'le-admin');
      nationalSpecial = await t.token(
        { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
        'le-admin-special',
      );
      attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'le-attica');
      alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'le-alexandreia');
      await t.app.get(LikelyEligibleService).refresh(AS_OF);
    });

    it('lists each programme per municipality of the area, then the area; special programmes with the permission', async () => {
      const whole = (await report(nationalSpecial, 'REGION', '9')).data!.likelyEligibleStatistics;
      expect(whole.evaluatedOn).toBe(AS_OF);
      expect(mine(whole.rows)).toEqual({
        'LE_AGE@4912': [5, 3, 2, 0],
        'LE_ROMA@4912': [5, 5, 5, 0],
        'LE_AGE@9': [5, 3, 2, 0],
        'LE_ROMA@9': [5, 5, 5, 0],
      });
      const plain = (await report(national, 'REGION', '9')).data!.likelyEligibleStatistics;
      expect(Object.keys(mine(plain.rows))).toEqual(['LE_AGE@4912', 'LE_AGE@9']);
    });

    it('a region sees its region, suppressed; another region is refused', async () => {
      const shown = (await report(attica, 'REGION', '9')).data!.likelyEligibleStatistics;
      expect(shown.smallCellsSuppressed).toBe(true);
      const truth = (await report(national, 'REGION', '9')).data!.likelyEligibleStatistics.rows;
      expect(shown.rows.map((r) => `${r.programmeCode}@${r.area.code}`)).toEqual(
        truth.map((r) => `${r.programmeCode}@${r.area.code}`),
      );
      shown.rows.forEach((row, i) => {
        const cells = [row.evaluated, row.eligible, row.eligibleNotEnrolled, row.cannotTell];
        const real = [
          truth[i]!.evaluated,
          truth[i]!.eligible,
          truth[i]!.eligibleNotEnrolled,
          truth[i]!.cannotTell,
        ];
        cells.forEach((c, k) => {
          if (!c.suppressed) expect(c.count).toBe(real[k]!.count);
          if (real[k]!.count! > 0 && real[k]!.count! < 5) expect(c.suppressed).toBe(true);
        });
      });
      const age = shown.rows.find((r) => r.programmeCode === 'LE_AGE' && r.area.code === '4912')!;
      // 3 eligible, 2 of them not enrolled: both small, both hidden
      expect([age.eligible.suppressed, age.eligibleNotEnrolled.suppressed]).toEqual([true, true]);
      expect((await report(attica, 'MUNICIPALITY', '0802')).errors?.[0]?.extensions.code).toBe(
        'OUTSIDE_YOUR_AREA',
      );
      const rest = await t.http
        .get('/api/v1/statistics/REGION/2/likely-eligible')
        .set('Authorization', `Bearer ${attica}`);
      expect(rest.status).toBe(403);
    });

    it('a centre sees its own municipality only', async () => {
      const own = (await report(alexandreia, 'MUNICIPALITY', '0802')).data!.likelyEligibleStatistics;
      expect(own.rows.every((r) => r.area.code === '0802')).toBe(true);
      expect(own.rows.map((r) => r.programmeCode)).toContain('LE_UNEMPLOYED');
      expect((await report(alexandreia, 'MUNICIPALITY', '4912')).errors?.[0]?.extensions.code).toBe(
        'OUTSIDE_YOUR_AREA',
      );
    });
  });
});
