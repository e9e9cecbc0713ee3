import { randomUUID } from 'node:crypto';
import { Permission, Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 8, items 3, 4, 5, 12 and 16: special-category data through related objects, purpose and
 * audit on every path that returns personal data, what a centre learns of other areas, a review
 * queue that grows linearly, and the staff ids and purposes of the export and the audit trail.
 */
const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) {
    __typename
    ... on PersonRegistered { likelyDuplicates beneficiary { id version municipalityCode } }
  }
}`;
const PROGRAMME = `mutation($i: ProgrammeInput!) { createProgramme(input: $i) { id } }`;
const ENROL = `mutation($i: EnrolInput!) { enrol(input: $i) { id } }`;
const ENROLMENTS = `query($person: UUID, $programme: UUID) {
  enrolments(personId: $person, programmeId: $programme) {
    totalCount edges { node { id person { id surname } programme { code targetGroups } } }
  }
}`;

let serial = 5000;
function person(overrides: Record<string, unknown> = {}) {
  const birthDate = (overrides.birthDate as string) ?? '1975-04-12';
  serial += 1;
  return {
    givenName: 'Ελένη',
    surname: 'Ιδιωτικού',
    birthDate,
    gender: 'FEMALE',
    municipalityCode: '4912',
    afm: makeAfm(String(20000000 + serial * 41)),
    amka: makeAmka(birthDate, serial % 9000),
    ...overrides,
  };
}

describe('privacy of personal data', () => {
  let t: TestApp;
  let spata: string; // Spata-Artemida centre, no special_category
  let spataSocial: string; // same centre, with special_category
  let alexandreia: string;
  let admin: string;
  let auditor: string;

  const casework = { 'X-Purpose': 'CASE_MANAGEMENT' };
  const registration = { 'X-Purpose': 'REGISTRATION' };

  async function ok(token: string, query: string, variables: Record<string, unknown>, headers = casework) {
    const res = await t.gql(token, query, variables, headers);
    expect(res.body.errors).toBeUndefined();
    return res.body.data;
  }

  async function register(token: string, overrides: Record<string, unknown> = {}) {
    const data = await ok(token, REGISTER, { input: person(overrides) }, registration);
    return data.registerPerson as {
      likelyDuplicates: number;
      beneficiary: { id: string; version: number; municipalityCode: string };
    };
  }

  async function programme(code: string, targetGroups: string[]): Promise<string> {
    const data = await ok(admin, PROGRAMME, {
      i: {
        code,
        title: `Πρόγραμμα ${code}`,
        kind: 'CASH_BENEFIT',
        administeringBody: 'ΟΠΕΚΑ',
        fundingSource: 'NATIONAL_BUDGET',
        national: true,
        targetGroups,
        startsOn: '2020-01-01',
      },
    });
    return data.createProgramme.id;
  }

  async function auditRows(where: string, params: unknown[]) {
    return t.db.query(
      `SELECT action, subject_type, subject_id, purpose, outcome, reason FROM audit_event WHERE ${where} ORDER BY id`,
      params,
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] }, 'spata-1');
    spataSocial = await t.token(
      {
        roles: [Role.CENTRE_STAFF],
        municipalities: ['4912', '4904'],
        permissions: [Permission.SPECIAL_CATEGORY],
      },
      'spata-social',
    );
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-1');
    admin = await t.token(
      { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
      'admin-1',
    );
    auditor = await t.token({ roles: [Role.AUDITOR] }, 'auditor-1');
  });
  afterAll(() => t.close());

  describe('special-category data through related objects (item 3)', () => {
    let disability: string;
    let food: string;
    let personId: string;
    let sensitiveEnrolment: string;
    let plainEnrolment: string;

    beforeAll(async () => {
      disability = await programme('DISABILITY-ALLOWANCE', ['DISABILITY']);
      food = await programme('TEBA', ['DESTITUTE']);
      personId = (await register(spata, { surname: 'Αναπηρίας' })).beneficiary.id;
      sensitiveEnrolment = (
        await ok(spataSocial, ENROL, { i: { personId, programmeId: disability, appliedOn: '2026-01-10' } })
      ).enrol.id;
      plainEnrolment = (
        await ok(spata, ENROL, { i: { personId, programmeId: food, appliedOn: '2026-01-10' } })
      ).enrol.id;
    });

    it('lists no one enrolled in a disability programme to a caller without special_category', async () => {
      const without = await ok(spata, ENROLMENTS, { programme: disability });
      expect(without.enrolments).toEqual({ totalCount: 0, edges: [] });
      const withPermission = await ok(spataSocial, ENROLMENTS, { programme: disability });
      expect(withPermission.enrolments.totalCount).toBe(1);
      expect(withPermission.enrolments.edges[0].node.person).toEqual({ id: personId, surname: 'Αναπηρίας' });
    });

    it("leaves a person's special-category enrolments out of their list", async () => {
      const without = await ok(spata, ENROLMENTS, { person: personId });
      expect(without.enrolments.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
        plainEnrolment,
      ]);
      expect(without.enrolments.totalCount).toBe(1);
      const withPermission = await ok(spataSocial, ENROLMENTS, { person: personId });
      expect(withPermission.enrolments.totalCount).toBe(2);
    });

    it('answers NOT_FOUND for such an enrolment by id, exactly like a missing one, and does not change it', async () => {
      const q = `query($id: UUID!) { enrolment(id: $id) { id status } }`;
      const hidden = await t.gql(spata, q, { id: sensitiveEnrolment }, casework);
      const missingId = randomUUID();
      const missing = await t.gql(spata, q, { id: missingId }, casework);
      expect(hidden.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(hidden.body.errors[0].message.replace(sensitiveEnrolment, 'X')).toBe(
        missing.body.errors[0].message.replace(missingId, 'X'),
      );
      const change = `mutation($id: UUID!) { changeEnrolmentStatus(id: $id, input: { status: ACTIVE, on: "2026-01-11" }) { id } }`;
      const refused = await t.gql(spata, change, { id: sensitiveEnrolment }, casework);
      expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const [row] = await t.db.query(`SELECT status FROM enrolment WHERE id = $1`, [sensitiveEnrolment]);
      expect(row.status).toBe('APPLIED');
      expect((await ok(spataSocial, q, { id: sensitiveEnrolment })).enrolment.status).toBe('APPLIED');
    });

    it('refuses to enrol into a special-category programme without the permission, and audits the refusal', async () => {
      const other = (await register(spata, { surname: 'Ρομά' })).beneficiary.id;
      const roma = await programme('ROMA-INCLUSION', ['ROMA', 'FAMILIES']);
      const res = await t.gql(
        spata,
        ENROL,
        { i: { personId: other, programmeId: roma, appliedOn: '2026-01-10' } },
        casework,
      );
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(await t.db.query(`SELECT id FROM enrolment WHERE person_id = $1`, [other])).toEqual([]);
      expect(await auditRows(`action = 'enrolment.create' AND subject_id = $1`, [other])).toEqual([
        expect.objectContaining({ outcome: 'denied', reason: 'missing special_category' }),
      ]);
      await ok(spataSocial, ENROL, { i: { personId: other, programmeId: roma, appliedOn: '2026-01-10' } });
    });

    it('never shows groups, facts or ESF answers of special category, in the person, their history or as of a date', async () => {
      const id = (await register(spata, { surname: 'Ευαίσθητου' })).beneficiary.id;
      await ok(
        spataSocial,
        `mutation($i: AddGroupMembershipInput!) { addGroupMembership(input: $i) { id } }`,
        {
          i: { personId: id, group: 'ROMA', basis: 'SELF_DECLARED', validFrom: '2020-01-01' },
        },
      );
      await ok(
        spataSocial,
        `mutation($i: EsfParticipationInput!) { setEsfParticipation(input: $i) { minority } }`,
        {
          i: {
            personId: id,
            employmentStatus: 'UNEMPLOYED',
            educationLevel: 'ISCED_0_2',
            migrantOrForeignBackground: 'NO',
            minority: 'YES',
            disability: 'YES',
            homelessOrHousingExclusion: 'NO',
            ruralArea: 'NO',
          },
        },
      );
      await t.db.query(
        `INSERT INTO person_fact (person_id, kind, value_numeric, source, as_of, basis) VALUES ($1, 'disability_percentage', 67, 'KEPA', '2025-01-01', 'FEED')`,
        [id],
      );
      const q = `query($id: UUID!, $at: DateTime!) {
        beneficiary(id: $id) {
          groups { group } facts { kind valueNumeric } esf { minority disability }
          history { edges { node { change fields { field oldValue newValue } } } }
        }
        beneficiaryAsOf(id: $id, at: $at) { groups { group } facts { kind } esf { minority disability } }
      }`;
      const vars = { id, at: new Date().toISOString() };
      const hidden = JSON.stringify(await ok(spata, q, vars));
      // 67 as a JSON number (valueNumeric) or a string (history values), never as the start of an id.
      expect(hidden).not.toMatch(/ROMA|DISABILITY|"YES"|"67"|:67[,}]/);
      const shown = JSON.stringify(await ok(spataSocial, q, vars));
      expect(shown).toMatch(/ROMA/);
      expect(shown).toMatch(/DISABILITY_PERCENTAGE/);
      expect(shown).toMatch(/"minority":"YES"/);
    });
  });

  describe('purpose and audit on every path that returns personal data (item 4)', () => {
    it('refuses a no-op updatePerson without a purpose, audited; with one it audits the read', async () => {
      const p = (await register(spata, { surname: 'Ανενεργού' })).beneficiary;
      const update = `mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { id surname household { id } history { totalCount } } }`;
      const refused = await t.gql(spata, update, { i: { id: p.id, version: p.version } });
      expect(refused.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      expect(refused.body.data).toBeNull();
      expect(await auditRows(`action = 'mutation.updatePerson' AND outcome = 'denied'`, [])).toEqual([
        expect.objectContaining({ reason: 'no purpose declared', purpose: null }),
      ]);
      const before = await auditRows(`subject_id = $1 AND action = 'person.read'`, [p.id]);
      const done = await ok(spata, update, { i: { id: p.id, version: p.version } }, registration);
      expect(done.updatePerson.surname).toBe('Ανενεργού');
      const after = await auditRows(`subject_id = $1 AND action = 'person.read'`, [p.id]);
      expect(after.length - before.length).toBe(1);
      expect(after.at(-1)).toMatchObject({
        outcome: 'allowed',
        purpose: 'REGISTRATION',
        subject_type: 'person',
      });
    });

    it('refuses movePerson to the same municipality without a purpose', async () => {
      const p = (await register(spata, { surname: 'Μετακομισμένου' })).beneficiary;
      const move = `mutation($i: MovePersonInput!) { movePerson(input: $i) { id address } }`;
      const i = { id: p.id, version: p.version, municipalityCode: p.municipalityCode };
      const refused = await t.gql(spata, move, { i });
      expect(refused.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      await ok(spata, move, { i }, registration);
      expect(await auditRows(`subject_id = $1 AND action = 'person.read'`, [p.id])).toEqual([
        expect.objectContaining({ outcome: 'allowed', purpose: 'REGISTRATION' }),
      ]);
    });

    it('refuses a REST registration without a purpose, writing nothing', async () => {
      const input = person({ surname: 'Ρεστικού' });
      const before = await t.db.query(`SELECT count(*)::int AS n FROM person`);
      const res = await t.http
        .post('/api/v1/beneficiaries')
        .set('Authorization', `Bearer ${spata}`)
        .send(input);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).code).toBe('PURPOSE_REQUIRED');
      expect(await t.db.query(`SELECT count(*)::int AS n FROM person`)).toEqual(before);
      expect(
        await auditRows(`action = 'POST /api/v1/beneficiaries' AND outcome = 'denied'`, []),
      ).toHaveLength(1);
    });

    it('audits every person a household shows, and every review pair listed', async () => {
      const a = (await register(spata, { surname: 'Νοικοκυριού', givenName: 'Άννα' })).beneficiary.id;
      const b = (await register(spata, { surname: 'Νοικοκυριού', givenName: 'Άννας' })).beneficiary.id;
      const household = (
        await ok(spata, `mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) { id } }`, {
          i: { referencePersonId: a },
        })
      ).createHousehold.id;
      await ok(spata, `mutation($i: AddHouseholdMemberInput!) { addHouseholdMember(input: $i) { id } }`, {
        i: { householdId: household, personId: b, relationship: 'SIBLING' },
      });
      await ok(
        spata,
        `query($id: UUID!) { household(id: $id) { members { personId } } }`,
        { id: household },
        {
          'X-Purpose': 'ELIGIBILITY_ASSESSMENT',
        },
      );
      // One row for the household, one for the read of its two members (their ids in person_ids).
      const read = await t.db.query(
        `SELECT subject_type, subject_id, person_ids FROM audit_event
          WHERE purpose = 'ELIGIBILITY_ASSESSMENT' AND outcome = 'allowed'
            AND (subject_id = ANY($1::text[]) OR person_ids && $2::uuid[])
          ORDER BY subject_type, subject_id`,
        [
          [household, a, b],
          [a, b],
        ],
      );
      expect(read).toEqual([
        { subject_type: 'household', subject_id: household, person_ids: null },
        { subject_type: 'person', subject_id: null, person_ids: expect.arrayContaining([a, b]) },
      ]);
      const reviews = await ok(
        spata,
        `{ duplicateReviews { edges { node { id personAId personBId } } } }`,
        {},
        { 'X-Purpose': 'DUPLICATE_REVIEW' },
      );
      const pair = reviews.duplicateReviews.edges
        .map((e: { node: { id: string; personAId: string; personBId: string } }) => e.node)
        .find(
          (r: { personAId: string; personBId: string }) =>
            [a, b].includes(r.personAId) && [a, b].includes(r.personBId),
        );
      expect(pair).toBeDefined();
      expect(await auditRows(`action = 'duplicate_review.read' AND subject_id = $1`, [pair.id])).toEqual([
        expect.objectContaining({ outcome: 'allowed', purpose: 'DUPLICATE_REVIEW' }),
      ]);
    });
  });

  describe('what a centre learns about people of other areas (item 5)', () => {
    it('counts and shows only likely duplicates of its own area; national reviewers see the others', async () => {
      const twin = { givenName: 'Σπυρίδων', surname: 'Διπλότυπος', gender: 'MALE', birthDate: '1971-03-09' };
      const elsewhere = (await register(alexandreia, { ...twin, municipalityCode: '0802' })).beneficiary.id;
      const here = await register(spata, twin);
      expect(here.likelyDuplicates).toBe(0);
      const reviews = `{ duplicateReviews(first: 100) { edges { node { personAId personBId } } } }`;
      const pairs = (token: string) =>
        ok(token, reviews, {}, { 'X-Purpose': 'DUPLICATE_REVIEW' }).then((d) =>
          d.duplicateReviews.edges.map((e: { node: { personAId: string; personBId: string } }) =>
            [e.node.personAId, e.node.personBId].sort(),
          ),
        );
      const pair = [elsewhere, here.beneficiary.id].sort();
      expect(await pairs(spata)).not.toContainEqual(pair);
      expect(await pairs(alexandreia)).not.toContainEqual(pair);
      expect(await pairs(admin)).toContainEqual(pair);
      // A match in its own area is counted, the one elsewhere still is not.
      const third = await register(spata, twin);
      expect(third.likelyDuplicates).toBe(1);
    });
  });

  describe('the review queue grows linearly (item 12)', () => {
    it('queues each of 81 same-name registrations against at most 5 candidates of the area', async () => {
      const same = { givenName: 'Νικόλαος', surname: 'Πολλαπλός', gender: 'MALE', birthDate: '1966-06-06' };
      const ids: string[] = [];
      let last = 0;
      for (let i = 0; i < 81; i += 1) {
        const r = await register(spata, same);
        ids.push(r.beneficiary.id);
        last = r.likelyDuplicates;
      }
      expect(last).toBe(5);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM duplicate_review WHERE person_a = ANY($1::uuid[]) OR person_b = ANY($1::uuid[])`,
        [ids],
      );
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(5 * 81);
    });
  });

  describe('the export and the audit trail (item 16)', () => {
    it('leaves staff ids out of the export', async () => {
      const id = (await register(spataSocial, { surname: 'Εξαγόμενου' })).beneficiary.id;
      await ok(spataSocial, `mutation($i: GiveConsentInput!) { giveConsent(input: $i) { id } }`, {
        i: { personId: id, purpose: 'REFERRAL_TO_PROVIDERS' },
      });
      const res = await t.http
        .get(`/api/v1/beneficiaries/${id}/export`)
        .set('Authorization', `Bearer ${spataSocial}`)
        .set('X-Purpose', 'DATA_SUBJECT_REQUEST');
      expect(res.status).toBe(200);
      expect(res.body.consents).toHaveLength(1);
      expect(res.body.consents[0]).not.toHaveProperty('givenBy');
      expect(res.body.history[0]).not.toHaveProperty('changedBy');
      expect(res.text).not.toContain('spata-social');
    });

    it('reads the trail only for AUDIT_REVIEW or DATA_SUBJECT_REQUEST, refusing any other purpose with an audited, typed error', async () => {
      const graphql = await t.gql(auditor, `{ auditEvents(first: 1) { totalCount } }`, {}, casework);
      expect(graphql.body.errors[0].extensions.code).toBe('PURPOSE_NOT_ALLOWED');
      const rest = await t.http
        .get('/api/v1/audit-events')
        .set('Authorization', `Bearer ${auditor}`)
        .set('X-Purpose', 'STATISTICS');
      expect(rest.status).toBe(400);
      expect(JSON.parse(rest.text).code).toBe('PURPOSE_NOT_ALLOWED');
      expect(
        await auditRows(`action = 'audit.read' AND outcome = 'denied' AND actor_id = 'auditor-1'`, []),
      ).toEqual([
        expect.objectContaining({
          reason: 'purpose CASE_MANAGEMENT not allowed',
          purpose: 'CASE_MANAGEMENT',
        }),
        expect.objectContaining({ reason: 'purpose STATISTICS not allowed', purpose: 'STATISTICS' }),
      ]);
      for (const purpose of ['AUDIT_REVIEW', 'DATA_SUBJECT_REQUEST']) {
        const allowed = await t.gql(
          auditor,
          `{ auditEvents(first: 1) { totalCount } }`,
          {},
          { 'X-Purpose': purpose },
        );
        expect(allowed.body.data.auditEvents.totalCount).toBeGreaterThan(0);
      }
    });
  });
});
