import pg from 'pg';
import { DataSource } from 'typeorm';
import { Q1_PERSON_BY_AMKA, Q2_PEOPLE_OF_MUNICIPALITY, Q3_PROVIDERS_SERVING } from '../bench/read-queries.js';
import { Role } from '../src/auth/roles.js';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { providersAndProgrammesSeeder } from '../src/demo/providers-and-programmes.seed.js';
import { runSeeder } from '../src/demo/seed-demo.js';
import { SyntheticPopulation } from '../src/demo/synthetic-people.js';
import request from 'supertest';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

/**
 * The benchmark's three reads (bench/read-queries.ts), as the benchmark sends them, on a generated
 * database of a few thousand people: every person a read returns has its audit row, and no plan of
 * the statements they run reads more than 10 times the rows it keeps (EXPLAIN ANALYZE).
 */
const PEOPLE = 4000;
const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

interface Statement {
  sql: string;
  params?: unknown[];
}

describe('read path of the benchmark queries', () => {
  let t: TestApp;
  let client: pg.Client;
  let token: string;
  let amka: string;
  let municipality: string;
  let served: string;
  const statements: Statement[] = [];
  let recording = false;
  let send: ((...args: unknown[]) => unknown) | undefined;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '4' });
    client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    const { rows: municipalities } = await client.query<{ code: string; weight: number }>(
      `SELECT code, coalesce(population_2021, 1000)::int AS weight FROM municipality`,
    );
    const population = new SyntheticPopulation({
      seed: 9,
      municipalities,
      romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
    });
    await writeHouseholds(client, population.households(PEOPLE), { actorId: 'system:test' });
    const dataSource = t.app.get(DataSource);
    await runSeeder(dataSource, providersAndProgrammesSeeder);
    await client.query('ANALYZE');
    // A person living with others, the most populous municipality, a municipality with providers.
    ({
      rows: [{ amka }],
    } = await client.query<{ amka: string }>(
      `SELECT p.amka FROM person p JOIN household_member m ON m.person_id = p.id
        WHERE p.amka IS NOT NULL AND p.status = 'ACTIVE'
          AND (SELECT count(*) FROM household_member o WHERE o.household_id = m.household_id) >= 3
        ORDER BY p.id LIMIT 1`,
    ));
    ({
      rows: [{ code: municipality }],
    } = await client.query<{ code: string }>(
      `SELECT municipality_code AS code FROM person GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    ));
    ({
      rows: [{ code: served }],
    } = await client.query<{ code: string }>(
      `SELECT municipality_code AS code FROM provider ORDER BY 1 LIMIT 1`,
    ));
    token = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'read-path');

    // Records every statement the app sends (through TypeORM or as a named prepared statement).
    send = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (recording && this !== client) {
        const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
        const sql = typeof first === 'string' ? first : first.text;
        const params = typeof first === 'string' ? second : first.values;
        statements.push({ sql, params: Array.isArray(params) ? [...params] : undefined });
      }
      return send!.apply(this, args);
    } as typeof pg.Client.prototype.query;
  }, 120_000);

  afterAll(async () => {
    if (send) pg.Client.prototype.query = send as typeof pg.Client.prototype.query;
    await client.end();
    await t.close();
  });

  const queries = () => [
    { name: 'Q1', query: Q1_PERSON_BY_AMKA, variables: { amka } },
    { name: 'Q2', query: Q2_PEOPLE_OF_MUNICIPALITY, variables: { municipalityCode: municipality } },
    { name: 'Q3', query: Q3_PROVIDERS_SERVING, variables: { municipality: served } },
  ];

  it('writes an allowed audit row for every person each query returns', async () => {
    const seen: Record<string, number> = {};
    for (const q of queries()) {
      const response = await t.gql(token, q.query, q.variables, purpose).expect(200);
      expect(response.body.errors).toBeUndefined();
      const returned = personIds(q.name, response.body.data);
      seen[q.name] = returned.size;
      const { rows } = await client.query<{ subject_id: string | null; person_ids: string[] | null }>(
        `SELECT subject_id, person_ids FROM audit_event
          WHERE request_id = $1 AND subject_type = 'person' AND outcome = 'allowed' AND purpose = 'CASE_MANAGEMENT'`,
        [response.headers['x-request-id']],
      );
      const audited = new Set(rows.flatMap((r) => [r.subject_id, ...(r.person_ids ?? [])]));
      expect([...returned].filter((id) => !audited.has(id))).toEqual([]);
      // One row per read, not per person: a page of 50 is one row naming them all.
      if (q.name === 'Q2') expect(rows).toHaveLength(1);
    }
    // Q1 returns the person and the household's other members, Q2 a full page; Q3 no one.
    expect(seen.Q1).toBeGreaterThanOrEqual(3);
    expect(seen.Q2).toBe(50);
    expect(seen.Q3).toBe(0);
  });

  it('answers the same with named prepared statements switched off (DATABASE_PREPARED_STATEMENTS)', async () => {
    const unprepared = await createApp(
      loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'silent',
        DATA_DIR: '.data/test',
        DATABASE_POOL_SIZE: '2',
        DATABASE_PREPARED_STATEMENTS: 'false',
      }),
      t.db.url,
      { logger: false },
    );
    try {
      for (const q of queries()) {
        const prepared = await t.gql(token, q.query, q.variables, purpose).expect(200);
        const plain = await request(unprepared.getHttpServer())
          .post('/graphql')
          .set('Authorization', `Bearer ${token}`)
          .set(purpose)
          .send({ query: q.query, variables: q.variables })
          .expect(200);
        expect(plain.body.errors).toBeUndefined();
        expect(plain.body.data).toEqual(prepared.body.data);
      }
    } finally {
      await unprepared.close();
    }
  });

  it('runs no plan that reads more than 10 times the rows it keeps', async () => {
    for (const q of queries()) {
      statements.length = 0;
      recording = true;
      const response = await t.gql(token, q.query, q.variables, purpose).expect(200);
      recording = false;
      expect(response.body.errors).toBeUndefined();
      const reads = statements.filter(
        (s) => /^\s*(SELECT|WITH)\b/i.test(s.sql) && !/set_config|INSERT INTO|COMMIT/.test(s.sql),
      );
      // Each query's people or providers come with the relations it selected, in one statement.
      expect({ query: q.name, reads: reads.length }).toEqual({ query: q.name, reads: 1 });
      for (const statement of reads) {
        await client.query('BEGIN');
        try {
          await client.query(
            `SELECT set_config('role', 'mitroa_app', true), set_config('mitroa.area', '*', true)`,
          );
          const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
            statement.params,
          );
          const wasteful = wastefulNodes(rows[0]!['QUERY PLAN'][0].Plan);
          expect({ query: q.name, sql: statement.sql, wasteful }).toEqual({
            query: q.name,
            sql: statement.sql,
            wasteful: [],
          });
        } finally {
          await client.query('ROLLBACK');
        }
      }
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Rows Removed by Join Filter'?: number;
  Plans?: PlanNode[];
}

/** Nodes that discarded more than 10 times the rows they kept (a few rows of slack for tiny tables). */
function wastefulNodes(node: PlanNode): string[] {
  const kept = node['Actual Rows'] * node['Actual Loops'];
  const removed =
    ((node['Rows Removed by Filter'] ?? 0) +
      (node['Rows Removed by Index Recheck'] ?? 0) +
      (node['Rows Removed by Join Filter'] ?? 0)) *
    node['Actual Loops'];
  const own =
    removed > 10 * Math.max(kept, 1) && removed > 100
      ? [
          `${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}: kept ${kept}, removed ${removed}`,
        ]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(wastefulNodes)];
}

/** Ids of every person in a response (the person itself, household members, list nodes). */
function personIds(name: string, data: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  if (name === 'Q1') {
    const person = data.beneficiaryByIdentifier as {
      id: string;
      household: { members: Array<{ person: { id: string } | null }> } | null;
    };
    ids.add(person.id);
    for (const m of person.household?.members ?? []) if (m.person) ids.add(m.person.id);
  } else if (name === 'Q2') {
    const page = data.beneficiaries as { edges: Array<{ node: { id: string } }> };
    for (const e of page.edges) ids.add(e.node.id);
  }
  return ids;
}
