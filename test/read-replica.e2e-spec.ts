import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles.js';
import { ReadReplica } from '../src/database/read-replica.js';
import { UnnamedStatementsClient } from '../src/database/unnamed-statements.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * DATABASE_READ_URL and DATABASE_PREPARED_STATEMENTS (docs/scaling.md). The "replica" here is a
 * second database cloned from the same template, with one provider that only it holds: a request
 * that lists that provider was served by the replica, one that cannot find it by the primary.
 */
const MARKER = 'Μόνο στο αντίγραφο ανάγνωσης';

describe('read replica and prepared statements', () => {
  let replica: TestDatabase;
  let t: TestApp;
  let staff: string;
  let markerId: string;

  beforeAll(async () => {
    replica = await createTestDatabase();
    markerId = randomUUID();
    await replica.query(
      `INSERT INTO provider (id, kind_code, name, search_key, municipality_code, created_by, updated_by)
       VALUES ($1, (SELECT code FROM provider_kind ORDER BY code LIMIT 1), $2, 'replica marker', '4912', 'test', 'test')`,
      [markerId, MARKER],
    );
    await replica.query(
      `INSERT INTO provider_service_area (provider_id, municipality_code) VALUES ($1, '4912')`,
      [markerId],
    );
    t = await startTestApp({ DATABASE_READ_URL: replica.url, DATABASE_PREPARED_STATEMENTS: 'false' });
    staff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'replica-staff');
  });

  afterAll(async () => {
    await t.close();
    await replica.drop();
  });

  const names = (edges: Array<{ node: { name: string } }>) => edges.map((e) => e.node.name);

  it('serves the GraphQL directory lists from the replica', async () => {
    const res = await t.gql(
      staff,
      '{ providers(first: 100) { edges { node { name } } } providerKinds { code } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(names(res.body.data.providers.edges)).toContain(MARKER);
  });

  it('serves the REST directory lists and HSDS from the replica', async () => {
    const auth = { Authorization: `Bearer ${staff}` };
    const list = await t.http.get('/api/v1/providers?limit=100').set(auth).expect(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toContain(MARKER);
    const hsds = await t.http.get('/api/v1/hsds/organizations?per_page=100').set(auth).expect(200);
    expect(hsds.body.contents.map((o: { name: string }) => o.name)).toContain(MARKER);
  });

  it('reads by id, mixed operations and writes stay on the primary', async () => {
    const auth = { Authorization: `Bearer ${staff}` };
    await t.http.get(`/api/v1/providers/${markerId}`).set(auth).expect(404);
    const byId = await t.gql(staff, `query($id: UUID!) { provider(id: $id) { name } }`, { id: markerId });
    expect(byId.body.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND/);
    const mixed = await t.gql(staff, '{ providers(first: 100) { edges { node { name } } } me { roles } }');
    expect(mixed.body.errors).toBeUndefined();
    expect(names(mixed.body.data.providers.edges)).not.toContain(MARKER);
  });

  it('writes the audit row of a refused replica read to the primary', async () => {
    const res = await t.http
      .get('/api/v1/providers?limit=not-a-number')
      .set('Authorization', `Bearer ${staff}`)
      .expect(400);
    const requestId = res.headers['x-request-id'];
    const count = async (db: { query: TestDatabase['query'] }) =>
      (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE request_id = $1`, [
          requestId,
        ])
      )[0]!.n;
    expect(await count(t.db)).toBe(1);
    expect(await count(replica)).toBe(0);
  });

  it('prepares no named statement on either pool with DATABASE_PREPARED_STATEMENTS=false', async () => {
    const pools = [
      (t.app.get(DataSource).driver as unknown as { master: pg.Pool }).master,
      (t.app.get(ReadReplica).dataSource!.driver as unknown as { master: pg.Pool }).master,
    ];
    for (const pool of pools) expect(await namedStatementsAfterProbe(pool)).toEqual([]);
    // The probe does see a named statement on a pool with the ordinary client.
    const ordinary = new pg.Pool({ connectionString: t.db.url, max: 1 });
    try {
      expect(await namedStatementsAfterProbe(ordinary)).toEqual(['probe']);
    } finally {
      await ordinary.end();
    }
  });

  it('strips the name of a submittable query too', () => {
    const query = new pg.Query({ name: 'probe', text: 'SELECT 1' });
    const client = new UnnamedStatementsClient();
    client.query(query); // queued: the client is not connected, nothing is sent
    expect((query as unknown as { name?: string }).name).toBeUndefined();
  });
});

async function namedStatementsAfterProbe(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query({ name: 'probe', text: 'SELECT 1 AS one' });
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements`);
    await client.query('DEALLOCATE ALL');
    return rows.map((r) => r.name);
  } finally {
    client.release();
  }
}
