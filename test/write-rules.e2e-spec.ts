import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { todayInAthens } from '../src/common/athens-time.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ENROL = `mutation($i: EnrolInput!) { enrol(input: $i, purpose: REGISTRATION) { id } }`;
const ADD_GROUP = `mutation($i: AddGroupMembershipInput!) { addGroupMembership(input: $i) { id validTo } }`;
const END_GROUP = `mutation($i: EndGroupMembershipInput!) { endGroupMembership(input: $i) { id validTo } }`;

/** Issue 8, item 15: writes the registries refuse with a typed error, leaving nothing written. */
describe('write rules', () => {
  let t: TestApp;
  // Every operation here returns personal data, so it declares why (rule 18).
  const gql = (token: string, query: string, variables: Record<string, unknown>) =>
    t.gql(token, query, variables, { 'X-Purpose': 'CASE_MANAGEMENT' });
  let db: pg.Client;
  let admin: string;
  let spataStaff: string;
  let spataPerson: string;
  let closedPerson: string;
  let aspropyrgosOnly: string;
  let atticaWide: string;

  const code = (res: { body: { errors?: Array<{ extensions: { code: string } }> } }) =>
    res.body.errors?.[0]?.extensions.code;
  const enrolments = async () =>
    (await db.query(`SELECT count(*)::int AS n FROM enrolment`)).rows[0].n as number;

  const person = async (status = 'ACTIVE') =>
    (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key, status)
         VALUES ('4912', 'Ελένη', 'Γεωργίου', 'Eleni', 'Georgiou', '1970-02-03', 'FEMALE', 'x', 'x', $1) RETURNING id`,
        [status],
      )
    ).rows[0].id as string;

  const programme = async (code: string, coverage: Array<{ areaLevel: string; areaCode: string }>) => {
    const res = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        code,
        title: `Πρόγραμμα ${code}`,
        kind: 'COUNSELLING',
        administeringBody: 'Περιφέρεια Αττικής',
        fundingSource: 'REGIONAL',
        coverage,
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    spataStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-1');
    spataPerson = await person();
    closedPerson = await person('CLOSED');
    aspropyrgosOnly = await programme('ASPROPYRGOS-ONLY', [{ areaLevel: 'MUNICIPALITY', areaCode: '5002' }]);
    atticaWide = await programme('ATTICA-WIDE', [{ areaLevel: 'REGION', areaCode: '9' }]);
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('refuses to enrol a closed person', async () => {
    const before = await enrolments();
    const res = await gql(spataStaff, ENROL, {
      i: { personId: closedPerson, programmeId: atticaWide, appliedOn: '2026-01-10' },
    });
    expect(code(res)).toBe('PERSON_NOT_ACTIVE');
    expect(res.body.errors[0].extensions.fields).toEqual([
      { field: 'personId', reason: 'the record is closed' },
    ]);
    expect(await enrolments()).toBe(before);
  });

  it("refuses to enrol in a programme whose coverage leaves out the person's municipality", async () => {
    const before = await enrolments();
    const res = await gql(spataStaff, ENROL, {
      i: { personId: spataPerson, programmeId: aspropyrgosOnly, appliedOn: '2026-01-10' },
    });
    expect(code(res)).toBe('OUTSIDE_PROGRAMME_COVERAGE');
    expect(res.body.errors[0].extensions.fields).toEqual([
      { field: 'programmeId', reason: "does not cover the person's municipality" },
    ]);
    expect(await enrolments()).toBe(before);
    const covered = await gql(spataStaff, ENROL, {
      i: { personId: spataPerson, programmeId: atticaWide, appliedOn: '2026-01-10' },
    });
    expect(covered.body.errors).toBeUndefined();
    expect(await enrolments()).toBe(before + 1);
  });

  it('refuses to re-date a group membership that has ended, but ends an open one', async () => {
    const added = await gql(spataStaff, ADD_GROUP, {
      i: { personId: spataPerson, group: 'HOMELESS', basis: 'SELF_DECLARED', validFrom: '2024-01-01' },
    });
    expect(added.body.errors).toBeUndefined();
    const membershipId = added.body.data.addGroupMembership.id;
    const ended = await gql(spataStaff, END_GROUP, { i: { membershipId, validTo: '2025-06-30' } });
    expect(ended.body.data.endGroupMembership).toEqual({ id: membershipId, validTo: '2025-06-30' });
    for (const validTo of ['2025-12-31', '2024-03-01']) {
      const redated = await gql(spataStaff, END_GROUP, { i: { membershipId, validTo } });
      expect(code(redated)).toBe('MEMBERSHIP_ENDED');
      expect(redated.body.errors[0].extensions.fields).toEqual([
        { field: 'membershipId', reason: 'already ended' },
      ]);
    }
    const { rows } = await db.query(`SELECT valid_to::text AS valid_to FROM person_group WHERE id = $1`, [
      membershipId,
    ]);
    expect(rows).toEqual([{ valid_to: '2025-06-30' }]);
  });

  it('lets a membership whose end is still ahead be ended earlier', async () => {
    const nextYear = String(Number(todayInAthens().slice(0, 4)) + 1);
    const added = await gql(spataStaff, ADD_GROUP, {
      i: {
        personId: spataPerson,
        group: 'DESTITUTE',
        basis: 'DOCUMENT',
        validFrom: '2024-01-01',
        validTo: `${nextYear}-12-31`,
      },
    });
    const membershipId = added.body.data.addGroupMembership.id;
    const res = await gql(spataStaff, END_GROUP, { i: { membershipId, validTo: todayInAthens() } });
    expect(res.body.data.endGroupMembership.validTo).toBe(todayInAthens());
  });
});
