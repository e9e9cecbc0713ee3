import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { permissionsOf, systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Permission, Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { SyntheticPopulation } from '../src/demo/synthetic-people.js';
import { FactsService, type PersonFactsRow } from '../src/eligibility/facts/facts.service.js';
import { writeSyntheticFacts } from '../bench/synthetic-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PURPOSE = { 'X-Purpose': 'ELIGIBILITY_ASSESSMENT' };

const RECORD = `mutation($input: RecordPersonFactInput!) {
  recordPersonFact(input: $input) { id kind basis source asOf valueNumeric valueBoolean validFrom validTo }
}`;
const FACTS = `query($id: UUID!, $asOf: String!) {
  personFacts(personId: $id, asOf: $asOf) { withheld facts { fact value basis source asOf validFrom validTo } }
}`;

interface Entry {
  fact: string;
  value: unknown;
  basis: string;
  source: string;
  asOf: string;
  validFrom: string | null;
  validTo: string | null;
}

describe('the facts of a person as of a date', () => {
  let t: TestApp;
  let db: pg.Client;
  let spata: string;
  let spataSpecial: string;
  let alexandreia: string;
  /** Spata: a couple and their child (born 2008-06-15), one household. */
  let mother: string;
  let father: string;
  let child: string;
  let elsewhere: string;

  const person = async (municipality: string, given: string, birthDate: string): Promise<string> =>
    (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         VALUES ($1, $2, 'Οικονόμου', $2, 'Oikonomou', $3, 'FEMALE', 'x', 'x') RETURNING id`,
        [municipality, given, birthDate],
      )
    ).rows[0].id as string;

  const record = (token: string, input: Record<string, unknown>, headers = PURPOSE) =>
    t.gql(token, RECORD, { input }, headers);

  const factsOn = async (token: string, id: string, asOf: string) => {
    const res = await t.gql(token, FACTS, { id, asOf }, PURPOSE);
    expect(res.body.errors).toBeUndefined();
    const view = res.body.data.personFacts as { withheld: boolean; facts: Entry[] };
    return { withheld: view.withheld, facts: new Map(view.facts.map((f) => [f.fact, f])) };
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-1');
    spataSpecial = await t.token(
      { roles: [Role.CENTRE_STAFF], municipalities: ['4912'], permissions: [Permission.SPECIAL_CATEGORY] },
      'spata-2',
    );
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-1');
    mother = await person('4912', 'Μαρία', '1980-02-01');
    father = await person('4912', 'Γιώργος', '1978-09-30');
    child = await person('4912', 'Ελένη', '2008-06-15');
    elsewhere = await person('0802', 'Άννα', '1950-01-01');
    const household = (
      await db.query(`INSERT INTO household (municipality_code) VALUES ('4912') RETURNING id`)
    ).rows[0].id as string;
    await db.query(
      `INSERT INTO household_member (household_id, person_id, relationship, joined_on) VALUES
         ($1, $2, 'REFERENCE_PERSON', '2005-01-01'), ($1, $3, 'SPOUSE_OR_PARTNER', '2005-01-01'),
         ($1, $4, 'CHILD', '2008-06-15')`,
      [household, mother, father, child],
    );
    await db.query(
      `INSERT INTO person_group (person_id, group_code, basis, valid_from, valid_to, recorded_by) VALUES
         ($1, 'HOMELESS', 'SELF_DECLARED', '2025-01-01', '2025-12-31', 'test'),
         ($1, 'DISABILITY', 'DOCUMENT', '2024-01-01', NULL, 'test')`,
      [mother],
    );
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('records a declared fact, audited with its purpose, and reads it back with its provenance', async () => {
    const res = await record(spata, {
      personId: mother,
      fact: 'household_income_last_6_months',
      value: 1450.5,
      basis: 'SELF_DECLARED',
      asOf: '2026-06-01',
      note: 'declared at the desk',
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.recordPersonFact).toMatchObject({
      kind: 'HOUSEHOLD_INCOME_LAST_6_MONTHS',
      basis: 'SELF_DECLARED',
      source: 'spata-1',
      asOf: '2026-06-01',
      valueNumeric: '1450.50',
    });
    const { facts } = await factsOn(spata, mother, '2026-06-02');
    expect(facts.get('household_income_last_6_months')).toEqual({
      fact: 'household_income_last_6_months',
      value: 1450.5,
      basis: 'SELF_DECLARED',
      source: 'spata-1',
      asOf: '2026-06-01',
      validFrom: null,
      validTo: null,
    });
    const audit = await t.db.query<{ action: string; purpose: string }>(
      `SELECT action, purpose FROM audit_event WHERE subject_id = $1 AND action = 'person.fact_record'`,
      [mother],
    );
    expect(audit).toEqual([{ action: 'person.fact_record', purpose: 'ELIGIBILITY_ASSESSMENT' }]);
  });

  it('counts a household fact recorded on any member for every member of the household', async () => {
    const { facts } = await factsOn(spata, child, '2026-06-02');
    expect(facts.get('household_income_last_6_months')?.value).toBe(1450.5);
  });

  it('requires a purpose to record (the answer is personal data)', async () => {
    const before = await t.db.query(`SELECT id FROM person_fact WHERE person_id = $1`, [father]);
    const res = await record(
      spata,
      { personId: father, fact: 'insured', value: true, basis: 'STAFF', asOf: '2026-06-01' },
      {} as typeof PURPOSE,
    );
    expect(res.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    expect(await t.db.query(`SELECT id FROM person_fact WHERE person_id = $1`, [father])).toEqual(before);
  });

  it('lets a feed outrank a self-declaration, and the newer of two declarations win', async () => {
    await db.query(
      `INSERT INTO person_fact (person_id, kind, basis, value_boolean, source, as_of)
       VALUES ($1, 'insured', 'FEED', false, 'EFKA', '2026-01-15')`,
      [father],
    );
    for (const [value, asOf] of [
      [true, '2026-05-01'],
      [false, '2026-03-01'],
    ] as const)
      expect(
        (await record(spata, { personId: father, fact: 'insured', value, basis: 'SELF_DECLARED', asOf })).body
          .errors,
      ).toBeUndefined();
    for (const [value, asOf] of [
      [true, '2026-02-01'],
      [false, '2026-04-01'],
    ] as const)
      expect(
        (await record(spata, { personId: father, fact: 'lives_alone', value, basis: 'SELF_DECLARED', asOf }))
          .body.errors,
      ).toBeUndefined();
    const { facts } = await factsOn(spata, father, '2026-06-01');
    expect(facts.get('insured')).toMatchObject({
      value: false,
      basis: 'FEED',
      source: 'EFKA',
      asOf: '2026-01-15',
    });
    expect(facts.get('lives_alone')).toMatchObject({
      value: false,
      basis: 'SELF_DECLARED',
      asOf: '2026-04-01',
    });
    // Before the newer declaration was made, the older one held.
    expect((await factsOn(spata, father, '2026-03-01')).facts.get('lives_alone')?.value).toBe(true);
  });

  it('drops a fact after its valid_to and before it was known', async () => {
    const res = await record(spata, {
      personId: father,
      fact: 'legal_residence',
      value: true,
      basis: 'DOCUMENT',
      asOf: '2026-01-10',
      validTo: '2026-03-31',
      documentReference: 'residence permit 123/2026',
    });
    expect(res.body.errors).toBeUndefined();
    expect((await factsOn(spata, father, '2026-03-31')).facts.get('legal_residence')).toMatchObject({
      value: true,
      basis: 'DOCUMENT',
      validTo: '2026-03-31',
    });
    expect((await factsOn(spata, father, '2026-04-01')).facts.has('legal_residence')).toBe(false);
    expect((await factsOn(spata, father, '2026-01-09')).facts.has('legal_residence')).toBe(false);
  });

  it('derives age, household counts and groups on the date asked', async () => {
    const before = await factsOn(spataSpecial, child, '2026-06-14');
    expect(before.facts.get('age')).toMatchObject({
      value: 17,
      basis: 'STAFF',
      source: 'REGISTRY',
      asOf: '2026-06-14',
    });
    expect(before.facts.get('groups')?.value).toEqual(['CHILD']);
    expect(
      ['household_size', 'household_adults', 'household_minors', 'household_dependants'].map(
        (f) => before.facts.get(f)?.value,
      ),
    ).toEqual([3, 2, 1, 1]);
    expect(before.facts.get('municipality_code')?.value).toBe('4912');
    expect(before.facts.get('region_code')?.value).toBe('9');
    const after = await factsOn(spataSpecial, child, '2026-06-15');
    expect(after.facts.get('age')?.value).toBe(18);
    expect(after.facts.get('groups')?.value).toEqual([]);
    expect([after.facts.get('household_adults')?.value, after.facts.get('household_minors')?.value]).toEqual([
      3, 0,
    ]);
    // Before the child was born the household had two members.
    expect((await factsOn(spataSpecial, mother, '2008-01-01')).facts.get('household_size')?.value).toBe(2);
    expect((await factsOn(spataSpecial, mother, '2025-06-01')).facts.get('groups')?.value).toEqual([
      'DISABILITY',
      'HOMELESS',
    ]);
    expect((await factsOn(spataSpecial, mother, '2026-06-01')).facts.get('groups')?.value).toEqual([
      'DISABILITY',
    ]);
  });

  it("refuses another municipality's person as NOT_FOUND and writes nothing", async () => {
    const res = await record(alexandreia, {
      personId: mother,
      fact: 'insured',
      value: true,
      basis: 'STAFF',
      asOf: '2026-06-01',
    });
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const read = await t.gql(alexandreia, FACTS, { id: mother, asOf: '2026-06-01' }, PURPOSE);
    expect(read.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(
      await t.db.query(`SELECT id FROM person_fact WHERE person_id = $1 AND source = 'alex-1'`, [mother]),
    ).toEqual([]);
    const own = await record(alexandreia, {
      personId: elsewhere,
      fact: 'receives_pension',
      value: false,
      basis: 'STAFF',
      asOf: '2026-06-01',
    });
    expect(own.body.errors).toBeUndefined();
  });

  it('keeps special-category facts behind their permission, in writing and in reading', async () => {
    const input = {
      personId: mother,
      fact: 'disability_percentage',
      value: 67,
      basis: 'DOCUMENT',
      asOf: '2026-02-01',
    };
    const refused = await record(spata, input);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(
      await t.db.query(`SELECT id FROM person_fact WHERE person_id = $1 AND kind = 'disability_percentage'`, [
        mother,
      ]),
    ).toEqual([]);
    expect((await record(spataSpecial, input)).body.errors).toBeUndefined();

    const hidden = await factsOn(spata, mother, '2026-06-01');
    expect(hidden.facts.has('disability_percentage')).toBe(false);
    expect(hidden.facts.get('groups')?.value).toEqual([]);
    expect(hidden.withheld).toBe(true);
    const shown = await factsOn(spataSpecial, mother, '2026-06-01');
    expect(shown.facts.get('disability_percentage')?.value).toBe(67);
    expect(shown.withheld).toBe(false);
  });

  it('refuses a value of the wrong type, a derived fact, an unknown fact and FEED, naming the field', async () => {
    const base = { personId: father, basis: 'STAFF', asOf: '2026-06-01' };
    const wrongType = await record(spata, { ...base, fact: 'insured', value: 'yes' });
    expect(wrongType.body.errors[0].extensions).toMatchObject({
      code: 'WRONG_VALUE_TYPE',
      fields: [{ field: 'value' }],
    });
    const wrongNumber = await record(spata, { ...base, fact: 'vehicle_value', value: '6000' });
    expect(wrongNumber.body.errors[0].extensions.fields[0].field).toBe('value');
    const derived = await record(spata, { ...base, fact: 'age', value: 40 });
    expect(derived.body.errors[0].extensions).toMatchObject({
      code: 'DERIVED_FACT',
      fields: [{ field: 'fact' }],
    });
    const unknown = await record(spata, { ...base, fact: 'shoe_size', value: 40 });
    expect(unknown.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(unknown.body.errors[0])).toMatch(/fact/);
    const feed = await record(spata, { ...base, fact: 'insured', value: true, basis: 'FEED' });
    expect(feed.body.errors[0].message).toMatch(/basis|FEED/);
    expect(
      await t.db.query(`SELECT id FROM person_fact WHERE person_id = $1 AND kind = 'vehicle_value'`, [
        father,
      ]),
    ).toEqual([]);
  });

  it('answers the same through the SQL function and through factsOf, for generated people', async () => {
    const population = new SyntheticPopulation({
      seed: 11,
      municipalities: [
        { code: '4912', weight: 1 },
        { code: '0802', weight: 1 },
      ],
      romaMunicipalities: ['0802'],
    });
    const households = [...population.households(60)];
    await writeHouseholds(db, households, { actorId: 'system:test' });
    await writeSyntheticFacts(db, 2026);
    const ids = households.flatMap((h) => h.members.map((m) => m.person.id));
    const asOf = new Date().toISOString().slice(0, 10);
    const { rows } = await db.query<{ person_id: string; facts: Record<string, unknown> }>(
      `SELECT person_id, facts FROM person_facts($1::date, $2::uuid[])`,
      [asOf, ids],
    );
    expect(rows).toHaveLength(ids.length);
    const ctx = new RequestContext(randomUUID(), systemActor('test'));
    const viaService = await t.app
      .get(TransactionService)
      .run(ctx, () => t.app.get(FactsService).factsOf(ctx, ids, asOf));
    expect(viaService.size).toBe(ids.length);
    for (const row of rows) expect(viaService.get(row.person_id)).toEqual(row.facts);
    expect(rows.some((r) => 'household_income_annual' in r.facts)).toBe(true);

    // The batched stream of a centre sees its own municipality's people only, each once.
    const centre = new RequestContext(randomUUID(), {
      id: 'spata-3',
      kind: 'user',
      roles: [Role.CENTRE_STAFF],
      permissions: permissionsOf([Role.CENTRE_STAFF]),
      scope: { level: 'centre', municipalityCodes: ['4912'] },
    });
    const streamed: PersonFactsRow[] = [];
    const total = await t.app.get(TransactionService).run(centre, () =>
      t.app.get(FactsService).forEachBatch(centre, { asOf, batchSize: 7 }, (batch) => {
        streamed.push(...batch);
      }),
    );
    const { rows: expected } = await db.query<{ id: string }>(
      `SELECT id FROM person WHERE municipality_code = '4912' AND status = 'ACTIVE' ORDER BY id`,
    );
    expect(total).toBe(expected.length);
    expect(streamed.map((r) => r.personId)).toEqual(expected.map((r) => r.id));
    expect(streamed.every((r) => r.municipalityCode === '4912')).toBe(true);
    expect(streamed.every((r) => !('disability_percentage' in r.facts))).toBe(true);
  });
});
