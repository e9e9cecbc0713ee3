import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { Permission, Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PERSON_FIELDS =
  'id municipalityCode givenName surname givenNameLatin surnameLatin birthDate age afm amka status version';
const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) {
    __typename
    ... on PersonRegistered { likelyDuplicates beneficiary { ${PERSON_FIELDS} } }
    ... on DuplicatePerson { identifier inYourArea message existing { id } }
  }
}`;

let serial = 100;
/** A person with valid, unique identifiers; names and dates as given. */
function person(overrides: Record<string, unknown> = {}) {
  const birthDate = (overrides.birthDate as string) ?? '1980-05-17';
  serial += 1;
  return {
    givenName: 'Γεώργιος',
    surname: 'Παπαδόπουλος',
    birthDate,
    gender: 'MALE',
    municipalityCode: '4912',
    afm: makeAfm(String(10000000 + serial * 37)),
    amka: makeAmka(birthDate, serial),
    ...overrides,
  };
}

describe('beneficiary registry over HTTP', () => {
  let t: TestApp;
  let spata: string; // centre of Spata-Artemida, also serving Kropia
  let spataSocial: string; // same centre, with the special-category permission
  let alexandreia: string;
  let admin: string;

  const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };
  /** Mutations return personal data, so they declare a purpose too. */
  const write = { 'X-Purpose': 'REGISTRATION' };
  const count = async (table: string) =>
    Number((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

  async function register(token: string, input: Record<string, unknown>) {
    const res = await t.gql(token, REGISTER, { input }, write);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.registerPerson;
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
  });
  afterAll(() => t.close());

  describe('registration', () => {
    it('registers a person of its area, derives the Latin names by ELOT 743 and keeps a history row', async () => {
      const input = person({ givenName: 'Ευάγγελος', surname: 'Μπακογιάννης' });
      const result = await register(spata, input);
      expect(result.__typename).toBe('PersonRegistered');
      expect(result.beneficiary).toMatchObject({
        givenNameLatin: 'EVANGELOS',
        surnameLatin: 'BAKOGIANNIS',
        municipalityCode: '4912',
        status: 'ACTIVE',
        version: 1,
      });
      const id = result.beneficiary.id;
      const history = await t.db.query(`SELECT change, changed_by FROM person_history WHERE person_id = $1`, [
        id,
      ]);
      expect(history).toEqual([{ change: 'CREATED', changed_by: 'spata-1' }]);
      const audit = await t.db.query(
        `SELECT action, outcome, actor_id FROM audit_event WHERE subject_id = $1 AND action = 'person.create'`,
        [id],
      );
      expect(audit).toEqual([{ action: 'person.create', outcome: 'allowed', actor_id: 'spata-1' }]);
    });

    it("refuses to register a person in another centre's municipality, writing nothing", async () => {
      const before = await count('person');
      const res = await t.gql(alexandreia, REGISTER, { input: person({ municipalityCode: '4912' }) }, write);
      expect(res.body.errors[0].extensions.code).toBe('OUTSIDE_YOUR_AREA');
      expect(await count('person')).toBe(before);
    });

    it.each([
      ['a wrong AFM check digit', { afm: '090000046' }, 'BAD_USER_INPUT', 'afm'],
      ['a wrong AMKA check digit', { amka: '01013099999' }, 'BAD_USER_INPUT', 'amka'],
      ['an AMKA that is not a date', { amka: '32013099995' }, 'BAD_USER_INPUT', 'amka'],
      ['an AMKA of another birth date', { amka: '01013099997' }, 'AMKA_BIRTH_DATE_MISMATCH', 'amka'],
      [
        'a birth date in the future',
        { birthDate: '2999-01-01', amka: undefined },
        'BIRTH_DATE_IN_FUTURE',
        'birthDate',
      ],
      ['a name with digits', { surname: 'Παπα1' }, 'BAD_USER_INPUT', 'surname'],
      ['an unknown municipality', { municipalityCode: '9999' }, 'UNKNOWN_MUNICIPALITY', undefined],
    ])('refuses %s with a typed error and writes nothing', async (_label, change, code, field) => {
      const before = await count('person');
      const res = await t.gql(spata, REGISTER, { input: { ...person(), ...change } }, write);
      expect(res.body.errors[0].extensions.code).toBe(code);
      if (field)
        expect(res.body.errors[0].extensions.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(res.body.errors[0].message).not.toMatch(/at .*\.js|stack/i);
      expect(await count('person')).toBe(before);
    });

    it('refuses fields a client may not set (status, createdBy)', async () => {
      const res = await t.gql(spata, REGISTER, { input: { ...person(), status: 'CLOSED' } }, write);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.body.errors)).toMatch(/status/);
    });

    it('answers a known AMKA in the area with the existing record, and in another area without revealing it', async () => {
      const input = person();
      const first = await register(spata, input);
      const again = await register(spata, { ...person(), amka: input.amka, birthDate: input.birthDate });
      expect(again).toMatchObject({
        __typename: 'DuplicatePerson',
        identifier: 'AMKA',
        inYourArea: true,
        existing: { id: first.beneficiary.id },
      });
      const elsewhere = await register(alexandreia, {
        ...person({ municipalityCode: '0802' }),
        afm: input.afm,
      });
      expect(elsewhere).toMatchObject({
        __typename: 'DuplicatePerson',
        identifier: 'AFM',
        inYourArea: false,
        existing: null,
      });
      expect(elsewhere.message).toMatch(/another area/);
      expect(JSON.stringify(elsewhere)).not.toContain(first.beneficiary.id);
    });
  });

  describe('reading and searching', () => {
    let papadopoulos: { id: string; version: number; amka: string; afm: string };
    beforeAll(async () => {
      const r = await register(
        spata,
        person({ givenName: 'Δημήτριος', surname: 'Παπαδόπουλος', birthDate: '1975-03-02' }),
      );
      papadopoulos = r.beneficiary;
      await register(
        alexandreia,
        person({
          givenName: 'Δημήτριος',
          surname: 'Παπαδόπουλος',
          municipalityCode: '0802',
          birthDate: '1969-07-07',
        }),
      );
    });

    it('needs a declared purpose, and records the read with it', async () => {
      const q = `query($id: UUID!) { beneficiary(id: $id) { id } }`;
      const without = await t.gql(spata, q, { id: papadopoulos.id });
      expect(without.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      const ok = await t.gql(spata, q, { id: papadopoulos.id }, purpose);
      expect(ok.body.data.beneficiary.id).toBe(papadopoulos.id);
      const rows = await t.db.query(
        `SELECT purpose, actor_id FROM audit_event WHERE subject_id = $1 AND action = 'person.read' AND outcome = 'allowed'`,
        [papadopoulos.id],
      );
      expect(rows).toContainEqual({ purpose: 'CASE_MANAGEMENT', actor_id: 'spata-1' });
    });

    it("answers another area's person as not found, and audits the refusal", async () => {
      const res = await t.gql(
        alexandreia,
        `query($id: UUID!) { beneficiary(id: $id) { id } }`,
        { id: papadopoulos.id },
        purpose,
      );
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const missing = await t.gql(
        alexandreia,
        `{ beneficiary(id: "00000000-0000-4000-8000-000000000000") { id } }`,
        {},
        purpose,
      );
      expect(missing.body.errors[0].message.replace(/[0-9a-f-]{36}/, 'X')).toBe(
        res.body.errors[0].message.replace(/[0-9a-f-]{36}/, 'X'),
      );
      const denied = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1 AND outcome = 'denied' AND actor_id = 'alex-1'`,
        [papadopoulos.id],
      );
      expect(denied[0].n).toBeGreaterThan(0);
    });

    it.each([
      'Παπαδοπουλος',
      'ΠΑΠΑΔΟΠΟΥΛΟΣ',
      'PAPADOPOULOS',
      'papadopulos',
      'Papadopoulos Dimitrios',
      'παπαδοπουλου',
      'papadoplos',
      'Dimitris Papadopoulos',
      'Παπαδ',
    ])('finds "Παπαδόπουλος" by %s, only in its own area', async (text) => {
      const q = `query($s: String!) { beneficiaries(search: $s, first: 50) { totalCount edges { node { id municipalityCode } } } }`;
      const res = await t.gql(spata, q, { s: text }, purpose);
      const nodes = res.body.data.beneficiaries.edges.map(
        (e: { node: { id: string; municipalityCode: string } }) => e.node,
      );
      expect(nodes.map((n: { id: string }) => n.id)).toContain(papadopoulos.id);
      expect(
        nodes.every((n: { municipalityCode: string }) => ['4912', '4904'].includes(n.municipalityCode)),
      ).toBe(true);
    });

    it('finds exactly by AMKA and AFM, filters by birth year, and pages with cursors', async () => {
      const byAmka = await t.gql(
        spata,
        `query($a: String) { beneficiaryByIdentifier(amka: $a) { id } }`,
        { a: papadopoulos.amka },
        purpose,
      );
      expect(byAmka.body.data.beneficiaryByIdentifier.id).toBe(papadopoulos.id);
      const otherArea = await t.gql(
        alexandreia,
        `query($a: String) { beneficiaryByIdentifier(amka: $a) { id } }`,
        { a: papadopoulos.amka },
        purpose,
      );
      expect(otherArea.body.data.beneficiaryByIdentifier).toBeNull();
      const year = await t.gql(
        spata,
        `{ beneficiaries(search: "papadopoulos", birthYear: 1975) { totalCount edges { node { id } } } }`,
        {},
        purpose,
      );
      expect(year.body.data.beneficiaries.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
        papadopoulos.id,
      ]);

      for (const surname of ['Αλφα', 'Βήτα', 'Γάμμα'])
        await register(spata, person({ givenName: 'Σελίδα', surname }));
      const all = await t.gql(
        spata,
        `{ beneficiaries(first: 100) { totalCount edges { node { id } } } }`,
        {},
        purpose,
      );
      const total = all.body.data.beneficiaries.totalCount;
      expect(total).toBeGreaterThan(3);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: {
          body: {
            data: {
              beneficiaries: {
                edges: Array<{ node: { id: string } }>;
                pageInfo: { hasNextPage: boolean; endCursor: string };
              };
            };
          };
        } = await t.gql(
          spata,
          `query($after: String) { beneficiaries(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
          { after },
          purpose,
        );
        seen.push(...page.body.data.beneficiaries.edges.map((e) => e.node.id));
        after = page.body.data.beneficiaries.pageInfo.hasNextPage
          ? page.body.data.beneficiaries.pageInfo.endCursor
          : null;
      } while (after);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
    });

    it('refuses a page larger than the cap', async () => {
      const res = await t.gql(spata, `{ beneficiaries(first: 1000) { totalCount } }`, {}, purpose);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('serves REST search and look-up with the same scope, as problem+json on refusal', async () => {
      const list = await t.http
        .get('/api/v1/beneficiaries?q=papadopoulos')
        .set('Authorization', `Bearer ${spata}`)
        .set(purpose);
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(papadopoulos.id);
      const other = await t.http
        .get(`/api/v1/beneficiaries/${papadopoulos.id}`)
        .set('Authorization', `Bearer ${alexandreia}`)
        .set(purpose);
      expect(other.status).toBe(404);
      expect(other.headers['content-type']).toMatch(/problem\+json/);
    });
  });

  describe('special-category data', () => {
    let id: string;
    beforeAll(async () => {
      id = (
        await register(
          spata,
          person({ givenName: 'Μαρία', surname: 'Γεωργίου', gender: 'FEMALE', birthDate: '2015-02-10' }),
        )
      ).beneficiary.id;
    });
    const ADD = `mutation($input: AddGroupMembershipInput!) { addGroupMembership(input: $input) { id group } }`;

    it('needs special_category to record Roma origin, and hides it from others', async () => {
      const input = { personId: id, group: 'ROMA', basis: 'SELF_DECLARED', validFrom: '2024-01-01' };
      const refused = await t.gql(spata, ADD, { input }, write);
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(await t.db.query(`SELECT 1 FROM person_group WHERE person_id = $1`, [id])).toHaveLength(0);
      const ok = await t.gql(spataSocial, ADD, { input }, write);
      expect(ok.body.data.addGroupMembership.group).toBe('ROMA');
      await t.gql(spata, ADD, { input: { ...input, group: 'DESTITUTE' } }, write);

      const q = `query($id: UUID!) { beneficiary(id: $id) { groups { group basis } } }`;
      const plain = await t.gql(spata, q, { id }, purpose);
      expect(plain.body.data.beneficiary.groups.map((g: { group: string }) => g.group).sort()).toEqual([
        'CHILD',
        'DESTITUTE',
      ]);
      const special = await t.gql(spataSocial, q, { id }, purpose);
      expect(special.body.data.beneficiary.groups.map((g: { group: string }) => g.group).sort()).toEqual([
        'CHILD',
        'DESTITUTE',
        'ROMA',
      ]);

      const search = await t.gql(spata, `{ beneficiaries(group: ROMA) { totalCount } }`, {}, purpose);
      expect(search.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const allowed = await t.gql(
        spataSocial,
        `{ beneficiaries(group: ROMA) { edges { node { id } } } }`,
        {},
        purpose,
      );
      expect(allowed.body.data.beneficiaries.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
        id,
      ]);
    });

    it('refuses to record a derived group', async () => {
      const res = await t.gql(
        spata,
        ADD,
        {
          input: { personId: id, group: 'ELDERLY', basis: 'DOCUMENT', validFrom: '2024-01-01' },
        },
        write,
      );
      expect(res.body.errors[0].extensions.code).toBe('DERIVED_GROUP');
    });

    it('hides ESF minority and disability answers without the permission and refuses to set them', async () => {
      const input = {
        personId: id,
        employmentStatus: 'INACTIVE',
        educationLevel: 'ISCED_0_2',
        migrantOrForeignBackground: 'NO',
        homelessOrHousingExclusion: 'PREFER_NOT_TO_ANSWER',
        ruralArea: 'NO',
      };
      const SET = `mutation($input: EsfParticipationInput!) { setEsfParticipation(input: $input) { minority employmentStatus } }`;
      const refused = await t.gql(spata, SET, { input: { ...input, minority: 'YES' } }, write);
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const set = await t.gql(spataSocial, SET, { input: { ...input, minority: 'YES' } }, write);
      expect(set.body.data.setEsfParticipation.minority).toBe('YES');
      const plainRead = await t.gql(
        spata,
        `query($id: UUID!) { beneficiary(id: $id) { esf { minority employmentStatus } } }`,
        { id },
        purpose,
      );
      expect(plainRead.body.data.beneficiary.esf).toEqual({ minority: null, employmentStatus: 'INACTIVE' });
    });
  });

  describe('changes, history and concurrency', () => {
    const UPDATE = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { id surname surnameLatin version } }`;
    let p: { id: string; version: number; surname: string };
    beforeAll(async () => {
      p = (
        await register(
          spata,
          person({ givenName: 'Ελένη', surname: 'Νικολάου', gender: 'FEMALE', birthDate: '1990-11-30' }),
        )
      ).beneficiary;
    });

    it('keeps every change with who, when and the old values, and reads the person as of a date', async () => {
      const before = new Date();
      await new Promise((r) => setTimeout(r, 20));
      const res = await t.gql(
        spata,
        UPDATE,
        { input: { id: p.id, version: 1, surname: 'Νικολαΐδου' } },
        write,
      );
      expect(res.body.data.updatePerson).toMatchObject({
        surname: 'Νικολαΐδου',
        surnameLatin: 'NIKOLAIDOU',
        version: 2,
      });
      const hist = await t.gql(
        spata,
        `query($id: UUID!) { beneficiary(id: $id) { history { totalCount edges { node { change changedBy fields { field oldValue newValue } } } } } }`,
        { id: p.id },
        purpose,
      );
      const changes = hist.body.data.beneficiary.history.edges.map((e: { node: unknown }) => e.node);
      expect(changes[0]).toMatchObject({ change: 'UPDATED', changedBy: 'spata-1' });
      expect(changes[0].fields).toEqual(
        expect.arrayContaining([
          { field: 'surname', oldValue: 'Νικολάου', newValue: 'Νικολαΐδου' },
          { field: 'surnameLatin', oldValue: 'NIKOLAOU', newValue: 'NIKOLAIDOU' },
        ]),
      );
      const asOf = await t.gql(
        spata,
        `query($id: UUID!, $at: DateTime!) { beneficiaryAsOf(id: $id, at: $at) { surname version } }`,
        { id: p.id, at: before.toISOString() },
        purpose,
      );
      expect(asOf.body.data.beneficiaryAsOf).toEqual({ surname: 'Νικολάου', version: 1 });
    });

    it('refuses the later of two concurrent edits made from the same version, losing neither silently', async () => {
      const [a, b] = await Promise.all([
        t.gql(spata, UPDATE, { input: { id: p.id, version: 2, phone: '2101111111' } }, write),
        t.gql(spata, UPDATE, { input: { id: p.id, version: 2, phone: '2102222222' } }, write),
      ]);
      const outcomes = [a, b].map((r) => (r.body.errors ? r.body.errors[0].extensions.code : 'OK')).sort();
      expect(outcomes).toEqual(['OK', 'STALE_VERSION']);
      const [row] = await t.db.query(`SELECT phone, version FROM person WHERE id = $1`, [p.id]);
      const winner = [a, b].find((r) => !r.body.errors)!;
      expect(row.version).toBe(3);
      expect(winner.body.data.updatePerson.version).toBe(3);
      expect(['2101111111', '2102222222']).toContain(row.phone);
    });

    it("does not let another area's centre change the person", async () => {
      const res = await t.gql(
        alexandreia,
        UPDATE,
        { input: { id: p.id, version: 3, surname: 'Άλλη' } },
        write,
      );
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const [row] = await t.db.query(`SELECT surname FROM person WHERE id = $1`, [p.id]);
      expect(row.surname).toBe('Νικολαΐδου');
    });

    it('hands a person over to another municipality: the old centre loses them, the new one has them', async () => {
      const moved = await t.gql(
        spata,
        `mutation($input: MovePersonInput!) { movePerson(input: $input) { municipalityCode version } }`,
        { input: { id: p.id, version: 3, municipalityCode: '0802', address: 'Αλεξάνδρεια' } },
        write,
      );
      expect(moved.body.data.movePerson.municipalityCode).toBe('0802');
      const q = `query($id: UUID!) { beneficiary(id: $id) { id } }`;
      expect((await t.gql(spata, q, { id: p.id }, purpose)).body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect((await t.gql(alexandreia, q, { id: p.id }, purpose)).body.data.beneficiary.id).toBe(p.id);
    });

    it('closes a record: it leaves searches but keeps its history', async () => {
      const r = await register(spata, person({ givenName: 'Σπυρίδων', surname: 'Κλειστός' }));
      const closed = await t.gql(
        spata,
        `mutation($input: ClosePersonInput!) { closePerson(input: $input) { status closedReason } }`,
        { input: { id: r.beneficiary.id, version: 1, reason: 'moved abroad' } },
        write,
      );
      expect(closed.body.data.closePerson).toEqual({ status: 'CLOSED', closedReason: 'moved abroad' });
      const search = await t.gql(spata, `{ beneficiaries(search: "Κλειστός") { totalCount } }`, {}, purpose);
      expect(search.body.data.beneficiaries.totalCount).toBe(0);
      const withClosed = await t.gql(
        spata,
        `{ beneficiaries(search: "Κλειστός", includeClosed: true) { totalCount } }`,
        {},
        purpose,
      );
      expect(withClosed.body.data.beneficiaries.totalCount).toBe(1);
    });
  });

  describe('households', () => {
    it('derives size, adults and minors, and refuses members from another area', async () => {
      const mother = (
        await register(
          spata,
          person({ givenName: 'Άννα', surname: 'Οικογένεια', gender: 'FEMALE', birthDate: '1985-01-20' }),
        )
      ).beneficiary;
      const child = (
        await register(spata, person({ givenName: 'Νίκος', surname: 'Οικογένεια', birthDate: '2016-06-06' }))
      ).beneficiary;
      const stranger = (
        await register(
          alexandreia,
          person({ municipalityCode: '0802', givenName: 'Ξένος', surname: 'Αλλού' }),
        )
      ).beneficiary;
      const created = await t.gql(
        spata,
        `mutation($input: CreateHouseholdInput!) { createHousehold(input: $input) { id size } }`,
        { input: { referencePersonId: mother.id, address: 'Σπάτα' } },
        write,
      );
      const householdId = created.body.data.createHousehold.id;
      const ADD = `mutation($input: AddHouseholdMemberInput!) { addHouseholdMember(input: $input) { size adults minors members { relationship person { givenName } } } }`;
      const added = await t.gql(
        spata,
        ADD,
        { input: { householdId, personId: child.id, relationship: 'CHILD' } },
        purpose,
      );
      expect(added.body.errors).toBeUndefined();
      expect(added.body.data.addHouseholdMember).toMatchObject({ size: 2, adults: 1, minors: 1 });
      expect(added.body.data.addHouseholdMember.members[0]).toEqual({
        relationship: 'REFERENCE_PERSON',
        person: { givenName: 'Άννα' },
      });

      const refused = await t.gql(
        spata,
        ADD,
        {
          input: { householdId, personId: stranger.id, relationship: 'OTHER_RELATIVE' },
        },
        write,
      );
      expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const again = await t.gql(
        spata,
        ADD,
        {
          input: { householdId, personId: child.id, relationship: 'CHILD' },
        },
        write,
      );
      expect(again.body.errors[0].extensions.code).toBe('ALREADY_IN_HOUSEHOLD');
      const foreign = await t.gql(
        alexandreia,
        `query($id: UUID!) { household(id: $id) { id } }`,
        { id: householdId },
        purpose,
      );
      expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');

      const viaPerson = await t.gql(
        spata,
        `query($id: UUID!) { beneficiary(id: $id) { household { id size } } }`,
        { id: child.id },
        purpose,
      );
      expect(viaPerson.body.data.beneficiary.household).toEqual({ id: householdId, size: 2 });
      const leaveFirst = await t.gql(
        spata,
        `mutation($input: RemoveHouseholdMemberInput!) { removeHouseholdMember(input: $input) { size } }`,
        { input: { householdId, personId: mother.id } },
        write,
      );
      expect(leaveFirst.body.errors[0].extensions.code).toBe('REFERENCE_PERSON_REQUIRED');
    });
  });

  describe('likely duplicates and merging', () => {
    it('queues same-birth-date people with names alike across scripts, and merges without losing history', async () => {
      const greek = (
        await register(
          spata,
          person({
            givenName: 'Κωνσταντίνος',
            surname: 'Αθανασίου',
            birthDate: '1962-04-04',
            afm: undefined,
          }),
        )
      ).beneficiary;
      const latin = await register(spata, {
        ...person({
          givenName: 'Konstantinos',
          surname: 'Athanasiou',
          birthDate: '1962-04-04',
          amka: undefined,
        }),
        phone: '6900000000',
      });
      expect(latin.likelyDuplicates).toBe(1);
      const list = await t.gql(
        spata,
        `{ duplicateReviews { totalCount edges { node { id reason personA { id } personB { id } } } } }`,
        {},
        { 'X-Purpose': 'DUPLICATE_REVIEW' },
      );
      expect(list.body.errors).toBeUndefined();
      const review = list.body.data.duplicateReviews.edges
        .map((e: { node: { id: string; personA: { id: string }; personB: { id: string } } }) => e.node)
        .find(
          (n: { personA: { id: string }; personB: { id: string } }) =>
            [n.personA.id, n.personB.id].sort().join() === [greek.id, latin.beneficiary.id].sort().join(),
        );
      expect(review.reason).toMatch(/same birth date/);
      const other = await t.gql(
        alexandreia,
        `{ duplicateReviews { totalCount } }`,
        {},
        { 'X-Purpose': 'DUPLICATE_REVIEW' },
      );
      expect(other.body.data.duplicateReviews.totalCount).toBe(0);
      const foreignMerge = await t.gql(
        alexandreia,
        `mutation($r: UUID!, $s: UUID!) { mergePeople(reviewId: $r, survivorId: $s) { id } }`,
        {
          r: review.id,
          s: greek.id,
        },
        write,
      );
      expect(foreignMerge.body.errors[0].extensions.code).toBe('NOT_FOUND');

      const merged = await t.gql(
        spata,
        `mutation($r: UUID!, $s: UUID!) { mergePeople(reviewId: $r, survivorId: $s) { id afm amka phone } }`,
        { r: review.id, s: greek.id },
        write,
      );
      expect(merged.body.data.mergePeople).toMatchObject({
        id: greek.id,
        amka: greek.amka,
        afm: latin.beneficiary.afm,
        phone: '6900000000',
      });
      const [gone] = await t.db.query(`SELECT status, merged_into FROM person WHERE id = $1`, [
        latin.beneficiary.id,
      ]);
      expect(gone).toEqual({ status: 'MERGED', merged_into: greek.id });
      const hist = await t.gql(
        spata,
        `query($id: UUID!) { beneficiary(id: $id) { history(first: 20) { edges { node { personId change } } } } }`,
        { id: greek.id },
        purpose,
      );
      const changes = hist.body.data.beneficiary.history.edges.map(
        (e: { node: { personId: string; change: string } }) => e.node,
      );
      expect(changes).toEqual(
        expect.arrayContaining([
          { personId: greek.id, change: 'CREATED' },
          { personId: latin.beneficiary.id, change: 'CREATED' },
          { personId: latin.beneficiary.id, change: 'MERGED_INTO' },
          { personId: greek.id, change: 'MERGED_FROM' },
        ]),
      );
      const byAfm = await t.gql(
        spata,
        `query($a: String) { beneficiaryByIdentifier(afm: $a) { id } }`,
        { a: latin.beneficiary.afm },
        purpose,
      );
      expect(byAfm.body.data.beneficiaryByIdentifier.id).toBe(greek.id);
    });
  });

  describe('data export (GDPR Art. 15)', () => {
    it('gives all the data and every look-up with its purpose, only for a data subject request with special_category', async () => {
      const p = (await register(spata, person({ givenName: 'Ιωάννης', surname: 'Εξαγωγής' }))).beneficiary;
      await t.gql(
        spata,
        `query($id: UUID!) { beneficiary(id: $id) { id } }`,
        { id: p.id },
        { 'X-Purpose': 'ELIGIBILITY_ASSESSMENT' },
      );
      const programme = await t.gql(
        admin,
        `mutation($i: ProgrammeInput!) { createProgramme(input: $i) { id } }`,
        {
          i: {
            code: 'TEBA',
            title: 'ΤΕΒΑ: επισιτιστική βοήθεια',
            kind: 'IN_KIND_AID',
            administeringBody: 'Υπουργείο Κοινωνικής Συνοχής',
            fundingSource: 'ESF',
            national: true,
            targetGroups: ['DESTITUTE'],
            startsOn: '2021-01-01',
          },
        },
      );
      expect(programme.body.errors).toBeUndefined();
      const enrolled = await t.gql(
        spata,
        `mutation($i: EnrolInput!) { enrol(input: $i, purpose: ELIGIBILITY_ASSESSMENT) { id person { surname } } }`,
        {
          i: { personId: p.id, programmeId: programme.body.data.createProgramme.id, appliedOn: '2026-02-01' },
        },
      );
      expect(enrolled.body.errors).toBeUndefined();
      expect(enrolled.body.data.enrol.person).toEqual({ surname: 'Εξαγωγής' });
      const url = `/api/v1/beneficiaries/${p.id}/export`;
      const plain = await t.http
        .get(url)
        .set('Authorization', `Bearer ${spata}`)
        .set('X-Purpose', 'DATA_SUBJECT_REQUEST');
      expect(plain.status).toBe(403);
      const wrongPurpose = await t.http.get(url).set('Authorization', `Bearer ${spataSocial}`).set(purpose);
      expect(wrongPurpose.status).toBe(400);
      const foreign = await t.http
        .get(url)
        .set('Authorization', `Bearer ${admin}`)
        .set('X-Purpose', 'DATA_SUBJECT_REQUEST');
      expect(foreign.status).toBe(200);
      const res = await t.http
        .get(url)
        .set('Authorization', `Bearer ${spataSocial}`)
        .set('X-Purpose', 'DATA_SUBJECT_REQUEST');
      expect(res.status).toBe(200);
      expect(res.body.person).toMatchObject({ id: p.id, surname: 'Εξαγωγής' });
      expect(res.body.history[0].change).toBe('CREATED');
      expect(res.body.enrolments).toEqual([
        expect.objectContaining({ programmeCode: 'TEBA', status: 'APPLIED', appliedOn: '2026-02-01' }),
      ]);
      expect(res.body.accessLog).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'person.read',
            purpose: 'ELIGIBILITY_ASSESSMENT',
            actorRoles: ['centre_staff'],
          }),
          expect.objectContaining({ action: 'person.export', purpose: 'DATA_SUBJECT_REQUEST' }),
        ]),
      );
      expect(JSON.stringify(res.body.accessLog)).not.toContain('spata-1');
    });
  });

  it('exports the whole history, however many pages it takes', async () => {
    const p = (await register(spata, person({ givenName: 'Πολύς', surname: 'Ιστορικός' }))).beneficiary;
    await t.db.query(
      `INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
       SELECT p.id, 'spata-1', 'UPDATED', jsonb_build_object('phone', n::text), to_jsonb(p) - 'name_key' - 'phonetic_key'
         FROM person p, generate_series(1, 150) AS n WHERE p.id = $1`,
      [p.id],
    );
    const res = await t.http
      .get(`/api/v1/beneficiaries/${p.id}/export`)
      .set('Authorization', `Bearer ${spataSocial}`)
      .set('X-Purpose', 'DATA_SUBJECT_REQUEST');
    expect(res.status).toBe(200);
    expect(res.body.history).toHaveLength(151);
    expect(res.body.history.at(-1).change).toBe('CREATED');
  });

  describe('REST registration', () => {
    it('answers 201 for a new person and 409 for a known identifier', async () => {
      const input = person({ givenName: 'Αθηνά', surname: 'Ρεστ', gender: 'FEMALE' });
      const created = await t.http
        .post('/api/v1/beneficiaries')
        .set('Authorization', `Bearer ${spata}`)
        .set(write)
        .send(input);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ outcome: 'REGISTERED', beneficiary: { surnameLatin: 'REST' } });
      const again = await t.http
        .post('/api/v1/beneficiaries')
        .set('Authorization', `Bearer ${spata}`)
        .set(write)
        .send({ ...input, afm: undefined });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        outcome: 'DUPLICATE',
        identifier: 'AMKA',
        inYourArea: true,
        existingId: created.body.beneficiary.id,
      });
      const bad = await t.http
        .post('/api/v1/beneficiaries')
        .set('Authorization', `Bearer ${spata}`)
        .set(write)
        .send({ ...input, amka: '123' });
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/problem\+json/);
    });
  });
});
