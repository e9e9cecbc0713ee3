import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { permissionsOf } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Permission, Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Row-level security as defence in depth (rule 20): under the application role, a query that
 * forgets its area filter still sees only the caller's area, and with no area set sees no one.
 */
const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`;
const PERSONAL_TABLES = [
  'person',
  'household',
  'household_member',
  'person_group',
  'esf_participant',
  'consent',
  'person_fact',
  'person_history',
  'enrolment',
  'duplicate_review',
];
const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

describe('row-level security', () => {
  let t: TestApp;
  let spata: string;
  let alexandreia: string;

  beforeAll(async () => {
    // 500 transactions queue for 2 connections: the wait, not a fault, is what a busy CI machine lengthens.
    t = await startTestApp({ DATABASE_POOL_SIZE: '2', DATABASE_POOL_TIMEOUT_MS: '60000' });
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-rls');
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-rls');
    const people: Array<[string, string, string, string, number]> = [
      [spata, '4912', 'Μαρία', 'Σπαθή', 1],
      [spata, '4912', 'Νίκος', 'Σπαθής', 2],
      [alexandreia, '0802', 'Γιώργος', 'Αλεξίου', 3],
      [alexandreia, '0802', 'Άννα', 'Αλεξίου', 4],
    ];
    for (const [token, municipalityCode, givenName, surname, n] of people) {
      const res = await t.gql(
        token,
        REGISTER,
        {
          input: {
            givenName,
            surname,
            birthDate: '1975-05-05',
            gender: n % 2 ? 'FEMALE' : 'MALE',
            municipalityCode,
            afm: makeAfm(String(40000000 + n)),
            amka: makeAmka('1975-05-05', 40 + n),
          },
        },
        purpose,
      );
      expect(res.body.data.registerPerson.beneficiary.id).toBeDefined();
    }
  });

  afterAll(() => t.close());

  it('the application role owns no table, is no superuser and cannot bypass row security', async () => {
    const [role] = await t.db.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'mitroa_app'`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await t.db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
        WHERE r.rolname = 'mitroa_app' AND c.relnamespace = 'public'::regnamespace`,
    );
    expect(owned).toEqual([]);
    const unprotected = await t.db.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace AND NOT relrowsecurity`,
      [PERSONAL_TABLES],
    );
    expect(unprotected).toEqual([]);
  });

  it('every table with a person_id or a municipality of a person is protected', async () => {
    // A new table of personal data must join the migration's list, or this fails.
    const rows = await t.db.query<{ relname: string }>(
      `SELECT DISTINCT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND NOT a.attisdropped
          AND a.attname IN ('person_id', 'person_a', 'household_id') AND NOT c.relrowsecurity`,
    );
    expect(rows).toEqual([]);
  });

  it('sees no one when no area is set, and only its area when one is, whatever the query forgets', async () => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query(`BEGIN`);
      await client.query(`SET LOCAL ROLE mitroa_app`);
      for (const table of PERSONAL_TABLES) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
      }
      await client.query(`SELECT set_config('mitroa.area', '{4912}', true)`);
      const spataOnly = await client.query(`SELECT DISTINCT municipality_code FROM person`);
      expect(spataOnly.rows).toEqual([{ municipality_code: '4912' }]);
      const history = await client.query(
        `SELECT DISTINCT p.municipality_code FROM person_history h JOIN LATERAL (SELECT (h.snapshot->>'municipality_code') AS municipality_code) p ON true`,
      );
      expect(history.rows).toEqual([{ municipality_code: '4912' }]);
      // A forgotten filter cannot change another area's people either.
      const touched = await client.query(
        `UPDATE person SET phone = '2100000000' WHERE municipality_code = '0802'`,
      );
      expect(touched.rowCount).toBe(0);
      await client.query(`ROLLBACK`);
    } finally {
      await client.end();
    }
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM person WHERE phone IS NOT NULL`,
    );
    expect(n).toBe(0);
  });

  it('500 interleaved transactions of two areas over a pool of 2 never see each other', async () => {
    const tx = t.app.get(TransactionService);
    const contextOf = (code: string) =>
      new RequestContext(randomUUID(), {
        id: `rls-${code}`,
        kind: 'user',
        roles: [Role.CENTRE_STAFF],
        permissions: permissionsOf([Role.CENTRE_STAFF], [Permission.SPECIAL_CATEGORY]),
        scope: { level: 'centre', municipalityCodes: [code] },
      });
    const seen = await Promise.all(
      Array.from({ length: 500 }, (_, i) => {
        const code = i % 2 ? '0802' : '4912';
        const ctx = contextOf(code);
        // No area filter in the query: only row security stands between the two areas.
        return tx
          .run(ctx, () => ctx.em.query(`SELECT DISTINCT municipality_code FROM person`))
          .then((rows: Array<{ municipality_code: string }>) => ({
            code,
            seen: rows.map((r) => r.municipality_code),
          }));
      }),
    );
    for (const { code, seen: codes } of seen) expect(codes).toEqual([code]);

    // And over HTTP, interleaved, each centre's list holds only its own people.
    const lists = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t
          .gql(
            i % 2 ? alexandreia : spata,
            `{ beneficiaries(first: 50) { edges { node { municipalityCode } } } }`,
            {},
            purpose,
          )
          .then((r) => ({
            code: i % 2 ? '0802' : '4912',
            seen: (r.body.data.beneficiaries.edges as Array<{ node: { municipalityCode: string } }>).map(
              (e) => e.node.municipalityCode,
            ),
          })),
      ),
    );
    for (const { code, seen: codes } of lists) {
      expect(codes.length).toBe(2);
      expect(new Set(codes)).toEqual(new Set([code]));
    }
  });

  it('a registration still learns that an identifier is held in another area, and no more', async () => {
    const res = await t.gql(
      spata,
      `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) {
         __typename ... on DuplicatePerson { inYourArea existing { id } message } } }`,
      {
        input: {
          givenName: 'Άλλος',
          surname: 'Κάποιος',
          birthDate: '1975-05-05',
          gender: 'MALE',
          municipalityCode: '4912',
          amka: makeAmka('1975-05-05', 43),
        },
      },
      purpose,
    );
    expect(res.body.data.registerPerson).toMatchObject({
      __typename: 'DuplicatePerson',
      inYourArea: false,
      existing: null,
    });
  });
});
