import pg from 'pg';
import { Permission, Role } from '../src/auth/roles.js';
import { SEEDED_RULES, type SeededRule } from '../src/demo/programme-rules.seed.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * What a person is entitled to (issue 11, "What it answers"), over HTTP: the per-person answer with
 * its scope, audit, special-category and language rules; the screening at the desk; the outreach
 * list; and the entitlement kept with an enrolment. Programmes are made through the REST API with
 * the seeded demo rules and their cases (src/demo/programme-rules.seed.ts); facts are recorded in
 * person_fact as a feed import would.
 */
describe('entitlements', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: string;
  let spata: string;
  let spataSpecial: string;
  let attica: string;
  const ids: Record<string, string> = {};

  const gql = (token: string, query: string, variables: Record<string, unknown> = {}, headers = {}) =>
    t.gql(token, query, variables, headers);
  const auditCount = async (where = 'TRUE', params: unknown[] = []) =>
    (await db.query(`SELECT count(*)::int AS n FROM audit_event WHERE ${where}`, params)).rows[0].n as number;

  /** A person living alone since 2020 (household size, adults and minors are derived from it). */
  const person = async (municipality: string, given: string, birthDate = '1970-05-01') => {
    const id = (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         VALUES ($1, $2, 'Οικονόμου', $2, 'Oikonomou', $3, 'FEMALE', 'x', 'x') RETURNING id`,
        [municipality, given, birthDate],
      )
    ).rows[0].id as string;
    await db.query(
      `WITH h AS (INSERT INTO household (municipality_code) VALUES ($1) RETURNING id)
       INSERT INTO household_member (household_id, person_id, relationship, joined_on)
       SELECT h.id, $2, 'REFERENCE_PERSON', '2020-01-01' FROM h`,
      [municipality, id],
    );
    return id;
  };

  /** Facts as a feed would record them, valid from 2023. */
  const facts = async (personId: string, values: Record<string, number | boolean>) => {
    for (const [kind, value] of Object.entries(values))
      await db.query(
        `INSERT INTO person_fact (person_id, kind, basis, value_numeric, value_boolean, source, as_of, valid_from)
         VALUES ($1, $2, 'FEED', $3, $4, 'TAXIS', '2023-01-01', '2023-01-01')`,
        [personId, kind, typeof value === 'number' ? value : null, typeof value === 'boolean' ? value : null],
      );
  };

  const programme = async (body: Record<string, unknown>, seeded?: SeededRule) => {
    const res = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'CASH_BENEFIT',
        administeringBody: 'ΟΠΕΚΑ',
        fundingSource: 'NATIONAL_BUDGET',
        targetGroups: ['ALL_RESIDENTS'],
        ...body,
        ...(seeded
          ? {
              eligibilityRule: seeded.rule,
              parameters: seeded.parameters,
              ruleCases: seeded.ruleCases.map((c) => ({
                ...c,
                expectedAmount:
                  c.expectedAmount === undefined || c.expectedAmount === null
                    ? undefined
                    : Number(c.expectedAmount).toFixed(2),
              })),
            }
          : {}),
      });
    expect(res.body).toMatchObject({ code: body.code });
    return res.body.id as string;
  };

  const ENTITLEMENTS = `query($id: UUID!, $asOf: String, $lang: Language) {
    entitlements(personId: $id, asOf: $asOf, language: $lang, purpose: ELIGIBILITY_ASSESSMENT) {
      personId asOf language withheldProgrammes
      entitlements {
        programmeId programmeCode outcome summary amount enrolled howToApply requiredDocuments
        criteria { id status explanation shortfall missing { fact label suppliers } }
        providers { providerId name role proximity distanceKm municipalityCode opensNext { date opensAt closesAt openNow } }
      }
    } }`;
  type Answer = {
    programmeCode: string;
    outcome: string;
    summary: string;
    amount: number | null;
    enrolled: boolean;
    criteria: Array<{
      id: string;
      status: string;
      explanation: string;
      shortfall: number | null;
      missing: Array<{ fact: string; suppliers: string[] }>;
    }>;
    providers: Array<{
      providerId: string;
      proximity: string;
      role: string;
      distanceKm: number | null;
      opensNext: unknown;
    }>;
  };
  const entitlementsOf = async (
    token: string,
    id: string,
    vars: Record<string, unknown> = {},
    headers = {},
  ) => {
    const res = await gql(token, ENTITLEMENTS, { id, ...vars }, headers);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.entitlements as {
      withheldProgrammes: number;
      language: string;
      asOf: string;
      entitlements: Answer[];
    };
  };
  const byCode = (list: Answer[], code: string) => list.find((e) => e.programmeCode === code);

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] }, 'spata-1');
    spataSpecial = await t.token(
      {
        roles: [Role.CENTRE_STAFF],
        municipalities: ['4912', '4904'],
        permissions: [Permission.SPECIAL_CATEGORY],
      },
      'spata-2',
    );

    const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '08:00', closesAt: '16:00' }));
    const provider = async (name: string, municipalityCode: string, latitude: number, longitude: number) => {
      const res = await t.http
        .post('/api/v1/providers')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          kindCode: 'COMMUNITY_CENTRE',
          name,
          municipalityCode,
          locations: [{ address: 'Οδός 1', municipalityCode, latitude, longitude, openingHours: hours }],
        });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    ids.spataCentre = await provider('Κέντρο Κοινότητας Σπάτων', '4912', 37.9614, 23.9125);
    ids.paianiaCentre = await provider('Κέντρο Κοινότητας Παιανίας', '4908', 37.9547, 23.8545);
    ids.alexCentre = await provider('Κέντρο Κοινότητας Αλεξάνδρειας', '0802', 40.6276, 22.4439);

    ids.gmi = await programme(
      {
        code: 'GMI',
        title: 'Ελάχιστο Εγγυημένο Εισόδημα',
        national: true,
        startsOn: '2017-02-01',
        howToApply: 'Αίτηση στο gmi.gov.gr',
        requiredDocuments: ['ΑΦΜ', 'ΑΜΚΑ'],
        administeringProviderId: ids.paianiaCentre,
        deliveringProviderIds: [ids.alexCentre, ids.spataCentre],
      },
      SEEDED_RULES.GMI!,
    );
    ids.local = await programme({
      code: 'SPATA-NO-RULE',
      title: 'Πρόγραμμα χωρίς κανόνα',
      kind: 'SERVICE',
      administeringBody: 'Δήμος Σπάτων',
      fundingSource: 'MUNICIPAL',
      coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '4912' }],
    });
    ids.alexOnly = await programme({
      code: 'ALEX-ONLY',
      title: 'Μόνο Αλεξάνδρεια',
      coverage: [{ areaLevel: 'MUNICIPALITY', areaCode: '0802' }],
    });
    ids.ended = await programme({
      code: 'ENDED-2020',
      title: 'Έληξε το 2020',
      coverage: [{ areaLevel: 'REGION', areaCode: '9' }],
      startsOn: '2019-01-01',
      endsOn: '2020-12-31',
    });
    ids.roma = await programme({
      code: 'ROMA-BRANCH',
      title: 'Παράρτημα Ρομά',
      kind: 'COUNSELLING',
      targetGroups: ['ROMA'],
      coverage: [{ areaLevel: 'REGION', areaCode: '9' }],
    });
    // Targets everyone, but its rule reads the disability percentage (health data).
    ids.disability = await programme(
      { code: 'DISABILITY-ALLOWANCE', title: 'Επίδομα αναπηρίας', national: true },
      SEEDED_RULES['DISABILITY-ALLOWANCE']!,
    );

    const gmiSingle = { legal_residence: true, real_estate_value: 50000, vehicle_value: 2000 };
    ids.maria = await person('4912', 'Μαρία');
    await facts(ids.maria, { ...gmiSingle, household_income_last_6_months: 600 });
    ids.nikos = await person('4912', 'Νίκος');
    await facts(ids.nikos, { ...gmiSingle, household_income_last_6_months: 1450 });
    ids.eleni = await person('4912', 'Ελένη');
    await facts(ids.eleni, gmiSingle);
    ids.alex = await person('0802', 'Σοφία');
    await facts(ids.alex, { ...gmiSingle, household_income_last_6_months: 600 });
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('a registered person', () => {
    it('is eligible for GMI with the amount, and is told how to apply and where to go', async () => {
      const answer = await entitlementsOf(spata, ids.maria!, { asOf: '2024-03-01' });
      const gmi = byCode(answer.entitlements, 'GMI')!;
      expect(gmi).toMatchObject({
        outcome: 'ELIGIBLE',
        amount: 116,
        enrolled: false,
        howToApply: 'Αίτηση στο gmi.gov.gr',
      });
      expect(gmi.criteria.map((c) => c.status)).toEqual(['MET', 'MET', 'MET', 'MET']);
      // Nearest first: Spata itself, then Paiania (same regional unit), then Alexandreia.
      expect(gmi.providers.map((p) => [p.providerId, p.proximity, p.role])).toEqual([
        [ids.spataCentre, 'SAME_MUNICIPALITY', 'DELIVERS'],
        [ids.paianiaCentre, 'SAME_REGIONAL_UNIT', 'ADMINISTERS'],
        [ids.alexCentre, 'ELSEWHERE', 'DELIVERS'],
      ]);
      expect(gmi.providers[2]!.distanceKm).toBeGreaterThan(300);
      expect(gmi.providers[0]!.opensNext).toMatchObject({ opensAt: '08:00', closesAt: '16:00' });
    });

    it('is not eligible with the shortfall explained', async () => {
      const answer = await entitlementsOf(spata, ids.nikos!, { asOf: '2024-03-01', lang: 'EN' });
      const gmi = byCode(answer.entitlements, 'GMI')!;
      expect(gmi.outcome).toBe('NOT_ELIGIBLE');
      expect(gmi.amount).toBeNull();
      const income = gmi.criteria.find((c) => c.id === 'income')!;
      expect(income).toMatchObject({ status: 'NOT_MET', shortfall: 154 });
      expect(income.explanation).toContain('154.00');
      expect(gmi.summary).toBe('Not eligible: 1 of 4 criteria not met');
    });

    it('cannot tell without a fact, naming the fact and who supplies it', async () => {
      const answer = await entitlementsOf(spata, ids.eleni!, { asOf: '2024-03-01', lang: 'EN' });
      const gmi = byCode(answer.entitlements, 'GMI')!;
      expect(gmi.outcome).toBe('CANNOT_TELL');
      const income = gmi.criteria.find((c) => c.id === 'income')!;
      expect(income.status).toBe('MISSING_FACTS');
      expect(income.missing).toEqual([
        {
          fact: 'household_income_last_6_months',
          label: 'Household income of the last 6 months',
          suppliers: ['TAXIS', 'DOCUMENT'],
        },
      ]);
      expect(gmi.summary).toContain('Household income of the last 6 months');
    });

    it('answers for a programme without a rule that staff must assess', async () => {
      const answer = await entitlementsOf(spata, ids.maria!, { lang: 'EN' });
      expect(byCode(answer.entitlements, 'SPATA-NO-RULE')).toMatchObject({
        outcome: 'CANNOT_TELL',
        criteria: [],
        summary: 'There is no eligibility rule: staff must assess eligibility',
      });
    });

    it('lists only programmes running where the person lives on the day asked', async () => {
      const now = await entitlementsOf(spata, ids.maria!);
      const codes = now.entitlements.map((e) => e.programmeCode);
      expect(codes).toContain('SPATA-NO-RULE');
      expect(codes).not.toContain('ALEX-ONLY');
      expect(codes).not.toContain('ENDED-2020');
      const then = await entitlementsOf(spata, ids.maria!, { asOf: '2020-06-01' });
      expect(then.entitlements.map((e) => e.programmeCode)).toContain('ENDED-2020');
    });

    it('reads the parameters in force on the day: before and after the amounts changed in December 2023', async () => {
      const before = byCode(
        (await entitlementsOf(spata, ids.maria!, { asOf: '2023-11-30' })).entitlements,
        'GMI',
      )!;
      const after = byCode(
        (await entitlementsOf(spata, ids.maria!, { asOf: '2023-12-01' })).entitlements,
        'GMI',
      )!;
      expect(before).toMatchObject({ outcome: 'ELIGIBLE', amount: 100 }); // 200 - 600/6
      expect(after).toMatchObject({ outcome: 'ELIGIBLE', amount: 116 }); // 216 - 600/6
    });

    it('explains in Greek by default, in English when asked by argument or Accept-Language', async () => {
      const el = await entitlementsOf(spata, ids.nikos!, { asOf: '2024-03-01' });
      const en = await entitlementsOf(
        spata,
        ids.nikos!,
        { asOf: '2024-03-01' },
        { 'Accept-Language': 'en-GB,en;q=0.9' },
      );
      const arg = await entitlementsOf(
        spata,
        ids.nikos!,
        { asOf: '2024-03-01', lang: 'EL' },
        { 'Accept-Language': 'en' },
      );
      expect(el.language).toBe('EL');
      expect(en.language).toBe('EN');
      expect(arg.language).toBe('EL');
      const explanation = (a: typeof el) =>
        byCode(a.entitlements, 'GMI')!.criteria.find((c) => c.id === 'income')!.explanation;
      expect(explanation(el)).toContain('154,00');
      expect(explanation(en)).toContain('154.00');
      expect(explanation(el)).not.toBe(explanation(en));
      expect(byCode(el.entitlements, 'GMI')!.summary).toBe('Δεν δικαιούται: δεν πληρούνται 1 από 4 κριτήρια');
    });

    it('audits the read against the person with its purpose, and needs one', async () => {
      const before = await auditCount(
        `action = 'entitlement.read' AND subject_id = $1 AND outcome = 'allowed'`,
        [ids.maria],
      );
      await entitlementsOf(spata, ids.maria!);
      const { rows } = await db.query(
        `SELECT purpose, municipality_code FROM audit_event WHERE action = 'entitlement.read' AND subject_id = $1 ORDER BY id DESC LIMIT 1`,
        [ids.maria],
      );
      expect(rows[0]).toEqual({ purpose: 'ELIGIBILITY_ASSESSMENT', municipality_code: '4912' });
      expect(
        await auditCount(`action = 'entitlement.read' AND subject_id = $1 AND outcome = 'allowed'`, [
          ids.maria,
        ]),
      ).toBe(before + 1);
      const noPurpose = await gql(spata, `query($id: UUID!) { entitlements(personId: $id) { personId } }`, {
        id: ids.maria,
      });
      expect(noPurpose.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    });

    it("refuses another municipality's person as not found, and audits nothing as allowed", async () => {
      const res = await gql(spata, ENTITLEMENTS, { id: ids.alex });
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(await auditCount(`subject_id = $1 AND outcome = 'allowed'`, [ids.alex])).toBe(0);
      expect(await auditCount(`subject_id = $1 AND outcome = 'denied'`, [ids.alex])).toBe(1);
    });

    it('withholds special-category programmes without the permission, and shows them with it', async () => {
      const plain = await entitlementsOf(spata, ids.maria!);
      expect(plain.withheldProgrammes).toBe(2);
      const plainCodes = plain.entitlements.map((e) => e.programmeCode);
      expect(plainCodes).not.toContain('ROMA-BRANCH');
      expect(plainCodes).not.toContain('DISABILITY-ALLOWANCE');
      const special = await entitlementsOf(spataSpecial, ids.maria!);
      expect(special.withheldProgrammes).toBe(0);
      expect(special.entitlements.map((e) => e.programmeCode)).toEqual(
        expect.arrayContaining(['ROMA-BRANCH', 'DISABILITY-ALLOWANCE']),
      );
    });
  });

  describe('screening at the desk', () => {
    const SCREEN = `query($input: ScreeningInput!) { screen(input: $input) {
      municipalityCode asOf language withheldProgrammes
      entitlements { programmeCode outcome amount enrolled criteria { id status shortfall missing { fact } } } } }`;
    const single = {
      legal_residence: true,
      household_size: 1,
      household_adults: 1,
      household_minors: 0,
      real_estate_value: 50000,
      vehicle_value: 2000,
    };
    const tables = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM person)::int AS people, (SELECT count(*) FROM person_fact)::int AS facts,
                  (SELECT count(*) FROM audit_event)::int AS audit, (SELECT count(*) FROM enrolment)::int AS enrolments`,
        )
      ).rows[0];

    it('answers from typed facts, writes nothing and audits nothing, without a purpose', async () => {
      const before = await tables();
      const res = await gql(spata, SCREEN, {
        input: {
          municipalityCode: '4912',
          asOf: '2024-03-01',
          facts: { ...single, household_income_last_6_months: 600 },
        },
      });
      expect(res.body.errors).toBeUndefined();
      const gmi = res.body.data.screen.entitlements.find((e: Answer) => e.programmeCode === 'GMI');
      expect(gmi).toMatchObject({ outcome: 'ELIGIBLE', amount: 116, enrolled: false });
      const poorer = await gql(spata, SCREEN, {
        input: {
          municipalityCode: '4912',
          asOf: '2024-03-01',
          facts: { ...single, household_income_last_6_months: 1296.01 },
        },
      });
      const over = poorer.body.data.screen.entitlements.find((e: Answer) => e.programmeCode === 'GMI');
      expect(over.outcome).toBe('NOT_ELIGIBLE');
      expect(over.criteria.find((c: { id: string }) => c.id === 'income').shortfall).toBe(0.01);
      expect(await tables()).toEqual(before);
    });

    it('is open to regions over REST, in the language of Accept-Language', async () => {
      const before = await tables();
      const res = await t.http
        .post('/api/v1/screenings')
        .set('Authorization', `Bearer ${attica}`)
        .set('Accept-Language', 'en')
        .send({ municipalityCode: '4912', asOf: '2024-03-01', facts: { ...single } });
      expect(res.status).toBe(200);
      expect(res.body.language).toBe('EN');
      const gmi = res.body.entitlements.find((e: Answer) => e.programmeCode === 'GMI');
      expect(gmi.outcome).toBe('CANNOT_TELL');
      expect(gmi.criteria.find((c: { id: string }) => c.id === 'income').missing).toEqual([
        {
          fact: 'household_income_last_6_months',
          label: 'Household income of the last 6 months',
          suppliers: ['TAXIS', 'DOCUMENT'],
        },
      ]);
      expect(res.body.withheldProgrammes).toBe(2);
      expect(await tables()).toEqual(before);
    });

    it('refuses an unknown fact or a wrong type, naming the field', async () => {
      const unknown = await t.http
        .post('/api/v1/screenings')
        .set('Authorization', `Bearer ${attica}`)
        .send({ municipalityCode: '4912', facts: { salary: 100 } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('UNKNOWN_FACT');
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'facts.salary' })]);
      const wrong = await gql(spata, SCREEN, {
        input: { municipalityCode: '4912', facts: { age: 'seventy' } },
      });
      expect(wrong.body.errors[0].extensions.code).toBe('WRONG_FACT_TYPE');
      expect(JSON.stringify(wrong.body.errors[0].extensions)).toContain('facts.age');
      const special = await gql(spata, SCREEN, {
        input: { municipalityCode: '4912', facts: { disability_percentage: 80 } },
      });
      expect(special.body.errors[0].extensions.code).toBe('SPECIAL_CATEGORY_FACT');
      const area = await gql(spata, SCREEN, {
        input: { municipalityCode: '4912', facts: { municipality_code: '0802' } },
      });
      expect(area.body.errors[0].extensions.code).toBe('FACT_FROM_MUNICIPALITY');
      const nowhere = await gql(spata, SCREEN, { input: { municipalityCode: '9999', facts: {} } });
      expect(nowhere.body.errors[0].extensions.code).toBe('UNKNOWN_MUNICIPALITY');
    });
  });

  describe('eligible but not enrolled, for outreach', () => {
    const LIST = `query($p: UUID!, $first: Int, $after: String, $m: String) {
      eligibleNotEnrolled(programmeId: $p, first: $first, after: $after, municipalityCode: $m, asOf: "2024-03-01", purpose: CASE_MANAGEMENT) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { personId municipalityCode amount } } } }`;
    let extra: string[];

    beforeAll(async () => {
      extra = [];
      for (const name of ['Άννα', 'Βασιλική', 'Γεωργία']) {
        const id = await person('4912', name);
        await facts(id, {
          legal_residence: true,
          real_estate_value: 0,
          vehicle_value: 0,
          household_income_last_6_months: 0,
        });
        extra.push(id);
      }
    });

    it('pages the likely eligible of the area, leaving out other areas and the enrolled, audited once per request', async () => {
      const rowsBefore = await auditCount();
      const first = await gql(spata, LIST, { p: ids.gmi, first: 2 });
      expect(first.body.errors).toBeUndefined();
      const page1 = first.body.data.eligibleNotEnrolled;
      const expected = [ids.maria!, ...extra].sort();
      expect(page1.totalCount).toBe(expected.length);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const second = await gql(spata, LIST, { p: ids.gmi, first: 2, after: page1.pageInfo.endCursor });
      const page2 = second.body.data.eligibleNotEnrolled;
      expect(page2.pageInfo.hasNextPage).toBe(false);
      const seen = [...page1.edges, ...page2.edges].map(
        (e: { node: { personId: string } }) => e.node.personId,
      );
      expect(seen).toEqual(expected);
      expect(seen).not.toContain(ids.nikos);
      expect(seen).not.toContain(ids.alex);
      const nodes = [...page1.edges, ...page2.edges].map(
        (e: { node: { personId: string; amount: number } }) => e.node,
      );
      expect(nodes.find((n) => n.personId === ids.maria)!.amount).toBe(116); // 216 - 600 / 6
      expect(nodes.find((n) => n.personId === extra[1])!.amount).toBe(216);
      // Two requests, one audit row each: the bulk read, naming the programme and the count.
      expect(await auditCount()).toBe(rowsBefore + 2);
      const { rows } = await db.query(
        `SELECT subject_type, subject_id, purpose, reason FROM audit_event WHERE action = 'entitlement.outreach' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows[0]).toMatchObject({
        subject_type: 'programme',
        subject_id: ids.gmi,
        purpose: 'CASE_MANAGEMENT',
      });
      expect(rows[0].reason).toContain(`${expected.length} likely eligible`);
      // The one row keeps the page's people, so each person's own audit trail still shows the list.
      const bulk = await db.query(
        `SELECT person_ids::text[] AS ids FROM audit_event WHERE action = 'entitlement.outreach' ORDER BY id DESC LIMIT 1`,
      );
      const lastPage = page2.edges.map((e: { node: { personId: string } }) => e.node.personId);
      expect([...bulk.rows[0].ids].sort()).toEqual([...lastPage].sort());
      const auditor = await t.token({ roles: [Role.AUDITOR] }, 'entitlements-auditor');
      const trail = await t.http
        .get(`/api/v1/audit-events?subjectId=${lastPage[0]}&subjectType=person`)
        .set('Authorization', `Bearer ${auditor}`)
        .set('X-Purpose', 'AUDIT_REVIEW');
      expect(trail.status).toBe(200);
      expect(trail.body.items.map((e: { action: string }) => e.action)).toContain('entitlement.outreach');

      await db.query(
        `INSERT INTO enrolment (person_id, programme_id, status, applied_on, source, created_by, updated_by)
         VALUES ($1, $2, 'APPLIED', '2024-02-01', 'CENTRE', 'test', 'test')`,
        [extra[0], ids.gmi],
      );
      const after = await gql(spata, LIST, { p: ids.gmi, first: 10 });
      const people = after.body.data.eligibleNotEnrolled.edges.map(
        (e: { node: { personId: string } }) => e.node.personId,
      );
      expect(people).not.toContain(extra[0]);
      expect(after.body.data.eligibleNotEnrolled.totalCount).toBe(expected.length - 1);
    });

    it('shows nothing of a municipality outside the area, and needs the permission for a special-category programme', async () => {
      const other = await gql(spata, LIST, { p: ids.gmi, m: '0802' });
      expect(other.body.data.eligibleNotEnrolled.totalCount).toBe(0);
      const plain = await gql(spata, LIST, { p: ids.disability });
      expect(plain.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const special = await gql(spataSpecial, LIST, { p: ids.disability });
      expect(special.body.errors).toBeUndefined();
      const national = await gql(admin, LIST, { p: ids.gmi });
      expect(national.body.errors[0].extensions.code).toBe('MUNICIPALITY_REQUIRED');
    });
  });

  describe('enrolling', () => {
    const ENROL = `mutation($i: EnrolInput!) { enrol(input: $i, purpose: CASE_MANAGEMENT) {
      id entitlementAtEnrolment { asOf outcome amount summary withheld criteria { id status } } } }`;

    it('keeps the entitlement at that moment with the enrolment', async () => {
      const res = await gql(spata, ENROL, {
        i: { personId: ids.maria, programmeId: ids.gmi, appliedOn: '2024-03-01' },
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.enrol.entitlementAtEnrolment).toMatchObject({
        asOf: '2024-03-01',
        outcome: 'ELIGIBLE',
        amount: 116,
        withheld: false,
      });
      const { rows } = await db.query(`SELECT entitlement_at_enrolment AS e FROM enrolment WHERE id = $1`, [
        res.body.data.enrol.id,
      ]);
      expect(rows[0].e).toMatchObject({ outcome: 'ELIGIBLE', amount: 116 });
      const answer = await entitlementsOf(spata, ids.maria!);
      expect(byCode(answer.entitlements, 'GMI')!.enrolled).toBe(true);
    });

    it('refuses a programme that does not cover the area, or is not running on the day', async () => {
      const outside = await gql(spata, ENROL, {
        i: { personId: ids.nikos, programmeId: ids.alexOnly, appliedOn: '2024-03-01' },
      });
      expect(outside.body.errors[0].extensions.code).toBe('OUTSIDE_PROGRAMME_COVERAGE');
      const ended = await gql(spata, ENROL, {
        i: { personId: ids.nikos, programmeId: ids.ended, appliedOn: '2024-03-01' },
      });
      expect(ended.body.errors[0].extensions.code).toBe('OUTSIDE_PROGRAMME_PERIOD');
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM enrolment WHERE person_id = $1`, [
        ids.nikos,
      ]);
      expect(rows[0].n).toBe(0);
    });
  });
});
