import { parse } from 'csv-parse/sync';
import { Permission, Role } from '../src/auth/roles.js';
import { EsfIndicatorsService } from '../src/statistics/esf-indicators.service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * ESF+ participant indicators (issue 14) against a hand-computed fixture, entered and left in 2024.
 *
 * 0802 Alexandreia (region 2), every person's answers recorded with a fixed entered_on:
 * | group | people     | born       | entered    | citizenship | employment   | ISCED | foreign | minority | disability | homeless | rural |
 * | a     | 6 FEMALE   | 1990-06-01 | 2024-02-10 | GR          | LONG_TERM    | 0-2   | NO      | YES      | NO         | NO       | YES   |
 * | b     | 5 MALE     | 1990-06-01 | 2024-02-10 | AL          | UNEMPLOYED   | 3-4   | YES     | NO       | NO         | NO       | NO    |
 * | c     | 2 FEMALE   | 2008-01-01 | 2024-03-05 | (none)      | INACTIVE     | 0-2   | PNA     | PNA      | YES        | YES      | PNA   |
 * | d     | 1 OTHER    | 1960-01-01 | 2024-04-02 | GR          | EMPLOYED     | 5-8   | NO      | NO       | PNA        | NO       | NO    |
 * | e     | 3 MALE     | 2000-01-01 | 2024-05-20 | DE          | PNA          | PNA   | NO      | NO       | NO         | NO       | NO    |
 * plus one merged-away person (not counted). Leaving, recorded through setEsfLeaving:
 * a0, a1 on 2024-06-30 in employment (a0 with a qualification); a2, a3 on 2024-06-30 job searching
 * (a3 prefers not to say about a qualification); b (all 5) on 2024-07-15 in employment, with a
 * qualification. 4912 Spata (region 9): 7 FEMALE born 1985, GR, entered 2024-01-15, unemployed.
 */
