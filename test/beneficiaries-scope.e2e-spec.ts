import pg from 'pg';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { Permission, Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The "other municipality" case for every operation of the beneficiary registry: a centre of
 * Alexandreia (0802) acts on people, households, memberships, consents and reviews of Spata (4912).
 * Each attempt must look like "not found", change nothing and leave a denied row in the audit trail.
 */
const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`;

describe('beneficiary registry: area scope of every operation', () => {
  let t: TestApp;
  let spata: string;
  let spataSocial: string;
  let alexandreia: string;
  let alexandreiaSocial: string;
  let regional: string;
  let admin: string;
  const ids: Record<string, string> = {};

  const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

  async function gqlOk(token: string, query: string, variables: Record<string, unknown> = {}) {
    const res = await t.gql(token, query, variables, purpose);
    expect(res.body.errors).toBeUndefined();
    return res.body.data;
  }

  /** Everything a request could have changed, to compare before and after a refused one. */
  async function fingerprint(): Promise<string> {
    const rows = await t.db.query(
      `SELECT (SELECT json_agg(p ORDER BY id) FROM person p) AS people,
              (SELECT json_agg(g ORDER BY id) FROM person_group g) AS groups,
              (SELECT json_agg(h ORDER BY id) FROM household_member h) AS members,
              (SELECT json_agg(c ORDER BY id) FROM consent c) AS consents,
              (SELECT json_agg(e ORDER BY person_id) FROM esf_participant e) AS esf,
              (SELECT json_agg(r ORDER BY id) FROM duplicate_review r) AS reviews,
              (SELECT count(*) FROM person_history) AS history`,
    );
    return JSON.stringify(rows[0]);
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
    alexandreiaSocial = await t.token(
      { roles: [Role.CENTRE_STAFF], municipalities: ['0802'], permissions: [Permission.SPECIAL_CATEGORY] },
      'alex-social',
    );
    regional = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');

    const people = [
      ['main', 'Σοφία', 'Καραγιάννη', '1970-08-08', 'FEMALE', 1],
      ['twin', 'Sofia', 'Karagianni', '1970-08-08', 'FEMALE', 2],
      ['child', 'Αλέξανδρος', 'Καραγιάννης', '2012-12-12', 'MALE', 3],
    ] as const;
    for (const [key, givenName, surname, birthDate, gender, n] of people) {
      const data = await gqlOk(spata, REGISTER, {
        input: {
          givenName,
          surname,
          birthDate,
          gender,
          municipalityCode: '4912',
          afm: makeAfm(String(20000000 + n)),
          amka: makeAmka(birthDate, n),
        },
      });
      ids[key] = data.registerPerson.beneficiary.id;
    }
    const household = await gqlOk(
      spata,
      `mutation($id: UUID!) { createHousehold(input: { referencePersonId: $id }) { id } }`,
      { id: ids.main },
    );
    ids.household = household.createHousehold.id;
    const group = await gqlOk(
      spataSocial,
      `mutation($id: UUID!) { addGroupMembership(input: { personId: $id, group: DISABILITY, basis: DOCUMENT, validFrom: "2020-01-01" }) { id } }`,
      { id: ids.main },
    );
    ids.membership = group.addGroupMembership.id;
    const consent = await gqlOk(
      spata,
      `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: REFERRAL_TO_PROVIDERS }) { id active } }`,
      { id: ids.main },
    );
    expect(consent.giveConsent.active).toBe(true);
    ids.consent = consent.giveConsent.id;
    const [review] = await t.db.query<{ id: string }>(`SELECT id FROM duplicate_review`);
    ids.review = review!.id;
    await t.db.query(
      `INSERT INTO person_fact (person_id, kind, tax_year, value_numeric, source, as_of, basis)
       VALUES ($1, 'household_income_annual', 2024, 8450.50, 'TAXIS', '2025-07-31', 'FEED'),
              ($1, 'disability_percentage', NULL, 67, 'KEPA', '2024-03-01', 'FEED')`,
      [ids.main],
    );
  });
  afterAll(() => t.close());

  const operations: Array<[string, string, (ids: Record<string, string>) => Record<string, unknown>]> = [
    ['read', `query($id: UUID!) { beneficiary(id: $id) { id } }`, (i) => ({ id: i.main })],
    [
      'read as of',
      `query($id: UUID!) { beneficiaryAsOf(id: $id, at: "2030-01-01T00:00:00Z") { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'update',
      `mutation($id: UUID!) { updatePerson(input: { id: $id, version: 1, phone: "2100000000" }) { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'move',
      `mutation($id: UUID!) { movePerson(input: { id: $id, version: 1, municipalityCode: "0802" }) { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'close',
      `mutation($id: UUID!) { closePerson(input: { id: $id, version: 1, reason: "not ours" }) { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'add a group',
      `mutation($id: UUID!) { addGroupMembership(input: { personId: $id, group: HOMELESS, basis: SELF_DECLARED, validFrom: "2024-01-01" }) { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'end a group',
      `mutation($id: UUID!) { endGroupMembership(input: { membershipId: $id, validTo: "2024-12-31" }) { id } }`,
      (i) => ({ id: i.membership }),
    ],
    [
      'set ESF answers',
      `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: EMPLOYED, educationLevel: ISCED_3_4, migrantOrForeignBackground: NO, homelessOrHousingExclusion: NO, ruralArea: NO }) { employmentStatus } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'give a consent',
      `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: ESF_MONITORING }) { id } }`,
      (i) => ({ id: i.main }),
    ],
    [
      'withdraw a consent',
      `mutation($id: UUID!) { withdrawConsent(consentId: $id) { id } }`,
      (i) => ({ id: i.consent }),
    ],
    ['read a household', `query($id: UUID!) { household(id: $id) { id } }`, (i) => ({ id: i.household })],
    [
      'start a household',
      `mutation($id: UUID!) { createHousehold(input: { referencePersonId: $id }) { id } }`,
      (i) => ({ id: i.child }),
    ],
    [
      'add a household member',
      `mutation($h: UUID!, $p: UUID!) { addHouseholdMember(input: { householdId: $h, personId: $p, relationship: CHILD }) { id } }`,
      (i) => ({ h: i.household, p: i.child }),
    ],
    [
      'remove a household member',
      `mutation($h: UUID!, $p: UUID!) { removeHouseholdMember(input: { householdId: $h, personId: $p }) { id } }`,
      (i) => ({ h: i.household, p: i.main }),
    ],
    [
      'dismiss a review',
      `mutation($id: UUID!) { dismissDuplicate(reviewId: $id) { id } }`,
      (i) => ({ id: i.review }),
    ],
    [
      'merge',
      `mutation($r: UUID!, $s: UUID!) { mergePeople(reviewId: $r, survivorId: $s) { id } }`,
      (i) => ({ r: i.review, s: i.main }),
    ],
  ];

  it.each(operations)(
    "another municipality's centre cannot %s: not found, nothing changed, refusal audited",
    async (_label, query, vars) => {
      const before = await fingerprint();
      const deniedBefore = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = 'alex-social' AND outcome = 'denied'`,
      );
      const res = await t.gql(alexandreiaSocial, query, vars(ids), purpose);
      expect(res.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      expect(await fingerprint()).toBe(before);
      const deniedAfter = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = 'alex-social' AND outcome = 'denied'`,
      );
      expect(deniedAfter[0]!.n).toBe(deniedBefore[0]!.n + 1);
    },
  );

  it('lists neither the people nor the reviews of another area', async () => {
    const search = await gqlOk(alexandreia, `{ beneficiaries(search: "Καραγιάννη") { totalCount } }`);
    expect(search.beneficiaries.totalCount).toBe(0);
    const byMunicipality = await gqlOk(
      alexandreia,
      `{ beneficiaries(municipalityCode: "4912") { totalCount } }`,
    );
    expect(byMunicipality.beneficiaries.totalCount).toBe(0);
    const reviews = await gqlOk(alexandreia, `{ duplicateReviews { totalCount } }`);
    expect(reviews.duplicateReviews.totalCount).toBe(0);
    const own = await gqlOk(spata, `{ duplicateReviews { totalCount } }`);
    expect(own.duplicateReviews.totalCount).toBe(1);
  });

  it('gives a regional officer no personal data, and a national administrator all of it', async () => {
    const refused = await t.gql(
      regional,
      `query($id: UUID!) { beneficiary(id: $id) { id } }`,
      { id: ids.main },
      purpose,
    );
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const search = await t.gql(regional, `{ beneficiaries { totalCount } }`, {}, purpose);
    expect(search.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const national = await gqlOk(
      admin,
      `query($id: UUID!) { beneficiary(id: $id) { id municipalityCode } }`,
      {
        id: ids.main,
      },
    );
    expect(national.beneficiary).toEqual({ id: ids.main, municipalityCode: '4912' });
  });

  it('shows facts with source and as-of date, disability percentages only with special_category', async () => {
    const q = `query($id: UUID!) { beneficiary(id: $id) { facts { kind taxYear valueNumeric source asOf } } }`;
    const plain = await gqlOk(spata, q, { id: ids.main });
    expect(plain.beneficiary.facts).toEqual([
      {
        kind: 'HOUSEHOLD_INCOME_ANNUAL',
        taxYear: 2024,
        valueNumeric: '8450.50',
        source: 'TAXIS',
        asOf: '2025-07-31',
      },
    ]);
    const special = await gqlOk(spataSocial, q, { id: ids.main });
    expect(special.beneficiary.facts.map((f: { kind: string }) => f.kind)).toEqual([
      'HOUSEHOLD_INCOME_ANNUAL',
      'DISABILITY_PERCENTAGE',
    ]);
  });

  it('withdraws a consent once, keeping when and by whom', async () => {
    const q = `mutation($id: UUID!) { withdrawConsent(consentId: $id) { active withdrawnAt } }`;
    const first = await gqlOk(spata, q, { id: ids.consent });
    expect(first.withdrawConsent.active).toBe(false);
    const again = await t.gql(spata, q, { id: ids.consent }, purpose);
    expect(again.body.errors[0].extensions.code).toBe('CONSENT_ALREADY_WITHDRAWN');
    const [row] = await t.db.query(`SELECT withdrawn_by FROM consent WHERE id = $1`, [ids.consent]);
    expect(row).toEqual({ withdrawn_by: 'spata-1' });
  });

  it("records every write in the caller's own area in the audit trail, with the person and municipality", async () => {
    const reg = await gqlOk(spata, REGISTER, {
      input: {
        givenName: 'Θεοδώρα',
        surname: 'Ελεγχόμενη',
        birthDate: '1991-01-01',
        gender: 'FEMALE',
        municipalityCode: '4912',
        amka: makeAmka('1991-01-01', 7),
      },
    });
    const id: string = reg.registerPerson.beneficiary.id;
    const partner = await gqlOk(spata, REGISTER, {
      input: {
        givenName: 'Άρης',
        surname: 'Ελεγχόμενος',
        birthDate: '1990-02-02',
        gender: 'MALE',
        municipalityCode: '4912',
      },
    });
    const partnerId: string = partner.registerPerson.beneficiary.id;
    await gqlOk(
      spata,
      `mutation($id: UUID!) { updatePerson(input: { id: $id, version: 1, phone: "2101234567" }) { id } }`,
      { id },
    );
    const group = await gqlOk(
      spata,
      `mutation($id: UUID!) { addGroupMembership(input: { personId: $id, group: HOMELESS, basis: SELF_DECLARED, validFrom: "2025-01-01" }) { id } }`,
      { id },
    );
    await gqlOk(
      spata,
      `mutation($id: UUID!) { endGroupMembership(input: { membershipId: $id, validTo: "2025-06-30" }) { id } }`,
      { id: group.addGroupMembership.id },
    );
    await gqlOk(
      spata,
      `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: UNEMPLOYED, educationLevel: ISCED_3_4, migrantOrForeignBackground: NO, homelessOrHousingExclusion: YES, ruralArea: NO }) { employmentStatus } }`,
      { id },
    );
    const consent = await gqlOk(
      spata,
      `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: CONTACT_BY_PHONE_OR_EMAIL }) { id } }`,
      { id },
    );
    await gqlOk(spata, `mutation($id: UUID!) { withdrawConsent(consentId: $id) { id } }`, {
      id: consent.giveConsent.id,
    });
    const household = await gqlOk(
      spata,
      `mutation($id: UUID!) { createHousehold(input: { referencePersonId: $id }) { id } }`,
      {
        id,
      },
    );
    const householdId: string = household.createHousehold.id;
    await gqlOk(
      spata,
      `mutation($h: UUID!, $p: UUID!) { addHouseholdMember(input: { householdId: $h, personId: $p, relationship: SPOUSE_OR_PARTNER }) { size } }`,
      { h: householdId, p: partnerId },
    );
    await gqlOk(
      spata,
      `mutation($h: UUID!, $p: UUID!) { removeHouseholdMember(input: { householdId: $h, personId: $p }) { size } }`,
      { h: householdId, p: partnerId },
    );
    await gqlOk(
      spata,
      `mutation($id: UUID!) { closePerson(input: { id: $id, version: 1, reason: "left the area" }) { id } }`,
      {
        id: partnerId,
      },
    );
    await gqlOk(
      spata,
      `mutation($id: UUID!) { movePerson(input: { id: $id, version: 2, municipalityCode: "4904" }) { id } }`,
      {
        id,
      },
    );

    const rows = await t.db.query<{
      action: string;
      subject_type: string;
      subject_id: string;
      municipality_code: string;
    }>(
      `SELECT action, subject_type, subject_id, municipality_code FROM audit_event
        WHERE actor_id = 'spata-1' AND outcome = 'allowed' AND subject_id = ANY($1::text[])`,
      [[id, partnerId, householdId]],
    );
    const seen = rows.map(
      (r) =>
        `${r.action} ${r.subject_type}:${r.subject_id === id ? 'person' : r.subject_id === partnerId ? 'partner' : 'household'} ${r.municipality_code}`,
    );
    expect(seen).toEqual(
      expect.arrayContaining([
        'person.create person:person 4912',
        'person.update person:person 4912',
        'person.group_add person:person 4912',
        'person.group_end person:person 4912',
        'person.esf_set person:person 4912',
        'person.consent_give person:person 4912',
        'person.consent_withdraw person:person 4912',
        'household.create household:household 4912',
        'household.member_add household:household 4912',
        'household.member_remove household:household 4912',
        'person.close person:partner 4912',
        'person.move person:person 4912',
        'person.move person:person 4904',
      ]),
    );
  });

  it('keeps the history append-only for the application role', async () => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      for (const sql of [`UPDATE person_history SET change = 'FORGED'`, `DELETE FROM person_history`]) {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE mitroa_app');
        await expect(client.query(sql)).rejects.toThrow(/permission denied/);
        await client.query('ROLLBACK');
      }
    } finally {
      await client.end();
    }
  });
});
