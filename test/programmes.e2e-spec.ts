import { jest } from '@jest/globals';
import pg from 'pg';
import { ProgrammesService } from '../src/programmes/programmes.service.js';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** ΕΕΕ for a one-person household, in JSON Logic (docs/entitlements.md "Rules"). */
const RULE = {
  criteria: [
    {
      id: 'residence',
      el: 'Νόμιμη διαμονή',
      en: 'Legal residence',
      test: { '==': [{ var: 'legal_residence' }, true] },
    },
    {
      id: 'income',
      el: 'Εισόδημα εξαμήνου',
      en: 'Income of 6 months',
      test: { '<=': [{ var: 'household_income_last_6_months' }, { param: 'income_limit_single_6_months' }] },
    },
    {
      id: 'real_estate',
      el: 'Ακίνητα',
      en: 'Real estate',
      test: { '<=': [{ var: 'real_estate_value' }, { param: 'real_estate_limit_single' }] },
    },
    {
      id: 'vehicles',
      el: 'Οχήματα',
      en: 'Vehicles',
      test: { '<=': [{ var: 'vehicle_value' }, { param: 'vehicle_limit' }] },
    },
  ],
  amount: {
    '-': [{ param: 'guaranteed_amount_single' }, { '/': [{ var: 'household_income_last_6_months' }, 6] }],
  },
};
const PERSON = {
  legal_residence: true,
  household_income_last_6_months: 600,
  real_estate_value: 0,
  vehicle_value: 0,
};
const CASES = [
  {
    name: 'income 600',
    asOf: '2024-01-15',
    facts: PERSON,
    expectedOutcome: 'ELIGIBLE',
    expectedAmount: '116.00',
  },
  {
    name: 'income one cent over',
    asOf: '2024-01-15',
    facts: { ...PERSON, household_income_last_6_months: 1296.01 },
    expectedOutcome: 'NOT_ELIGIBLE',
  },
  {
    name: 'vehicles unknown',
    asOf: '2024-01-15',
    facts: { ...PERSON, vehicle_value: undefined },
    expectedOutcome: 'CANNOT_TELL',
  },
];

/** ΕΕΕ as a national body would publish it: amounts with validity dates, not constants. */
const gmi = {
  code: 'GMI',
  title: 'Ελάχιστο Εγγυημένο Εισόδημα',
  kind: 'CASH_BENEFIT',
  administeringBody: 'ΟΠΕΚΑ',
  fundingSource: 'NATIONAL_BUDGET',
  national: true,
  targetGroups: ['DESTITUTE', 'LOW_INCOME'],
  howToApply: 'Αίτηση στο gmi.gov.gr ή με τη βοήθεια του Κέντρου Κοινότητας',
  requiredDocuments: ['ΑΦΜ', 'ΑΜΚΑ', 'IBAN'],
  startsOn: '2017-02-01',
  parameters: [
    {
      name: 'guaranteed_amount_single',
      value: '200.00',
      unit: 'EUR_PER_MONTH',
      validFrom: '2017-02-01',
      validTo: '2023-11-30',
    },
    { name: 'guaranteed_amount_single', value: '216.00', unit: 'EUR_PER_MONTH', validFrom: '2023-12-01' },
    { name: 'income_limit_single_6_months', value: '1296.00', unit: 'EUR', validFrom: '2023-12-01' },
    { name: 'real_estate_limit_single', value: '90000.00', unit: 'EUR', validFrom: '2023-12-01' },
    { name: 'vehicle_limit', value: '6000.00', unit: 'EUR', validFrom: '2023-12-01' },
  ],
  eligibilityRule: RULE,
  ruleCases: CASES,
};

/** The Roma branch of Aspropyrgos, funded by the Region of Attica. */
const aspropyrgosRoma = {
  code: 'KK-ROMA-5002',
  title: 'Παράρτημα Ρομά Κέντρου Κοινότητας Ασπροπύργου',
  kind: 'COUNSELLING',
  administeringBody: 'Δήμος Ασπροπύργου',
  fundingSource: 'ESF',
  operationalProgramme: 'Αττική 2014-2020',
  priorityAxis: 'Προώθηση της κοινωνικής ένταξης και καταπολέμηση της φτώχειας',
  budget: '317307.17',
  startsOn: '2019-01-01',
  endsOn: '2023-12-31',
  targetGroups: ['ROMA'],
  coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '5002' }],
};

