import { DataSource } from 'typeorm';
import { personKeys } from '../src/beneficiaries/person-keys.js';
import { isValidAfm } from '../src/common/identifiers/afm.js';
import { amkaMatchesBirthDate, isValidAmka } from '../src/common/identifiers/amka.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import {
  beneficiariesDemoSeeder,
  DEMO_MUNICIPALITIES,
  DEMO_PERSON,
  ROMA_BRANCH_MUNICIPALITIES,
} from '../src/demo/beneficiaries.seeder.js';
import { DEMO_SEEDERS, runSeeder } from '../src/demo/seed-demo.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** The beneficiary demo data on a real database: valid, consistent, and seeded once however often start-up runs. */
describe('beneficiary demo data', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const summaries: string[] = [];

  const TABLES = [
    'person',
    'household',
    'household_member',
    'person_group',
    'person_history',
    'esf_participant',
    'consent',
    'person_fact',
    'duplicate_review',
  ];

  /** Runs the seeder as `npm start` does: its own transaction, as the system actor. */
  async function runBeneficiariesSeeder(): Promise<void> {
    summaries.push(await runSeeder(dataSource, beneficiariesDemoSeeder));
  }

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
      result[table] = row.n;
    }
    return result;
  }

  let afterFirst: Record<string, number>;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(db.url, { extra: { max: 2 } }));
    await dataSource.initialize();
    await runBeneficiariesSeeder();
    afterFirst = await counts();
    await runBeneficiariesSeeder();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('is registered to run at start-up', () => {
    expect(DEMO_SEEDERS).toContain(beneficiariesDemoSeeder);
  });

  it('seeds about 60 households and 150 people, then changes nothing on a second run', async () => {
    expect(afterFirst.household).toBe(DEMO_MUNICIPALITIES.reduce((sum, [, n]) => sum + n, 0));
    expect(afterFirst.person).toBeGreaterThan(100);
    expect(afterFirst.person).toBeLessThan(250);
    for (const table of ['esf_participant', 'consent', 'person_fact', 'person_group', 'duplicate_review'])
      expect(afterFirst[table]).toBeGreaterThan(0);
    expect(await counts()).toEqual(afterFirst);
    expect(summaries[1]).toBe('already present');
  });

  it('summarises without personal data', () => {
    const [first] = summaries;
    expect(first).toMatch(/\d+ people in \d+ households/);
    expect(first).not.toContain(DEMO_PERSON.surname);
    expect(first).not.toContain(DEMO_PERSON.amka);
  });

  it('gives every person valid identifiers, unique, the AMKA agreeing with the birth date', async () => {
    const people: Array<{
      afm: string | null;
      amka: string | null;
      paaypa: string | null;
      birth_date: string;
    }> = await dataSource.query(
      `SELECT afm, amka, paaypa, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM person`,
    );
    const afms = people.flatMap((p) => (p.afm ? [p.afm] : []));
    const amkas = people.flatMap((p) => (p.amka ? [p.amka] : []));
    expect(afms.filter((afm) => !isValidAfm(afm))).toEqual([]);
    expect(amkas.filter((amka) => !isValidAmka(amka))).toEqual([]);
    expect(new Set(afms).size).toBe(afms.length);
    expect(new Set(amkas).size).toBe(amkas.length);
    expect(people.filter((p) => p.amka && !amkaMatchesBirthDate(p.amka, p.birth_date))).toEqual([]);
    expect(people.filter((p) => !p.amka && !p.paaypa)).toEqual([]);
  });

  it('stores the name keys personKeys computes', async () => {
    const people = await dataSource.query(
      `SELECT given_name AS "givenName", surname, given_name_latin AS "givenNameLatin", surname_latin AS "surnameLatin",
         name_key AS "nameKey", phonetic_key AS "phoneticKey" FROM person`,
    );
    for (const p of people)
      expect({ nameKey: p.nameKey, phoneticKey: p.phoneticKey }).toEqual(
        personKeys({
          givenName: p.givenName,
          surname: p.surname,
          givenNameLatin: p.givenNameLatin,
          surnameLatin: p.surnameLatin,
        }),
      );
  });

  it('gives every household exactly one current reference person, and its members its municipality', async () => {
    const households = await dataSource.query(
      `SELECT h.id,
         count(*) FILTER (WHERE m.relationship = 'REFERENCE_PERSON' AND m.left_on IS NULL)::int AS refs,
         count(*) FILTER (WHERE p.municipality_code <> h.municipality_code)::int AS elsewhere
       FROM household h LEFT JOIN household_member m ON m.household_id = h.id LEFT JOIN person p ON p.id = m.person_id
       GROUP BY h.id`,
    );
    expect(households.length).toBe(afterFirst.household);
    expect(households.filter((h: { refs: number }) => h.refs !== 1)).toEqual([]);
    expect(households.filter((h: { elsewhere: number }) => h.elsewhere > 0)).toEqual([]);
  });

  it('records one CREATED history row per person, its snapshot being the stored row without keys', async () => {
    const rows = await dataSource.query(
      `SELECT p.id, count(h.id)::int AS n,
         bool_and(h.change = 'CREATED' AND h.old_values IS NULL AND h.changed_by = 'system:seed-demo') AS created,
         bool_and(h.snapshot = to_jsonb(p) - 'name_key' - 'phonetic_key') AS same
       FROM person p LEFT JOIN person_history h ON h.person_id = p.id GROUP BY p.id`,
    );
    expect(
      rows.filter((r: { n: number; created: boolean; same: boolean }) => r.n !== 1 || !r.created || !r.same),
    ).toEqual([]);
  });

  it('places people in every seed municipality, with Roma households where centres have a Roma branch', async () => {
    const rows: Array<{ municipality_code: string; roma: number; people: number }> = await dataSource.query(
      `SELECT p.municipality_code, count(DISTINCT p.id)::int AS people,
         count(DISTINCT g.person_id)::int AS roma
       FROM person p LEFT JOIN person_group g ON g.person_id = p.id AND g.group_code = 'ROMA'
       GROUP BY p.municipality_code`,
    );
    expect(rows.map((r) => r.municipality_code).sort()).toEqual(
      DEMO_MUNICIPALITIES.map(([code]) => code).sort(),
    );
    for (const code of ROMA_BRANCH_MUNICIPALITIES)
      expect(rows.find((r) => r.municipality_code === code)!.roma).toBeGreaterThan(0);
  });

  it('has the documented demo person, found by AMKA', async () => {
    const [person] = await dataSource.query(
      `SELECT given_name, surname, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, municipality_code, afm
       FROM person WHERE amka = $1`,
      [DEMO_PERSON.amka],
    );
    expect(person).toEqual({
      given_name: DEMO_PERSON.givenName,
      surname: DEMO_PERSON.surname,
      birth_date: DEMO_PERSON.birthDate,
      municipality_code: DEMO_PERSON.municipalityCode,
      afm: DEMO_PERSON.afm,
    });
  });

  it('holds one likely duplicate: same names in Latin letters and birth date, other identifiers', async () => {
    const pairs = await dataSource.query(
      `SELECT a.name_key = b.name_key AS same_key, a.birth_date = b.birth_date AS same_birth,
         a.afm <> b.afm AND a.amka <> b.amka AS other_ids, a.given_name ~ '^[A-Z ]+$' OR b.given_name ~ '^[A-Z ]+$' AS latin,
         r.status, r.reason
       FROM duplicate_review r JOIN person a ON a.id = r.person_a JOIN person b ON b.id = r.person_b`,
    );
    expect(pairs).toEqual([
      {
        same_key: true,
        same_birth: true,
        other_ids: true,
        latin: true,
        status: 'OPEN',
        reason: expect.stringMatching(/same birth date/),
      },
    ]);
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM person a JOIN person b ON a.id < b.id
       AND a.name_key = b.name_key AND a.birth_date = b.birth_date`,
    );
    expect(n).toBe(1);
  });

  it('keeps ESF answers and facts consistent with the people they describe', async () => {
    const [esf] = await dataSource.query(
      `SELECT
         count(*) FILTER (WHERE e.disability = 'YES' AND NOT EXISTS (SELECT 1 FROM person_group g
           WHERE g.person_id = e.person_id AND g.group_code = 'DISABILITY'))::int AS disability_without_group,
         count(*) FILTER (WHERE e.migrant_or_foreign_background = 'YES' AND p.citizenship = 'GR')::int AS greek_migrants,
         count(*) FILTER (WHERE p.municipality_code = '4912')::int AS in_own_means_centre
       FROM esf_participant e JOIN person p ON p.id = e.person_id`,
    );
    expect(esf).toEqual({ disability_without_group: 0, greek_migrants: 0, in_own_means_centre: 0 });
    const facts: Array<{ kind: string; source: string; n: number }> = await dataSource.query(
      `SELECT kind, source, count(*)::int AS n FROM person_fact GROUP BY kind, source ORDER BY kind`,
    );
    expect(facts.map((f) => [f.kind, f.source])).toEqual([
      ['disability_percentage', 'KEPA'],
      ['household_income_annual', 'TAXIS'],
    ]);
  });
});
