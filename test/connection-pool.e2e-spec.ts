import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { Role } from '../src/auth/roles.js';
import { SecondConnectionError, guardPool, withConnectionBudget } from '../src/database/connection-budget.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Rule 15: a request holds at most one pool connection, failing requests release theirs, an
 * exhausted pool answers 503 at once, and the service recovers by itself. The review froze the
 * service with 40 concurrent failing requests on a pool of 20; here a pool of 2 takes 300.
 */
const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id version } } } }`;
const UPDATE = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { id version } }`;
const READ = `query($id: UUID!) { beneficiary(id: $id) { id surname } }`;
const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

describe('connection pool under concurrent failing requests', () => {
  let t: TestApp;
  let spata: string;
  let personId: string;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '2', DATABASE_POOL_TIMEOUT_MS: '10000' });
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-pool');
    const res = await t.gql(
      spata,
      REGISTER,
      {
        input: {
          givenName: 'Ελένη',
          surname: 'Παπαδάκη',
          birthDate: '1980-03-04',
          gender: 'FEMALE',
          municipalityCode: '4912',
          afm: makeAfm('30000001'),
          amka: makeAmka('1980-03-04', 7),
        },
      },
      purpose,
    );
    personId = res.body.data.registerPerson.beneficiary.id;
  });

  afterAll(() => t.close());

  it('serves 300 concurrent failing and succeeding requests on a pool of 2, then recovers', async () => {
    const deniedBefore = await countDenied(t);
    const kinds = ['missing-rest', 'stale-update', 'read-ok', 'missing-graphql', 'rest-ok'] as const;
    const requests = Array.from({ length: 300 }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      switch (kind) {
        case 'missing-rest':
          return t.http
            .get(`/api/v1/beneficiaries/${randomUUID()}`)
            .set('Authorization', `Bearer ${spata}`)
            .set(purpose)
            .then((r) => ({ kind, status: r.status, code: r.body.code as string }));
        case 'rest-ok':
          return t.http
            .get(`/api/v1/beneficiaries/${personId}`)
            .set('Authorization', `Bearer ${spata}`)
            .set(purpose)
            .then((r) => ({ kind, status: r.status, code: r.body.code as string }));
        case 'stale-update':
          return t
            .gql(spata, UPDATE, { input: { id: personId, version: 999, address: 'Οδός 1' } }, purpose)
            .then((r) => ({ kind, status: r.status, code: r.body.errors?.[0]?.extensions?.code as string }));
        case 'missing-graphql':
          return t
            .gql(spata, READ, { id: randomUUID() }, purpose)
            .then((r) => ({ kind, status: r.status, code: r.body.errors?.[0]?.extensions?.code as string }));
        default:
          return t
            .gql(spata, READ, { id: personId }, purpose)
            .then((r) => ({ kind, status: r.status, code: r.body.errors?.[0]?.extensions?.code as string }));
      }
    });
    const results = await Promise.all(requests);

    const outcomes = new Map<string, number>();
    for (const r of results) {
      const key = `${r.kind} ${r.status} ${r.code ?? 'ok'}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    // With a 10 s wait nobody is turned away here; every request got its own answer.
    expect(Object.fromEntries(outcomes)).toEqual({
      'missing-rest 404 NOT_FOUND': 60,
      'rest-ok 200 ok': 60,
      'stale-update 200 STALE_VERSION': 60,
      'missing-graphql 200 NOT_FOUND': 60,
      'read-ok 200 ok': 60,
    });
    // Every refusal left its audit row, written on the connection the request already held.
    expect((await countDenied(t)) - deniedBefore).toBe(180);

    // The pool is whole again: no connection is left busy or idle in transaction.
    const pool = poolOf(t);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect(pool.waitingCount).toBe(0);
    const health = await t.http.get('/health');
    expect(health.status).toBe(200);
  });

  it('answers 503 SERVICE_BUSY quickly when no connection is free, and recovers when one is', async () => {
    const busy = await startTestApp({ DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '300' });
    try {
      const token = await busy.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-busy');
      // Someone else holds the only connection.
      const holder = busy.app.get(DataSource).createQueryRunner();
      await holder.connect();
      const rest = await busy.http
        .get(`/api/v1/beneficiaries/${randomUUID()}`)
        .set('Authorization', `Bearer ${token}`)
        .set(purpose);
      expect(rest.status).toBe(503);
      expect(rest.body.code).toBe('SERVICE_BUSY');
      expect(rest.headers['retry-after']).toBe('1');
      expect(JSON.stringify(rest.body)).not.toMatch(/timeout exceeded|at .*\.js/);

      const gql = await busy.gql(token, READ, { id: randomUUID() }, purpose);
      expect(gql.status).toBe(503);
      expect(gql.body.errors[0].extensions.code).toBe('SERVICE_BUSY');

      await holder.release();
      const after = await busy.gql(token, READ, { id: randomUUID() }, purpose);
      expect(after.status).toBe(200);
      expect(after.body.errors[0].extensions.code).toBe('NOT_FOUND');
    } finally {
      await busy.close();
    }
  });
});

describe('connection budget of one per request', () => {
  it('refuses a second connection inside one request, and releases count back', async () => {
    const pool = new pg.Pool({ connectionString: process.env.MITROA_TEST_SERVER_URL, max: 3 });
    guardPool(pool);
    try {
      await withConnectionBudget(async () => {
        const first = await pool.connect();
        await expect(pool.connect()).rejects.toBeInstanceOf(SecondConnectionError);
        first.release();
        const again = await pool.connect();
        again.release();
      });
      // Outside a request (CLI, jobs, start-up) there is no budget.
      const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
      a.release();
      b.release();
    } finally {
      await pool.end();
    }
  });
});

function poolOf(t: TestApp): pg.Pool {
  return (t.app.get(DataSource).driver as unknown as { master: pg.Pool }).master;
}

async function countDenied(t: TestApp): Promise<number> {
  const rows = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_event WHERE outcome = 'denied'`,
  );
  return rows[0]!.n;
}