describe('programme registry and enrolments', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: string;
  let attica: string;
  let crete: string;
  let spataStaff: string;
  let alexandreiaStaff: string;
  let gmiId: string;
  let romaId: string;
  let creteId: string;
  let spataPerson: string;
  let alexandreiaPerson: string;

  const rest = (token: string) => ({
    post: (path: string, body: unknown) =>
      t.http
        .post(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body as object),
    put: (path: string, body: unknown) =>
      t.http
        .put(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body as object),
    get: (path: string, query: Record<string, unknown> = {}) =>
      t.http.get(`/api/v1${path}`).query(query).set('Authorization', `Bearer ${token}`),
  });
  const counts = async () =>
    (
      await db.query(`SELECT (SELECT count(*) FROM programme)::int AS programmes,
        (SELECT count(*) FROM programme_parameter)::int AS parameters,
        (SELECT count(*) FROM programme_coverage)::int AS coverage,
        (SELECT count(*) FROM programme_rule_case)::int AS cases,
        (SELECT md5(string_agg(eligibility_rule::text, ',' ORDER BY id)) FROM programme) AS rules,
        (SELECT count(*) FROM enrolment)::int AS enrolments`)
    ).rows[0];
  const person = async (municipality: string, given: string) =>
    (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         VALUES ($1, $2, 'Παπαδοπούλου', $2, 'Papadopoulou', '1960-05-01', 'FEMALE', 'x', 'x') RETURNING id`,
        [municipality, given],
      )
    ).rows[0].id as string;

  const codes = (res: { body: { data: { programmes: { edges: Array<{ node: { code: string } }> } } } }) =>
    res.body.data.programmes.edges.map((e) => e.node.code).sort();

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    crete = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '13' }, 'crete-1');
    spataStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] }, 'spata-1');
    alexandreiaStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-1');

    const created = await rest(admin).post('/programmes', gmi);
    expect(created.status).toBe(201);
    gmiId = created.body.id;
    const roma = await rest(attica).post('/programmes', aspropyrgosRoma);
    expect(roma.status).toBe(201);
    romaId = roma.body.id;
    const cretan = await rest(crete).post('/programmes', {
      code: 'CRETE-FOOD',
      title: 'Επισιτιστική βοήθεια Κρήτης',
      kind: 'IN_KIND_AID',
      administeringBody: 'Περιφέρεια Κρήτης',
      fundingSource: 'REGIONAL',
      targetGroups: ['ALL_RESIDENTS'],
      coverage: [{ areaLevel: 'REGION', areaCode: '13' }],
    });
    expect(cretan.status).toBe(201);
    creteId = cretan.body.id;
    spataPerson = await person('4912', 'Μαρία');
    alexandreiaPerson = await person('0802', 'Ελένη');
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('REST for regions and national bodies', () => {
    it('keeps the budget in euro with cents exactly, and the dated parameters', async () => {
      const res = await rest(attica).get(`/programmes/${romaId}`);
      expect(res.body).toMatchObject({
        code: 'KK-ROMA-5002',
        budget: '317307.17',
        ownerRegionCode: '9',
        operationalProgramme: 'Αττική 2014-2020',
        coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '5002' }],
      });
      const { rows } = await db.query(`SELECT budget::text FROM programme WHERE id = $1`, [romaId]);
      expect(rows[0].budget).toBe('317307.17');
      const national = await rest(attica).get(`/programmes/${gmiId}`);
      expect(national.body.ownerRegionCode).toBeNull();
      expect(national.body.parameters.map((p: { value: string }) => p.value)).toEqual([
        '200.00',
        '216.00',
        '1296.00',
        '90000.00',
        '6000.00',
      ]);
      expect(national.body.eligibilityRule).toEqual(RULE);
      expect(
        national.body.ruleCases.map((c: { name: string; expectedAmount: string | null }) => [
          c.name,
          c.expectedAmount,
        ]),
      ).toEqual([
        ['income 600', '116.00'],
        ['income one cent over', null],
        ['vehicles unknown', null],
      ]);
    });

    it('lets a region maintain only its own programmes, within its own region', async () => {
      const before = await counts();
      const outside = await rest(attica).post('/programmes', {
        ...aspropyrgosRoma,
        code: 'X1',
        coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '7101' }],
      });
      expect(outside.status).toBe(403);
      expect(JSON.parse(outside.text).code).toBe('OUTSIDE_YOUR_AREA');
      const nationalByRegion = await rest(attica).post('/programmes', { ...gmi, code: 'X2' });
      expect(nationalByRegion.status).toBe(403);
      const touchCrete = await rest(attica).put(`/programmes/${creteId}`, {
        code: 'CRETE-FOOD',
        title: 'Αλλαγή',
        kind: 'IN_KIND_AID',
        administeringBody: 'x',
        fundingSource: 'REGIONAL',
        coverage: [{ areaLevel: 'REGION', areaCode: '13' }],
      });
      expect(touchCrete.status).toBe(403);
      expect(JSON.parse(touchCrete.text).code).toBe('OUTSIDE_YOUR_AREA');
      const touchNational = await rest(attica).put(`/programmes/${gmiId}`, gmi);
      expect(touchNational.status).toBe(403);
      const centre = await rest(spataStaff).post('/programmes', { ...aspropyrgosRoma, code: 'X3' });
      expect(centre.status).toBe(403);
      expect(JSON.parse(centre.text).code).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
      const { rows } = await db.query(`SELECT title FROM programme WHERE id = $1`, [creteId]);
      expect(rows[0].title).toBe('Επισιτιστική βοήθεια Κρήτης');
    });

    it('lets a national body hand a programme to a region, which may then maintain it but not give it away', async () => {
      const handed = await rest(admin).post('/programmes', {
        ...aspropyrgosRoma,
        code: 'KK-PAIANIA',
        targetGroups: ['FAMILIES'],
        status: 'DRAFT',
        coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '4908' }],
        ownerRegionCode: '9',
      });
      expect(handed.status).toBe(201);
      expect(handed.body.ownerRegionCode).toBe('9');
      const changed = await rest(attica).put(`/programmes/${handed.body.id}`, {
        ...aspropyrgosRoma,
        code: 'KK-PAIANIA',
        title: 'Κέντρο Κοινότητας Παιανίας',
        targetGroups: ['FAMILIES'],
        status: 'DRAFT',
        coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '4908' }],
      });
      expect(changed.status).toBe(200);
      expect(changed.body.ownerRegionCode).toBe('9');
      const givenAway = await rest(attica).put(`/programmes/${handed.body.id}`, {
        ...aspropyrgosRoma,
        code: 'KK-PAIANIA',
        targetGroups: ['FAMILIES'],
        status: 'DRAFT',
        coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '4908' }],
        ownerRegionCode: '13',
      });
      expect(givenAway.status).toBe(403);
      expect(JSON.parse(givenAway.text).code).toBe('OUTSIDE_YOUR_AREA');
    });

    it('replaces its own programme and bumps the version', async () => {
      const res = await rest(attica).put(`/programmes/${romaId}`, {
        ...aspropyrgosRoma,
        expectedVersion: 1,
        deliveringProviderIds: [],
        coverage: [
          { areaLevel: 'MUNICIPALITY', areaCode: '5002' },
          { areaLevel: 'REGIONAL_UNIT', areaCode: '0908' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(2);
      expect(res.body.coverage).toHaveLength(2);
    });

    const bad: Array<[string, Record<string, unknown>, number, string]> = [
      ['a negative budget', { budget: '-100.00' }, 400, 'NEGATIVE_BUDGET'],
      ['a budget with fractions of a cent', { budget: '100.005' }, 400, 'BAD_USER_INPUT'],
      [
        'an unknown municipality in the coverage',
        { coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '9999' }] },
        400,
        'UNKNOWN_AREA',
      ],
      ['no coverage at all', { coverage: [] }, 400, 'NO_COVERAGE'],
      [
        'a period ending before it starts',
        { startsOn: '2024-01-01', endsOn: '2023-01-01' },
        400,
        'BAD_DATE_RANGE',
      ],
      ['an unknown target group', { targetGroups: ['MARTIANS'] }, 400, 'UNKNOWN_TARGET_GROUP'],
      ['a code already taken', { code: 'GMI' }, 409, 'CODE_TAKEN'],
      [
        'parameters with overlapping periods',
        {
          parameters: [
            { name: 'amount', value: '70.00', unit: 'EUR_PER_MONTH', validFrom: '2020-01-01' },
            { name: 'amount', value: '75.00', unit: 'EUR_PER_MONTH', validFrom: '2024-01-01' },
          ],
        },
        400,
        'PARAMETER_PERIODS_OVERLAP',
      ],
      [
        'a rule in the former grammar',
        { eligibilityRule: { all: [{ fact: 'age', op: 'gte', value: 67 }] }, ruleCases: CASES },
        400,
        'INVALID_RULE',
      ],
      [
        'a rule naming a parameter it lacks',
        {
          eligibilityRule: {
            criteria: [
              { id: 'age', el: 'Ηλικία', en: 'Age', test: { '>=': [{ var: 'age' }, { param: 'min_age' }] } },
            ],
          },
          ruleCases: [{ name: 'x', asOf: '2024-01-01', facts: { age: 70 }, expectedOutcome: 'ELIGIBLE' }],
        },
        400,
        'INVALID_RULE',
      ],
      [
        'a rule without test cases',
        {
          eligibilityRule: {
            criteria: [{ id: 'age', el: 'Ηλικία', en: 'Age', test: { '>=': [{ var: 'age' }, 67] } }],
          },
        },
        400,
        'INVALID_RULE_CASE',
      ],
      [
        'test cases without a rule',
        { ruleCases: [{ name: 'x', asOf: '2024-01-01', facts: { age: 70 }, expectedOutcome: 'ELIGIBLE' }] },
        400,
        'INVALID_RULE_CASE',
      ],
      [
        'a failing test case',
        {
          eligibilityRule: {
            criteria: [{ id: 'age', el: 'Ηλικία', en: 'Age', test: { '>=': [{ var: 'age' }, 67] } }],
          },
          ruleCases: [
            { name: 'aged 66', asOf: '2024-01-01', facts: { age: 66 }, expectedOutcome: 'ELIGIBLE' },
          ],
        },
        400,
        'RULE_CASE_FAILED',
      ],
      [
        'an unknown delivering provider',
        { deliveringProviderIds: ['00000000-0000-4000-8000-000000000000'] },
        400,
        'UNKNOWN_PROVIDER',
      ],
    ];
    it.each(bad)('refuses %s and writes nothing', async (_what, change, status, code) => {
      const before = await counts();
      const res = await rest(attica).post('/programmes', { ...aspropyrgosRoma, code: 'NEW-ONE', ...change });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.parse(res.text).code).toBe(code);
      expect(await counts()).toEqual(before);
    });

    it('says where a rule is malformed', async () => {
      const before = await counts();
      const res = await rest(admin).post('/programmes', {
        ...gmi,
        code: 'GMI-2',
        eligibilityRule: {
          criteria: [
            { id: 'age', el: 'Ηλικία', en: 'Age', test: { '>=': [{ var: 'age' }, 67] } },
            { id: 'unemployed', el: 'Άνεργος', en: 'Unemployed', test: { '>': [{ var: 'unemployed' }, 1] } },
            { id: 'x', el: 'Χ', en: 'X', test: { between: [{ var: 'age' }, 1, 2] } },
          ],
        },
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors).toEqual([
        {
          field: 'eligibilityRule.criteria.1.test.>.0',
          reason: '">" needs numbers; fact unemployed is a boolean',
        },
        {
          field: 'eligibilityRule.criteria.2.test',
          reason: expect.stringMatching(/^unknown operator "between"/),
        },
      ]);
      expect(await counts()).toEqual(before);
    });

    it('refuses an update whose rule no longer answers its cases, over REST and GraphQL, and keeps the programme', async () => {
      const before = await counts();
      const stricter = {
        ...RULE,
        criteria: RULE.criteria.map((c) =>
          c.id === 'vehicles' ? { ...c, test: { '<': [{ var: 'vehicle_value' }, 0] } } : c,
        ),
      };
      const res = await rest(admin).put(`/programmes/${gmiId}`, { ...gmi, eligibilityRule: stricter });
      expect(res.status).toBe(400);
      const body = JSON.parse(res.text);
      expect(body.code).toBe('RULE_CASE_FAILED');
      expect(body.errors).toEqual([
        {
          field: 'ruleCases.0',
          reason: expect.stringMatching(
            /^"income 600": expected ELIGIBLE 116\.00, got NOT_ELIGIBLE .*Vehicles: not met/,
          ),
        },
      ]);
      const gql = await t.gql(
        admin,
        `mutation($id: UUID!, $input: ProgrammeInput!) { updateProgramme(id: $id, input: $input) { id } }`,
        { id: gmiId, input: { ...gmi, eligibilityRule: stricter } },
      );
      expect(gql.body.errors[0].extensions.code).toBe('RULE_CASE_FAILED');
      expect(gql.body.errors[0].extensions.fields).toEqual([
        { field: 'ruleCases.0', reason: expect.stringMatching(/^"income 600": expected ELIGIBLE 116\.00/) },
      ]);
      expect(gql.body.errors[0].message).toMatch(/"income 600": expected ELIGIBLE 116\.00, got NOT_ELIGIBLE/);
      const badRule = await t.gql(
        admin,
        `mutation($input: ProgrammeInput!) { createProgramme(input: $input) { id } }`,
        {
          input: {
            ...gmi,
            code: 'GMI-3',
            eligibilityRule: {
              ...RULE,
              criteria: [{ ...RULE.criteria[0], test: { '==': [{ var: 'legal_residence' }, 1] } }],
            },
          },
        },
      );
      expect(badRule.body.errors[0].extensions.code).toBe('INVALID_RULE');
      expect(badRule.body.errors[0].extensions.fields).toEqual([
        {
          field: 'eligibilityRule.criteria.0.test.==',
          reason: '"==" compares values of one type: fact legal_residence is a boolean, 1 is a number',
        },
      ]);
      expect(badRule.body.errors[0].message).toMatch(
        /eligibilityRule\.criteria\.0\.test\.==: "==" compares values of one type/,
      );
      expect(await counts()).toEqual(before);
      const kept = await t.gql(
        admin,
        `query($id: UUID!) { programme(id: $id) { ruleCases { name asOf facts expectedOutcome expectedAmount } } }`,
        { id: gmiId },
      );
      expect(kept.body.data.programme.ruleCases[0]).toEqual({
        name: 'income 600',
        asOf: '2024-01-15',
        facts: PERSON,
        expectedOutcome: 'ELIGIBLE',
        expectedAmount: '116.00',
      });
    });
  });

  describe('GraphQL queries', () => {
    const list = `query($m: String, $g: String, $d: String, $s: String) {
      programmes(availableIn: $m, targetGroup: $g, activeOn: $d, search: $s, first: 50) { totalCount edges { node { code } } } }`;

    it('finds programmes available in a municipality: national ones and those covering it, its unit or region', async () => {
      expect(codes(await t.gql(spataStaff, list, { m: '5002' }))).toEqual(['GMI', 'KK-ROMA-5002']);
      // 5001 Ελευσίνα lies in regional unit 0908 (West Attica), which the Roma programme now covers
      expect(codes(await t.gql(spataStaff, list, { m: '5001' }))).toEqual(['GMI', 'KK-ROMA-5002']);
      expect(codes(await t.gql(spataStaff, list, { m: '4912' }))).toEqual(['GMI']);
      expect(codes(await t.gql(spataStaff, list, { m: '7101' }))).toEqual(['CRETE-FOOD', 'GMI']);
    });

    it('finds programmes for a group (ALL_RESIDENTS counts for every group) and active on a day', async () => {
      expect(codes(await t.gql(spataStaff, list, { g: 'ROMA' }))).toEqual(['CRETE-FOOD', 'KK-ROMA-5002']);
      expect(codes(await t.gql(spataStaff, list, { d: '2022-06-01' }))).toEqual([
        'CRETE-FOOD',
        'GMI',
        'KK-ROMA-5002',
      ]);
      expect(codes(await t.gql(spataStaff, list, { d: '2024-06-01' }))).toEqual(['CRETE-FOOD', 'GMI']);
      expect(codes(await t.gql(spataStaff, list, { d: '2010-06-01' }))).toEqual(['CRETE-FOOD']);
      expect(codes(await t.gql(spataStaff, list, { s: 'elachisto eggyimeno' }))).toEqual(['GMI']);
    });

    it('gives the parameters valid on a day: ΕΕΕ 200 before December 2023, 216 after', async () => {
      const q = `query($on: String) { programmeByCode(code: "GMI") { parameters(on: $on) { name value unit validFrom } } }`;
      const before = await t.gql(spataStaff, q, { on: '2023-06-01' });
      expect(before.body.data.programmeByCode.parameters).toEqual([
        { name: 'guaranteed_amount_single', value: '200.00', unit: 'EUR_PER_MONTH', validFrom: '2017-02-01' },
      ]);
      const after = await t.gql(spataStaff, q, { on: '2024-01-15' });
      expect(after.body.data.programmeByCode.parameters.map((p: { value: string }) => p.value)).toEqual([
        '216.00',
        '1296.00',
        '90000.00',
        '6000.00',
      ]);
    });

    it('loads coverage, parameters and providers of a whole page with one query each (no N+1)', async () => {
      const service = t.app.get(ProgrammesService);
      const spies = (['coverageOf', 'parametersOf', 'deliveringProviderIdsOf'] as const).map((m) =>
        jest.spyOn(service, m),
      );
      try {
        const res = await t.gql(
          spataStaff,
          `{ programmes(first: 50) { edges { node { code coverage { areaCode } parameters { name } deliveringProviders { id } } } } }`,
        );
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.programmes.edges.length).toBeGreaterThanOrEqual(3);
        expect(spies.map((spy) => spy.mock.calls.length)).toEqual([1, 1, 1]);
      } finally {
        spies.forEach((spy) => spy.mockRestore());
      }
    });

    it('creates and replaces programmes over GraphQL too', async () => {
      const created = await t.gql(
        admin,
        `mutation($i: ProgrammeInput!) { createProgramme(input: $i) { id code ownerRegionCode national budget } }`,
        {
          i: {
            code: 'KEP-HELP',
            title: 'Βοήθεια στο ΚΕΠ',
            kind: 'SERVICE',
            administeringBody: 'ΚΕΠ',
            fundingSource: 'NATIONAL_BUDGET',
            national: true,
            status: 'DRAFT',
            budget: '1000.50',
          },
        },
      );
      expect(created.body.errors).toBeUndefined();
      expect(created.body.data.createProgramme).toMatchObject({
        ownerRegionCode: null,
        national: true,
        budget: '1000.50',
      });
      const replaced = await t.gql(
        attica,
        `mutation($id: UUID!, $i: ProgrammeInput!) { updateProgramme(id: $id, input: $i) { version title } }`,
        { id: romaId, i: { ...aspropyrgosRoma, title: 'Παράρτημα Ρομά Ασπροπύργου' } },
      );
      expect(replaced.body.errors).toBeUndefined();
      expect(replaced.body.data.updateProgramme.title).toBe('Παράρτημα Ρομά Ασπροπύργου');
    });

    it('resolves coverage and providers, and refuses a GraphQL write by a centre', async () => {
      const res = await t.gql(
        spataStaff,
        `query($id: UUID!) { programme(id: $id) { coverage { areaLevel areaCode } deliveringProviders { id } administeringProvider { id } budget eligibilityRule } }`,
        { id: romaId },
      );
      expect(res.body.data.programme).toMatchObject({
        budget: '317307.17',
        deliveringProviders: [],
        administeringProvider: null,
        eligibilityRule: null,
      });
      const write = await t.gql(
        spataStaff,
        `mutation($i: ProgrammeInput!) { createProgramme(input: $i) { id } }`,
        { i: { ...aspropyrgosRoma, code: 'X9' } },
      );
      expect(write.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });

  describe('enrolments: personal data, scoped to the area of the person, read with a purpose', () => {
    const enrol = `mutation($i: EnrolInput!, $p: AccessPurpose) { enrol(input: $i, purpose: $p) { id status appliedOn startedOn version programme { code } } }`;
    const change = `mutation($id: UUID!, $i: ChangeEnrolmentInput!) { changeEnrolmentStatus(id: $id, input: $i, purpose: CASE_MANAGEMENT) { id status startedOn endedOn version } }`;
    const list = `query($person: UUID, $programme: UUID, $p: AccessPurpose) { enrolments(personId: $person, programmeId: $programme, purpose: $p) { totalCount edges { node { id personId status } } } }`;
    let enrolmentId: string;

    it("enrols a person of the centre's area, audited against the person", async () => {
      const res = await t.gql(spataStaff, enrol, {
        i: { personId: spataPerson, programmeId: gmiId, appliedOn: '2026-01-10' },
        p: 'ELIGIBILITY_ASSESSMENT',
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.enrol).toMatchObject({
        status: 'APPLIED',
        appliedOn: '2026-01-10',
        startedOn: null,
        programme: { code: 'GMI' },
      });
      enrolmentId = res.body.data.enrol.id;
      const { rows } = await db.query(
        `SELECT action, subject_type, subject_id, purpose, municipality_code FROM audit_event WHERE action = 'enrolment.create'`,
      );
      expect(rows).toEqual([
        {
          action: 'enrolment.create',
          subject_type: 'person',
          subject_id: spataPerson,
          purpose: 'ELIGIBILITY_ASSESSMENT',
          municipality_code: '4912',
        },
      ]);
    });

    it('cannot tell a person of another municipality from one that does not exist', async () => {
      const before = await counts();
      const other = await t.gql(spataStaff, enrol, {
        i: { personId: alexandreiaPerson, programmeId: gmiId, appliedOn: '2026-01-10' },
        p: 'REGISTRATION',
      });
      const none = await t.gql(spataStaff, enrol, {
        i: { personId: '00000000-0000-4000-8000-000000000000', programmeId: gmiId, appliedOn: '2026-01-10' },
        p: 'REGISTRATION',
      });
      expect(other.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(none.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(other.body.errors[0].message.replace(alexandreiaPerson, 'X')).toBe(
        none.body.errors[0].message.replace('00000000-0000-4000-8000-000000000000', 'X'),
      );
      expect(await counts()).toEqual(before);
    });

    it('reads one enrolment of the area with a purpose, and audits it', async () => {
      const res = await t.gql(
        spataStaff,
        `query($id: UUID!) { enrolment(id: $id, purpose: CASE_MANAGEMENT) { id personId status programme { code } } }`,
        { id: enrolmentId },
      );
      expect(res.body.data.enrolment).toEqual({
        id: enrolmentId,
        personId: spataPerson,
        status: 'APPLIED',
        programme: { code: 'GMI' },
      });
      const noPurpose = await t.gql(spataStaff, `query($id: UUID!) { enrolment(id: $id) { id } }`, {
        id: enrolmentId,
      });
      expect(noPurpose.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      const header = await t.gql(
        spataStaff,
        `query($id: UUID!) { enrolment(id: $id) { id } }`,
        { id: enrolmentId },
        {
          'X-Purpose': 'REFERRAL',
        },
      );
      expect(header.body.data.enrolment.id).toBe(enrolmentId);
      const { rows } = await db.query(
        `SELECT purpose FROM audit_event WHERE action = 'enrolment.read' AND subject_id = $1 AND outcome = 'allowed' ORDER BY id`,
        [spataPerson],
      );
      expect(rows.map((r) => r.purpose)).toEqual(['CASE_MANAGEMENT', 'REFERRAL']);
    });

    it('hides the enrolments of a person of another area from reads and changes', async () => {
      const read = await t.gql(
        alexandreiaStaff,
        `query($id: UUID!) { enrolment(id: $id, purpose: CASE_MANAGEMENT) { id } }`,
        { id: enrolmentId },
      );
      expect(read.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const byPerson = await t.gql(alexandreiaStaff, list, { person: spataPerson, p: 'CASE_MANAGEMENT' });
      expect(byPerson.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const byProgramme = await t.gql(alexandreiaStaff, list, { programme: gmiId, p: 'CASE_MANAGEMENT' });
      expect(byProgramme.body.data.enrolments.totalCount).toBe(0);
      const changed = await t.gql(alexandreiaStaff, change, {
        id: enrolmentId,
        i: { status: 'ENDED', on: '2026-02-01' },
      });
      expect(changed.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const { rows } = await db.query(`SELECT status, version FROM enrolment WHERE id = $1`, [enrolmentId]);
      expect(rows[0]).toEqual({ status: 'APPLIED', version: 1 });
    });

    it('needs a declared purpose to read, and audits each person read', async () => {
      const none = await t.gql(spataStaff, list, { programme: gmiId });
      expect(none.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      const res = await t.gql(spataStaff, list, { programme: gmiId, p: 'CASE_MANAGEMENT' });
      expect(res.body.data.enrolments).toMatchObject({
        totalCount: 1,
        edges: [{ node: { personId: spataPerson, status: 'APPLIED' } }],
      });
      const { rows } = await db.query(
        `SELECT subject_id, purpose, municipality_code FROM audit_event WHERE action = 'enrolment.read' AND outcome = 'allowed' ORDER BY id`,
      );
      expect(rows).toHaveLength(3);
      expect(rows.at(-1)).toEqual({
        subject_id: spataPerson,
        purpose: 'CASE_MANAGEMENT',
        municipality_code: '4912',
      });
    });

    it('moves through applied, active, suspended and ended, and refuses what the lifecycle does not allow', async () => {
      const step = async (status: string, on: string) =>
        (await t.gql(spataStaff, change, { id: enrolmentId, i: { status, on } })).body;
      expect((await step('ACTIVE', '2026-02-01')).data.changeEnrolmentStatus).toMatchObject({
        status: 'ACTIVE',
        startedOn: '2026-02-01',
        version: 2,
      });
      expect((await step('SUSPENDED', '2026-03-01')).data.changeEnrolmentStatus.status).toBe('SUSPENDED');
      expect((await step('ACTIVE', '2026-03-15')).data.changeEnrolmentStatus).toMatchObject({
        status: 'ACTIVE',
        startedOn: '2026-02-01',
      });
      expect((await step('APPLIED', '2026-03-16')).errors[0].extensions.code).toBe('TRANSITION_NOT_ALLOWED');
      expect((await step('ENDED', '2025-01-01')).errors[0].extensions.code).toBe('BAD_DATE_RANGE');
      expect((await step('ENDED', '2026-06-30')).data.changeEnrolmentStatus).toMatchObject({
        status: 'ENDED',
        endedOn: '2026-06-30',
      });
      const reopened = await step('ACTIVE', '2026-07-01');
      expect(reopened.errors[0].extensions.code).toBe('TRANSITION_NOT_ALLOWED');
      expect(reopened.errors[0].message).toMatch(/ENDED cannot become ACTIVE/);
    });

    it('allows one open enrolment per person and programme, and none in a closed programme', async () => {
      const first = await t.gql(spataStaff, enrol, {
        i: { personId: spataPerson, programmeId: gmiId, appliedOn: '2026-07-01', status: 'ACTIVE' },
        p: 'REGISTRATION',
      });
      expect(first.body.data.enrol).toMatchObject({ status: 'ACTIVE', startedOn: '2026-07-01' });
      const again = await t.gql(spataStaff, enrol, {
        i: { personId: spataPerson, programmeId: gmiId, appliedOn: '2026-07-02' },
        p: 'REGISTRATION',
      });
      expect(again.body.errors[0].extensions.code).toBe('ALREADY_ENROLLED');
      await db.query(`UPDATE programme SET status = 'CLOSED' WHERE id = $1`, [creteId]);
      const closed = await t.gql(admin, enrol, {
        i: { personId: spataPerson, programmeId: creteId, appliedOn: '2026-07-02' },
        p: 'REGISTRATION',
      });
      expect(closed.body.errors[0].extensions.code).toBe('PROGRAMME_NOT_OPEN');
    });

    it('pages through enrolments newest first, and refuses a cursor of another list', async () => {
      const query = `query($p: UUID, $after: String) { enrolments(programmeId: $p, first: 1, after: $after, purpose: CASE_MANAGEMENT) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } }`;
      const first = await t.gql(spataStaff, query, { p: gmiId });
      expect(first.body.data.enrolments.totalCount).toBe(2);
      expect(first.body.data.enrolments.edges[0].node.status).toBe('ACTIVE');
      const second = await t.gql(spataStaff, query, {
        p: gmiId,
        after: first.body.data.enrolments.pageInfo.endCursor,
      });
      expect(second.body.data.enrolments.edges[0].node.status).toBe('ENDED');
      expect(second.body.data.enrolments.pageInfo.hasNextPage).toBe(false);
      const programmes = await t.gql(spataStaff, `{ programmes(first: 1) { pageInfo { endCursor } } }`);
      const foreign = await t.gql(spataStaff, query, {
        p: gmiId,
        after: programmes.body.data.programmes.pageInfo.endCursor,
      });
      expect(foreign.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('refuses regional officers, who have no access to people', async () => {
      const res = await t.gql(attica, list, { programme: gmiId, p: 'STATISTICS' });
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });
});