describe('ESF+ participant indicators (issue 14)', () => {
  let t: TestApp;
  let admin: string;
  let adminSpecial: string;
  let macedonia: string;
  let attica: string;
  let alexandreia: string;
  let spata: string;
  const ids: Record<string, string[]> = {};

  interface Count {
    count: number | null;
    suppressed: boolean;
  }
  interface Row {
    period: string;
    centre: { level: string; code: string };
    code: string;
    kind: string;
    total: Count;
    women: Count;
    men: Count;
    nonBinary: Count;
    genderNotRecorded: Count;
  }
  interface Report {
    asOf: string;
    smallCellsSuppressed: boolean;
    specialCategoryIncluded: boolean;
    rows: Row[];
  }
  const REPORT = `asOf smallCellsSuppressed specialCategoryIncluded
    rows { period centre { level code } code kind total { count suppressed } women { count suppressed }
           men { count suppressed } nonBinary { count suppressed } genderNotRecorded { count suppressed } }`;
  const report = async (token: string, level: string, code: string, period = 'ALL') =>
    (
      await t.gql(
        token,
        `query($a: StatisticsAreaInput!, $p: String!) { esfIndicators(area: $a, period: $p) { ${REPORT} } }`,
        { a: { level, code }, p: period },
      )
    ).body as { data?: { esfIndicators: Report }; errors?: Array<{ extensions: { code: string } }> };
  const ok = async (token: string, level: string, code: string, period = 'ALL') => {
    const body = await report(token, level, code, period);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!.esfIndicators;
  };
  /** `{ EECO02: [total, women, men, nonBinary, notRecorded], ... }` of one centre. */
  const table = (r: Report, centre: string) =>
    Object.fromEntries(
      r.rows
        .filter((x) => x.centre.code === centre)
        .map((x) => [
          x.code,
          [x.total, x.women, x.men, x.nonBinary, x.genderNotRecorded].map((c) => c.count),
        ]),
    );

  const people = async (
    key: string,
    municipality: string,
    gender: string,
    count: number,
    born: string,
    citizenship: string | null,
  ) => {
    ids[key] = (
      await t.db.query<{ id: string }>(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, citizenship, name_key, phonetic_key)
         SELECT $1, 'Συμμετέχων', 'Δοκιμή', 'Symmetechon', 'Dokimi', $2::date, $3, $4, 'symmetechon dokimi',
                'symmetechon dokimi'
           FROM generate_series(1, $5::int) RETURNING id`,
        [municipality, born, gender, citizenship, count],
      )
    ).map((r) => r.id);
  };
  const answers = (key: string, enteredOn: string, a: string[]) =>
    t.db.query(
      `INSERT INTO esf_participant (person_id, employment_status, education_level, migrant_or_foreign_background,
         minority, disability, homeless_or_housing_exclusion, rural_area, recorded_by, entered_on)
       SELECT unnest($1::uuid[]), $2, $3, $4, $5, $6, $7, $8, 'test', $9::date`,
      [ids[key], ...a, enteredOn],
    );
  const leave = (token: string, personId: string, leftOn: string, results: Record<string, string>) =>
    t.gql(
      token,
      `mutation($i: EsfLeavingInput!) { setEsfLeaving(input: $i) { enteredOn leftOn jobSearching inEmployment } }`,
      { i: { personId, leftOn, ...results } },
      { 'X-Purpose': 'CASE_MANAGEMENT' },
    );
  const refresh = () => t.app.get(EsfIndicatorsService).refresh();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'esf-admin');
    adminSpecial = await t.token(
      { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
      'esf-admin-special',
    );
    macedonia = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '2' }, 'esf-macedonia');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'esf-attica');
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'esf-alexandreia');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'esf-spata');

    await people('a', '0802', 'FEMALE', 6, '1990-06-01', 'GR');
    await answers('a', '2024-02-10', ['LONG_TERM_UNEMPLOYED', 'ISCED_0_2', 'NO', 'YES', 'NO', 'NO', 'YES']);
    await people('b', '0802', 'MALE', 5, '1990-06-01', 'AL');
    await answers('b', '2024-02-10', ['UNEMPLOYED', 'ISCED_3_4', 'YES', 'NO', 'NO', 'NO', 'NO']);
    await people('c', '0802', 'FEMALE', 2, '2008-01-01', null);
    const pna = 'PREFER_NOT_TO_ANSWER';
    await answers('c', '2024-03-05', ['INACTIVE', 'ISCED_0_2', pna, pna, 'YES', 'YES', pna]);
    await people('d', '0802', 'OTHER', 1, '1960-01-01', 'GR');
    await answers('d', '2024-04-02', ['EMPLOYED', 'ISCED_5_8', 'NO', 'NO', pna, 'NO', 'NO']);
    await people('e', '0802', 'MALE', 3, '2000-01-01', 'DE');
    await answers('e', '2024-05-20', [pna, pna, 'NO', 'NO', 'NO', 'NO', 'NO']);
    await people('merged', '0802', 'FEMALE', 1, '1990-06-01', 'GR');
    await answers('merged', '2024-02-10', ['UNEMPLOYED', 'ISCED_3_4', 'NO', 'NO', 'NO', 'NO', 'NO']);
    await t.db.query(`UPDATE person SET status = 'MERGED', merged_into = $2 WHERE id = $1`, [
      ids.merged![0],
      ids.a![0],
    ]);
    await people('spata', '4912', 'FEMALE', 7, '1985-01-01', 'GR');
    await answers('spata', '2024-01-15', ['UNEMPLOYED', 'ISCED_3_4', 'NO', 'NO', 'NO', 'NO', 'NO']);

    const a = ids.a!;
    const results = (job: string, edu: string, qual: string, emp: string) => ({
      jobSearching: job,
      inEducationOrTraining: edu,
      gainedQualification: qual,
      inEmployment: emp,
    });
    const left = [
      await leave(alexandreia, a[0]!, '2024-06-30', results('NO', 'NO', 'YES', 'YES')),
      await leave(alexandreia, a[1]!, '2024-06-30', results('NO', 'NO', 'NO', 'YES')),
      await leave(alexandreia, a[2]!, '2024-06-30', results('YES', 'NO', 'NO', 'NO')),
      await leave(alexandreia, a[3]!, '2024-06-30', results('YES', 'NO', pna, 'NO')),
    ];
    for (const b of ids.b!)
      left.push(await leave(alexandreia, b, '2024-07-15', results('NO', 'NO', 'YES', 'YES')));
    for (const r of left) expect(r.body.errors).toBeUndefined();
    await refresh();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('counts a centre’s entries and leavers of 2024 by indicator and gender, as computed by hand', async () => {
    const r = await ok(adminSpecial, 'MUNICIPALITY', '0802', '2024');
    expect(r.smallCellsSuppressed).toBe(false);
    expect(r.specialCategoryIncluded).toBe(true);
    expect(r.rows.every((x) => x.period === '2024' && x.centre.code === '0802')).toBe(true);
    //                 total  women men  non-binary  not recorded
    expect(table(r, '0802')).toEqual({
      EECO01: [17, 8, 8, 1, 0],
      EECO02: [11, 6, 5, 0, 0],
      EECO03: [6, 6, 0, 0, 0],
      EECO04: [2, 2, 0, 0, 0],
      EECO05: [1, 0, 0, 1, 0],
      EECO06: [2, 2, 0, 0, 0],
      EECO07: [3, 0, 3, 0, 0],
      EECO08: [1, 0, 0, 1, 0],
      EECO09: [8, 8, 0, 0, 0],
      EECO10: [5, 0, 5, 0, 0],
      EECO11: [1, 0, 0, 1, 0],
      EECO12: [2, 2, 0, 0, 0],
      EECO13: [5, 0, 5, 0, 0],
      EECO14: [5, 0, 5, 0, 0],
      EECO15: [6, 6, 0, 0, 0],
      EECO16: [2, 2, 0, 0, 0],
      EECO17: [6, 6, 0, 0, 0],
      LEAVERS: [9, 4, 5, 0, 0],
      EECR01: [2, 2, 0, 0, 0],
      EECR02: [0, 0, 0, 0, 0],
      EECR03: [6, 1, 5, 0, 0],
      EECR04: [7, 2, 5, 0, 0],
      'PNA-EMPLOYMENT': [3, 0, 3, 0, 0],
      'PNA-EDUCATION': [3, 0, 3, 0, 0],
      'PNA-DISABILITY': [1, 0, 0, 1, 0],
      'UNK-CITIZENSHIP': [2, 2, 0, 0, 0],
      'PNA-FOREIGN-BACKGROUND': [2, 2, 0, 0, 0],
      'PNA-MINORITY': [2, 2, 0, 0, 0],
      'PNA-HOMELESS': [0, 0, 0, 0, 0],
      'PNA-RURAL': [2, 2, 0, 0, 0],
      'PNA-JOB-SEARCHING': [0, 0, 0, 0, 0],
      'PNA-EDUCATION-OR-TRAINING': [0, 0, 0, 0, 0],
      'PNA-QUALIFICATION': [1, 1, 0, 0, 0],
      'PNA-EMPLOYMENT-ON-LEAVING': [0, 0, 0, 0, 0],
    });
  });

  it('counts entries in the period of entry and leavers in the period they left', async () => {
    const q1 = table(await ok(admin, 'MUNICIPALITY', '0802', '2024-Q1'), '0802');
    expect(q1.EECO01).toEqual([13, 8, 5, 0, 0]);
    expect(q1.LEAVERS).toEqual([0, 0, 0, 0, 0]);
    const q2 = table(await ok(admin, 'MUNICIPALITY', '0802', '2024-Q2'), '0802');
    expect(q2.EECO01).toEqual([4, 0, 3, 1, 0]);
    expect(q2.LEAVERS).toEqual([4, 4, 0, 0, 0]);
    expect(q2.EECR04).toEqual([2, 2, 0, 0, 0]);
    const july = table(await ok(admin, 'MUNICIPALITY', '0802', '2024-07'), '0802');
    expect(july.EECO01![0]).toBe(0);
    expect(july.LEAVERS).toEqual([5, 0, 5, 0, 0]);
  });

  it('lists every centre of an area with participants, then the area itself', async () => {
    const r = await ok(admin, 'COUNTRY', 'EL', '2024');
    const centres = [...new Set(r.rows.map((x) => `${x.centre.level}:${x.centre.code}`))];
    expect(centres).toEqual(['MUNICIPALITY:0802', 'MUNICIPALITY:4912', 'COUNTRY:EL']);
    expect(table(r, 'EL').EECO01).toEqual([24, 15, 8, 1, 0]);
    expect(table(r, '4912').EECO02).toEqual([7, 7, 0, 0, 0]);
  });

  it('leaves the disability and minority rows out for a caller without special_category', async () => {
    const r = await ok(admin, 'MUNICIPALITY', '0802', '2024');
    expect(r.specialCategoryIncluded).toBe(false);
    const codes = r.rows.map((x) => x.code);
    for (const code of ['EECO12', 'EECO15', 'PNA-DISABILITY', 'PNA-MINORITY'])
      expect(codes).not.toContain(code);
    expect(codes).toContain('EECO14');
    expect(table(r, '0802').EECO01).toEqual([17, 8, 8, 1, 0]);
  });

  describe('scope', () => {
    it('a region sees its region and its centres; another region is refused and audited', async () => {
      const own = await ok(attica, 'REGION', '9', '2024');
      expect([...new Set(own.rows.map((x) => x.centre.code))]).toEqual(['4912', '9']);
      for (const [level, code] of [
        ['MUNICIPALITY', '0802'],
        ['REGION', '2'],
        ['COUNTRY', 'EL'],
      ])
        expect((await report(attica, level!, code!)).errors?.[0]?.extensions.code).toBe('OUTSIDE_YOUR_AREA');
      const rest = await t.http
        .get('/api/v1/statistics/MUNICIPALITY/0802/esf-indicators?format=csv')
        .set('Authorization', `Bearer ${attica}`);
      expect(rest.status).toBe(403);
      expect(rest.body.code).toBe('OUTSIDE_YOUR_AREA');
      const [denied] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_event
          WHERE action = 'statistics.read' AND outcome = 'denied' AND subject_id = 'MUNICIPALITY:0802'`,
      );
      expect(denied!.n).toBeGreaterThan(0);
    });

    it('a centre sees its own municipality only', async () => {
      expect((await ok(alexandreia, 'MUNICIPALITY', '0802')).rows.length).toBeGreaterThan(0);
      expect((await report(spata, 'MUNICIPALITY', '0802')).errors?.[0]?.extensions.code).toBe(
        'OUTSIDE_YOUR_AREA',
      );
      expect((await report(alexandreia, 'REGION', '2')).errors?.[0]?.extensions.code).toBe(
        'OUTSIDE_YOUR_AREA',
      );
    });
  });

  describe('small cells', () => {
    it('below national level, small counts and their partners are hidden the same in every row', async () => {
      const whole = await ok(admin, 'REGION', '2', '2024');
      const shown = await ok(macedonia, 'REGION', '2', '2024');
      expect(shown.smallCellsSuppressed).toBe(true);
      expect(shown.rows.map((x) => `${x.centre.code}:${x.code}`)).toEqual(
        whole.rows.map((x) => `${x.centre.code}:${x.code}`),
      );
      const genders = (x: Row) => [x.total, x.women, x.men, x.nonBinary, x.genderNotRecorded];
      let hidden = 0;
      shown.rows.forEach((row, i) => {
        const truth = genders(whole.rows[i]!);
        const cells = genders(row);
        cells.forEach((c, g) => {
          // shown means true; a count of 1 to 4 is never shown
          if (!c.suppressed) expect(c.count).toBe(truth[g]!.count);
          if (truth[g]!.count! > 0 && truth[g]!.count! < 5) expect(c.suppressed).toBe(true);
          if (c.suppressed) expect(c.count).toBeNull();
        });
        // total = women + men + non-binary + not recorded: one hidden cell alone would be given away
        expect(cells.filter((c) => c.suppressed).length).not.toBe(1);
        hidden += cells.filter((c) => c.suppressed).length;
      });
      expect(hidden).toBeGreaterThan(0);
      // the region has one centre with participants: its rows and the region's hide the same cells
      const pattern = (code: string) =>
        shown.rows.filter((x) => x.centre.code === code).map((x) => genders(x).map((c) => c.suppressed));
      expect(pattern('2')).toEqual(pattern('0802'));
      expect(pattern('0802')).toEqual(
        (await ok(alexandreia, 'MUNICIPALITY', '0802', '2024')).rows.map((x) =>
          genders(x).map((c) => c.suppressed),
        ),
      );
    });

    it('the labour-market partition never leaves exactly one hidden part beside a shown total', async () => {
      const rows = (await ok(macedonia, 'MUNICIPALITY', '0802', '2024')).rows;
      const by = Object.fromEntries(rows.map((x) => [x.code, x]));
      for (const g of ['total', 'women', 'men', 'nonBinary', 'genderNotRecorded'] as const) {
        const parts = ['EECO02', 'EECO04', 'EECO05', 'PNA-EMPLOYMENT'].map((c) => by[c]![g]);
        if (!by.EECO01![g].suppressed) expect(parts.filter((c) => c.suppressed).length).not.toBe(1);
      }
      // 2 inactive women, 1 employed non-binary participant: small, so hidden
      expect([by.EECO04!.women.suppressed, by.EECO05!.nonBinary.suppressed]).toEqual([true, true]);
    });
  });

  describe('export', () => {
    it('gives the same rows as CSV, a suppressed count as an empty field', async () => {
      const res = await t.http
        .get('/api/v1/statistics/REGION/2/esf-indicators?period=2024&format=csv')
        .set('Authorization', `Bearer ${macedonia}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const records = parse(res.text, { columns: true }) as Array<Record<string, string>>;
      const json = await ok(macedonia, 'REGION', '2', '2024');
      expect(records).toHaveLength(json.rows.length);
      records.forEach((rec, i) => {
        const row = json.rows[i]!;
        expect([rec.period, rec.centre_code, rec.indicator_code, rec.indicator_kind]).toEqual([
          row.period,
          row.centre.code,
          row.code,
          row.kind,
        ]);
        expect(rec.total).toBe(row.total.count === null ? '' : String(row.total.count));
        expect(rec.women).toBe(row.women.count === null ? '' : String(row.women.count));
        expect(rec.as_of).toBe(json.asOf);
      });
      const eeco02 = records.find((x) => x.indicator_code === 'EECO02' && x.centre_code === '0802')!;
      expect(eeco02.indicator_name).toBe('Unemployed, including long-term unemployed');
    });

    it('gives JSON over REST to a national role, whole', async () => {
      const res = await t.http
        .get('/api/v1/statistics/MUNICIPALITY/0802/esf-indicators?period=2024')
        .set('Authorization', `Bearer ${admin}`);
      expect(res.status).toBe(200);
      const eeco03 = (res.body as Report).rows.find((x) => x.code === 'EECO03')!;
      expect([eeco03.total.count, eeco03.women.count]).toEqual([6, 6]);
      const bad = await t.http
        .get('/api/v1/statistics/MUNICIPALITY/0802/esf-indicators?format=xlsx')
        .set('Authorization', `Bearer ${admin}`);
      expect(bad.status).toBe(400);
    });
  });

  describe('recording entry and leaving', () => {
    it('keeps the day of entry when the answers are corrected', async () => {
      const [p] = await t.db.query<{ id: string }>(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key)
         VALUES ('0802', 'Νέα', 'Δοκιμή', 'Nea', 'Dokimi', '1991-01-01', 'FEMALE', 'nea dokimi', 'nea dokimi')
         RETURNING id`,
      );
      const set = () =>
        t.gql(
          alexandreia,
          `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: UNEMPLOYED,
             educationLevel: ISCED_3_4, migrantOrForeignBackground: NO, homelessOrHousingExclusion: NO, ruralArea: NO })
             { enteredOn leftOn } }`,
          { id: p!.id },
          { 'X-Purpose': 'CASE_MANAGEMENT' },
        );
      const first = await set();
      expect(first.body.data.setEsfParticipation.leftOn).toBeNull();
      await t.db.query(`UPDATE esf_participant SET entered_on = '2024-09-01' WHERE person_id = $1`, [p!.id]);
      expect((await set()).body.data.setEsfParticipation.enteredOn).toBe('2024-09-01');
      const early = await leave(alexandreia, p!.id, '2024-08-31', {
        jobSearching: 'NO',
        inEducationOrTraining: 'NO',
        gainedQualification: 'NO',
        inEmployment: 'NO',
      });
      expect(early.body.errors?.[0]?.extensions.code).toBe('INVALID_DATES');
    });

    it('refuses leaving without answers on entry, and from another centre', async () => {
      const results = {
        jobSearching: 'NO',
        inEducationOrTraining: 'NO',
        gainedQualification: 'NO',
        inEmployment: 'NO',
      };
      const [p] = await t.db.query<{ id: string }>(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key)
         VALUES ('0802', 'Άλλη', 'Δοκιμή', 'Alli', 'Dokimi', '1991-01-01', 'FEMALE', 'alli dokimi', 'alli dokimi')
         RETURNING id`,
      );
      const none = await leave(alexandreia, p!.id, '2024-08-31', results);
      expect(none.body.errors?.[0]?.extensions.code).toBe('NOT_AN_ESF_PARTICIPANT');
      const other = await leave(spata, ids.e![0]!, '2024-08-31', results);
      // another centre's person is not found, as everywhere in the registry (it does not say who exists)
      expect(other.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      const [e] = await t.db.query<{ left_on: string | null }>(
        `SELECT left_on FROM esf_participant WHERE person_id = $1`,
        [ids.e![0]],
      );
      expect(e!.left_on).toBeNull();
    });
  });
});
