import pg from 'pg';
import { Permission, Role } from '../src/auth/roles.js';
import { SEEDED_RULES } from '../src/demo/programme-rules.seed.js';
import {
  SPECIAL_CATEGORY_BENEFIT_CODES,
  SPECIAL_CATEGORY_FACT_KINDS,
  SPECIAL_CATEGORY_GROUP_CODES,
} from '../src/auth/special-category.js';
import { BENEFIT_CODES } from '../src/imports/feeds.js';
import { FACT_CATALOGUE } from '../src/eligibility/contracts.js';
import { PROGRAMME_BY_ID, type ProgrammeRow } from '../src/eligibility/entitlements.queries.js';
import { prepareProgramme } from '../src/eligibility/programme-evaluation.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * An outside review of the newer modules as a centre worker of one municipality without
 * special_category (Spata), probing for Art. 9 data that reaches them through facts, enrolments
 * and entitlement explanations. Each case is answered both with and without the permission.
 */
describe('attack review: special-category data through facts and programmes', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: string;
  let spata: string;
  let spataSocial: string;
  const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

  const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await t.gql(token, query, variables, purpose);
    expect(res.body.errors).toBeUndefined();
    return res.body.data;
  };

  const person = async (municipality: string, given: string) =>
    (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         VALUES ($1, $2, 'Ελέγχου', $2, 'Elegchou', '1970-05-01', 'FEMALE', 'x', 'x') RETURNING id`,
        [municipality, given],
      )
    ).rows[0].id as string;

  const programme = async (body: Record<string, unknown>) => {
    const res = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'CASH_BENEFIT',
        administeringBody: 'ΟΠΕΚΑ',
        fundingSource: 'NATIONAL_BUDGET',
        national: true,
        startsOn: '2020-01-01',
        ...body,
      });
    expect(res.body).toMatchObject({ code: body.code });
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token(
      { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
      'admin',
    );
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-reception');
    spataSocial = await t.token(
      { roles: [Role.CENTRE_STAFF], municipalities: ['4912'], permissions: [Permission.SPECIAL_CATEGORY] },
      'spata-social',
    );
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('a disability benefit in the benefits a person receives (OPEKA feed)', () => {
    let id: string;
    beforeAll(async () => {
      id = await person('4912', 'Επιδόματος');
      // As the OPEKA import writes it: every benefit code paid for the period, DISABILITY among them.
      await db.query(
        `INSERT INTO person_fact (person_id, kind, basis, value_list, source, as_of, valid_from)
         VALUES ($1, 'benefits_received', 'FEED', ARRAY['DISABILITY', 'KEA'], 'OPEKA', '2025-01-01', '2025-01-01')`,
        [id],
      );
    });

    const FACTS = `query($id: UUID!) { personFacts(personId: $id, asOf: "2025-06-01") {
      withheld facts { fact value } } }`;
    const RECORDED = `query($id: UUID!) { beneficiary(id: $id) { facts { kind valueList } } }`;

    it('is left out of the facts view without special_category, the other benefits kept', async () => {
      const without = (await ok(spata, FACTS, { id })).personFacts;
      expect(without.facts.find((f: { fact: string }) => f.fact === 'benefits_received')?.value).toEqual([
        'KEA',
      ]);
      expect(without.withheld).toBe(true);
      const withPermission = (await ok(spataSocial, FACTS, { id })).personFacts;
      expect(
        withPermission.facts.find((f: { fact: string }) => f.fact === 'benefits_received')?.value,
      ).toEqual(['DISABILITY', 'KEA']);
      expect(withPermission.withheld).toBe(false);
    });

    it("is left out of the person's recorded facts without special_category", async () => {
      const without = (await ok(spata, RECORDED, { id })).beneficiary.facts;
      expect(without).toEqual([{ kind: 'BENEFITS_RECEIVED', valueList: ['KEA'] }]);
      const withPermission = (await ok(spataSocial, RECORDED, { id })).beneficiary.facts;
      expect(withPermission).toEqual([{ kind: 'BENEFITS_RECEIVED', valueList: ['DISABILITY', 'KEA'] }]);
    });

    it('names benefit codes the OPEKA feed knows', () => {
      for (const code of SPECIAL_CATEGORY_BENEFIT_CODES) expect(BENEFIT_CODES).toContain(code);
    });

    it('leaves out a recorded row that holds nothing else', async () => {
      const only = await person('4912', 'Μόνοεπιδόματος');
      await db.query(
        `INSERT INTO person_fact (person_id, kind, basis, value_list, source, as_of, valid_from)
         VALUES ($1, 'benefits_received', 'FEED', ARRAY['DISABILITY'], 'OPEKA', '2025-01-01', '2025-01-01')`,
        [only],
      );
      expect((await ok(spata, RECORDED, { id: only })).beneficiary.facts).toEqual([]);
      const view = (await ok(spata, FACTS, { id: only })).personFacts;
      expect(view.facts.map((f: { fact: string }) => f.fact)).not.toContain('benefits_received');
      expect(view.withheld).toBe(true);
    });
  });

  describe('a programme whose rule reads a disability fact, though its target groups do not say so', () => {
    let programmeId: string;
    let personId: string;
    let enrolmentId: string;

    beforeAll(async () => {
      const seeded = SEEDED_RULES['DISABILITY-ALLOWANCE']!;
      programmeId = await programme({
        code: 'CARE-SUPPORT',
        title: 'Επίδομα φροντίδας',
        targetGroups: ['ALL_RESIDENTS'],
        eligibilityRule: seeded.rule,
        parameters: seeded.parameters,
        ruleCases: seeded.ruleCases.map((c) => ({ ...c, expectedAmount: undefined })),
      });
      personId = await person('4912', 'Φροντίδας');
      await db.query(
        `INSERT INTO person_fact (person_id, kind, basis, value_numeric, source, as_of, valid_from)
         VALUES ($1, 'disability_percentage', 'FEED', 80, 'KEPA', '2024-01-01', '2024-01-01')`,
        [personId],
      );
      const ENROL = `mutation($i: EnrolInput!) { enrol(input: $i) { id entitlementAtEnrolment { withheld criteria { explanation } } } }`;
      const enrolled = (
        await ok(spataSocial, ENROL, { i: { personId, programmeId, appliedOn: '2025-02-01' } })
      ).enrol;
      // The social worker sees the certified percentage in the explanation kept with the enrolment.
      expect(JSON.stringify(enrolled.entitlementAtEnrolment.criteria)).toContain('80');
      enrolmentId = enrolled.id;
    });

    it('is special-category for entitlements (left out and counted)', async () => {
      const q = `query($id: UUID!) { entitlements(personId: $id, purpose: ELIGIBILITY_ASSESSMENT) {
        withheldProgrammes entitlements { programmeCode } } }`;
      const without = (await ok(spata, q, { id: personId })).entitlements;
      expect(without.entitlements.map((e: { programmeCode: string }) => e.programmeCode)).not.toContain(
        'CARE-SUPPORT',
      );
      expect(without.withheldProgrammes).toBeGreaterThan(0);
    });

    it('so its enrolments are not listed without special_category, nor their kept explanation', async () => {
      const q = `query($person: UUID, $programme: UUID) { enrolments(personId: $person, programmeId: $programme) {
        totalCount edges { node { id entitlementAtEnrolment { criteria { explanation } } } } } }`;
      expect((await ok(spata, q, { person: personId })).enrolments).toEqual({ totalCount: 0, edges: [] });
      expect((await ok(spata, q, { programme: programmeId })).enrolments).toEqual({
        totalCount: 0,
        edges: [],
      });
      expect((await ok(spataSocial, q, { person: personId })).enrolments.totalCount).toBe(1);
    });

    it("leaves it out of the person's enrolled programmes in the facts view", async () => {
      const q = `query($id: UUID!) { personFacts(personId: $id, asOf: "2025-06-01") { withheld facts { fact value } } }`;
      const enrolled = (view: { facts: Array<{ fact: string; value: string[] }> }) =>
        view.facts.find((f) => f.fact === 'enrolled_programmes')?.value;
      const without = (await ok(spata, q, { id: personId })).personFacts;
      expect(enrolled(without)).toEqual([]);
      expect(without.withheld).toBe(true);
      expect(enrolled((await ok(spataSocial, q, { id: personId })).personFacts)).toEqual(['CARE-SUPPORT']);
    });

    it('answers NOT_FOUND for its enrolment by id without special_category', async () => {
      const res = await t.gql(
        spata,
        `query($id: UUID!) { enrolment(id: $id) { id } }`,
        { id: enrolmentId },
        purpose,
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('refuses to enrol into it without special_category', async () => {
      const other = await person('4912', 'Άλληφροντίδας');
      const res = await t.gql(
        spata,
        `mutation($i: EnrolInput!) { enrol(input: $i) { id } }`,
        { i: { personId: other, programmeId, appliedOn: '2025-02-01' } },
        purpose,
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('marks a referral to it special-category, so that it is hidden without the permission', async () => {
      const referral = (
        await ok(spataSocial, `mutation($i: ReferralInput!) { createReferral(input: $i) { id } }`, {
          i: { personId, programmeId, dueOn: '2030-01-01', sharedFields: [] },
        })
      ).createReferral.id as string;
      const res = await t.gql(
        spata,
        `query($id: UUID!) { referral(id: $id) { id } }`,
        { id: referral },
        purpose,
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('one definition of a special-category programme', () => {
    /**
     * What the database (its special_category column) and the entitlements module (prepareProgramme, on
     * the same row without the column) say of a programme with these groups, rule and parameters.
     */
    const special = async (targetGroups: string[], rule: unknown, parameters: string[] = []) => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO programme (code, title, kind, administering_body, funding_source, target_groups, eligibility_rule,
                                search_key, created_by, updated_by)
         VALUES ('P-' || upper(left(md5(random()::text), 20)), 't', 'CASH_BENEFIT', 'x', 'NATIONAL_BUDGET', $1, $2::jsonb,
                 'x', 'test', 'test') RETURNING id`,
        [targetGroups, rule === null ? null : JSON.stringify(rule)],
      );
      const [row] = (await db.query<ProgrammeRow>(PROGRAMME_BY_ID, [rows[0]!.id])).rows;
      const params = parameters.map((name) => ({ name, value: '1', validFrom: '2000-01-01', validTo: null }));
      return {
        column: row!.special_category,
        code: prepareProgramme({ ...row!, parameters: params, special_category: undefined }).specialCategory,
      };
    };
    const criterion = (test: unknown) => ({ criteria: [{ id: 'c', el: 'x', en: 'x', test }] });

    it('agrees with the entitlements module on every seeded rule', async () => {
      for (const [code, seeded] of Object.entries(SEEDED_RULES)) {
        const names = seeded.parameters.map((p) => p.name);
        const { column, code: inCode } = await special(['ALL_RESIDENTS'], seeded.rule, names);
        expect({ code, column }).toEqual({ code, column: inCode });
      }
    });

    it('holds every special-category fact and group of the catalogue (a new one needs a migration)', async () => {
      for (const fact of SPECIAL_CATEGORY_FACT_KINDS) {
        const type = (FACT_CATALOGUE as Record<string, { type: string }>)[fact]!.type;
        const rule = criterion(
          type === 'number' ? { '>=': [{ var: fact }, 1] } : { '==': [{ var: fact }, true] },
        );
        expect({ fact, ...(await special(['ELDERLY'], rule)) }).toEqual({ fact, column: true, code: true });
      }
      for (const group of SPECIAL_CATEGORY_GROUP_CODES) {
        expect({ group, ...(await special([group], null)) }).toEqual({ group, column: true, code: true });
        const rule = criterion({ in: [group, { var: 'groups' }] });
        expect({ group, ...(await special(['ELDERLY'], rule)) }).toEqual({ group, column: true, code: true });
      }
      expect(await special(['ELDERLY'], criterion({ '>=': [{ var: 'age' }, 65] }))).toEqual({
        column: false,
        code: false,
      });
    });

    it('is never narrower in the database than in code: a rule that does not compile still counts', async () => {
      // A parameter the programme lacks: the rule is not evaluated, but it still says what it is about.
      const rule = criterion({ '>=': [{ var: 'disability_percentage' }, { param: 'missing' }] });
      expect(await special(['ELDERLY'], rule)).toEqual({ column: true, code: false });
    });

    it('marks the referrals of a programme that becomes special-category', async () => {
      const plain = await programme({ code: 'LATER-SPECIAL', title: 'Πρόγραμμα', targetGroups: ['ELDERLY'] });
      const who = await person('4912', 'Αργότερα');
      const referral = (
        await ok(spata, `mutation($i: ReferralInput!) { createReferral(input: $i) { id } }`, {
          i: { personId: who, programmeId: plain, dueOn: '2030-01-01', sharedFields: [] },
        })
      ).createReferral.id as string;
      await ok(spata, `query($id: UUID!) { referral(id: $id) { id } }`, { id: referral });
      const res = await t.http
        .put(`/api/v1/programmes/${plain}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({
          code: 'LATER-SPECIAL',
          title: 'Πρόγραμμα',
          kind: 'CASH_BENEFIT',
          administeringBody: 'ΟΠΕΚΑ',
          fundingSource: 'NATIONAL_BUDGET',
          national: true,
          startsOn: '2020-01-01',
          targetGroups: ['ELDERLY', 'DISABILITY'],
        });
      expect(res.status).toBe(200);
      const hidden = await t.gql(
        spata,
        `query($id: UUID!) { referral(id: $id) { id } }`,
        { id: referral },
        purpose,
      );
      expect(hidden.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });
});
