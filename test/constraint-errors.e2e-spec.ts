import pg from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { Role } from '../src/auth/roles.js';
import {
  CONSTRAINT_ERRORS,
  domainErrorOfDatabase,
  UNREACHABLE_CONSTRAINTS,
} from '../src/common/database-errors.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RACERS = 12;

const programme = (code: string) => ({
  code,
  title: `Πρόγραμμα ${code}`,
  kind: 'CASH_BENEFIT',
  administeringBody: 'ΟΠΕΚΑ',
  fundingSource: 'NATIONAL_BUDGET',
  national: true,
});

/** Outcome of each response: OK, or its typed code (INTERNAL_SERVER_ERROR / INTERNAL if untyped). */
const gqlOutcome = (res: { body: { errors?: Array<{ extensions: { code: string } }> } }) =>
  res.body.errors ? res.body.errors[0]!.extensions.code : 'OK';

/**
 * Issue 8, item 13: violations of known constraints answer their typed code in one place
 * (src/common/database-errors.ts), for GraphQL and REST; a constraint with no mapping fails here.
 */
describe('database constraint violations', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: string;
  let spataStaff: string;

  const person = async (given: string, birthDate = '1960-05-01') =>
    (
      await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         VALUES ('4912', $1, 'Παπαδοπούλου', $1, 'Papadopoulou', $2, 'FEMALE', 'x', 'x') RETURNING id`,
        [given, birthDate],
      )
    ).rows[0].id as string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    spataStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-1');
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('knows every unique and exclusion constraint of the schema: mapped to a typed error, or listed as unreachable', async () => {
    const { rows } = await db.query<{ name: string; kind: string }>(`
      SELECT c.conname AS name, c.contype::text AS kind FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'x', 'f')
      UNION ALL
      SELECT ic.relname, 'i' FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
       WHERE n.nspname = 'public' AND i.indisunique
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
    const uniqueOrExclusion = rows.filter((r) => r.kind !== 'f').map((r) => r.name);
    const unaccounted = uniqueOrExclusion.filter(
      (name) => !(name in CONSTRAINT_ERRORS) && !(name in UNREACHABLE_CONSTRAINTS),
    );
    expect(unaccounted).toEqual([]);
    const inSchema = new Set(rows.map((r) => r.name));
    const stale = [...Object.keys(CONSTRAINT_ERRORS), ...Object.keys(UNREACHABLE_CONSTRAINTS)].filter(
      (name) => !inSchema.has(name),
    );
    expect(stale).toEqual([]);
    const mappedTwice = Object.keys(CONSTRAINT_ERRORS).filter((name) => name in UNREACHABLE_CONSTRAINTS);
    expect(mappedTwice).toEqual([]);
  });

  it("maps TypeORM's wrapped pg error by code and constraint name, and nothing else", async () => {
    const violation = async (sql: string) => {
      const runner = t.app.get(DataSource).createQueryRunner();
      try {
        await runner.query(sql);
      } catch (error) {
        return error;
      } finally {
        await runner.release();
      }
      throw new Error(`no error from ${sql}`);
    };
    await db.query(`INSERT INTO programme (code, title, search_key, kind, administering_body, funding_source, created_by, updated_by)
      VALUES ('TAKEN', 't', 't', 'CASH_BENEFIT', 'x', 'NATIONAL_BUDGET', 'a', 'a')`);
    const taken =
      await violation(`INSERT INTO programme (code, title, search_key, kind, administering_body, funding_source, created_by, updated_by)
      VALUES ('TAKEN', 't', 't', 'CASH_BENEFIT', 'x', 'NATIONAL_BUDGET', 'a', 'a')`);
    expect(taken).toBeInstanceOf(QueryFailedError);
    expect(domainErrorOfDatabase(taken)).toMatchObject({ code: 'CODE_TAKEN', kind: 'CONFLICT' });
    const reference = await violation(`INSERT INTO region SELECT * FROM region WHERE code = '9'`);
    expect(domainErrorOfDatabase(reference)).toBeUndefined();
    const check = await violation(`UPDATE programme SET code = 'lower case' WHERE code = 'TAKEN'`);
    expect(domainErrorOfDatabase(check)).toBeUndefined();
    expect(domainErrorOfDatabase(new Error('programme_code_key'))).toBeUndefined();
    expect(domainErrorOfDatabase(undefined)).toBeUndefined();
  });

  it(`answers ${RACERS} concurrent enrolments of one person in one programme with 1 success and ${RACERS - 1} ALREADY_ENROLLED`, async () => {
    const created = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send(programme('RACE-ENROL'));
    expect(created.status).toBe(201);
    const personId = await person('Άννα');
    const enrol = `mutation($i: EnrolInput!) { enrol(input: $i, purpose: REGISTRATION) { id } }`;
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () =>
        t.gql(spataStaff, enrol, { i: { personId, programmeId: created.body.id, appliedOn: '2026-01-10' } }),
      ),
    );
    const outcomes = responses.map(gqlOutcome).sort();
    expect(outcomes).toEqual([...Array(RACERS - 1).fill('ALREADY_ENROLLED'), 'OK']);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM enrolment WHERE person_id = $1`, [
      personId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it(`answers ${RACERS} concurrent createProgramme with one code with 1 success and ${RACERS - 1} CODE_TAKEN`, async () => {
    const create = `mutation($input: ProgrammeInput!) { createProgramme(input: $input) { id } }`;
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () => t.gql(admin, create, { input: programme('RACE-GQL') })),
    );
    expect(responses.map(gqlOutcome).sort()).toEqual([...Array(RACERS - 1).fill('CODE_TAKEN'), 'OK']);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM programme WHERE code = 'RACE-GQL'`);
    expect(rows[0].n).toBe(1);
  });

  it(`answers ${RACERS} concurrent REST creations with one code with one 201 and ${RACERS - 1} typed 409s`, async () => {
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () =>
        t.http
          .post('/api/v1/programmes')
          .set('Authorization', `Bearer ${admin}`)
          .send(programme('RACE-REST')),
      ),
    );
    const outcomes = responses.map((r) =>
      r.status === 201 ? 'OK' : `${r.status} ${JSON.parse(r.text).code}`,
    );
    expect(outcomes.sort()).toEqual([...Array(RACERS - 1).fill('409 CODE_TAKEN'), 'OK']);
  });

  it(`answers ${RACERS} people changed at once to one AMKA with 1 success and ${RACERS - 1} IDENTIFIER_TAKEN`, async () => {
    const birthDate = '1971-03-04';
    const ids: string[] = [];
    for (let i = 0; i < RACERS; i++) ids.push(await person(`Μαρία ${i}`, birthDate)); // one client: in turn
    const amka = makeAmka(birthDate, 4242);
    const update = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { id amka } }`;
    const responses = await Promise.all(
      ids.map((id) =>
        t.gql(spataStaff, update, { input: { id, version: 1, amka } }, { 'X-Purpose': 'REGISTRATION' }),
      ),
    );
    expect(responses.map(gqlOutcome).sort()).toEqual([...Array(RACERS - 1).fill('IDENTIFIER_TAKEN'), 'OK']);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM person WHERE amka = $1`, [amka]);
    expect(rows[0].n).toBe(1);
  });
});
