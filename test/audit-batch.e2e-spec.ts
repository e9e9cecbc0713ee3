import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditBatch } from '../src/audit/audit-batch.js';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { ROMA_BRANCH_MUNICIPALITIES } from '../src/demo/beneficiaries.seeder.js';
import { writeHouseholds } from '../src/demo/bulk-people.js';
import { SyntheticPopulation } from '../src/demo/synthetic-people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The read audit's group commit (src/audit/audit-batch.ts): a read-only request's transaction is
 * READ ONLY, its audit rows are committed by the batch before its answer is sent, and when they
 * cannot be written the answer is withheld. Writes keep their audit rows in their own transaction.
 */
const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };
const BY_AMKA = `query ($amka: String!) { beneficiaryByIdentifier(amka: $amka) { id surname } }`;

describe('read audit group commit', () => {
  let t: TestApp;
  let staff: string;
  let amkas: string[];
  let municipality: string;

  beforeAll(async () => {
    t = await startTestApp();
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      const population = new SyntheticPopulation({
        seed: 3,
        municipalities: [{ code: '4912', weight: 1 }],
        romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
      });
      await writeHouseholds(client, population.households(60), { actorId: 'system:test' });
      const { rows } = await client.query<{ amka: string }>(
        `SELECT amka FROM person WHERE amka IS NOT NULL AND status = 'ACTIVE' ORDER BY id LIMIT 20`,
      );
      amkas = rows.map((r) => r.amka);
    } finally {
      await client.end();
    }
    municipality = '4912';
    staff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: [municipality] }, 'batch-staff');
  });

  afterAll(() => t.close());

  const rowsOf = (requestId: string) =>
    t.db.query<{ subject_id: string }>(
      `SELECT subject_id FROM audit_event WHERE request_id = $1 AND outcome = 'allowed' AND subject_type = 'person'`,
      [requestId],
    );

  it('has every concurrent read audited by the time its answer arrives', async () => {
    const answers = await Promise.all(
      amkas.map(async (amka) => {
        const requestId = randomUUID();
        const res = await t
          .gql(staff, BY_AMKA, { amka }, { ...purpose, 'X-Request-Id': requestId })
          .expect(200);
        // Read at once, before any other request ends: the row is there because the answer waited for it.
        return { requestId, person: res.body.data.beneficiaryByIdentifier, rows: await rowsOf(requestId) };
      }),
    );
    for (const a of answers) {
      expect(a.person?.id).toEqual(expect.any(String));
      expect(a.rows.map((r) => r.subject_id)).toEqual([a.person.id]);
    }
  });

  it('audits a REST read before it answers', async () => {
    const requestId = randomUUID();
    const res = await t.http
      .get(`/api/v1/beneficiaries?q=${amkas[0]}`)
      .set({ Authorization: `Bearer ${staff}`, ...purpose, 'X-Request-Id': requestId })
      .expect(200);
    expect(JSON.stringify(res.body)).toContain(amkas[0]);
    expect((await rowsOf(requestId)).length).toBeGreaterThan(0);
  });

  it('withholds the answer when its audit rows cannot be written', async () => {
    await t.db.query(`REVOKE INSERT ON audit_event FROM mitroa_app`);
    try {
      const res = await t.gql(staff, BY_AMKA, { amka: amkas[1] }, purpose).expect(200);
      expect(res.body.data).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('TRANSACTION_FAILED');
      expect(res.body.errors[0].message).toMatch(/audit trail/);
      expect(JSON.stringify(res.body)).not.toContain(amkas[1]);

      const rest = await t.http
        .get(`/api/v1/beneficiaries?q=${amkas[1]}`)
        .set({ Authorization: `Bearer ${staff}`, ...purpose });
      expect(rest.status).toBeGreaterThanOrEqual(500);
      expect(JSON.stringify(rest.body)).not.toContain(amkas[1]);
    } finally {
      await t.db.query(`GRANT INSERT ON audit_event TO mitroa_app`);
    }
    // The batch's connection recovered: the next read is answered and audited.
    const requestId = randomUUID();
    const res = await t
      .gql(staff, BY_AMKA, { amka: amkas[1] }, { ...purpose, 'X-Request-Id': requestId })
      .expect(200);
    expect(res.body.data.beneficiaryByIdentifier.id).toEqual(expect.any(String));
    expect(await rowsOf(requestId)).toHaveLength(1);
  });

  it('carries on when the server ends its connection', async () => {
    await t.gql(staff, BY_AMKA, { amka: amkas[3] }, purpose).expect(200);
    // Every connection of the service to this database, the batch's own among them, is terminated.
    const [{ ended }] = await t.db.query<{ ended: number }>(
      `SELECT count(*)::int AS ended FROM (
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'mitroa') k`,
    );
    expect(ended).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const requestId = randomUUID();
    let res = await t.gql(staff, BY_AMKA, { amka: amkas[3] }, { ...purpose, 'X-Request-Id': requestId });
    // A request that met a dead pool connection may fail once; the next one is answered and audited.
    if (res.body.errors)
      res = await t.gql(staff, BY_AMKA, { amka: amkas[3] }, { ...purpose, 'X-Request-Id': requestId });
    expect(res.body.data.beneficiaryByIdentifier.id).toEqual(expect.any(String));
    expect((await rowsOf(requestId)).length).toBeGreaterThan(0);
  });

  it('opens a read-only request READ ONLY, so nothing can be written in it', async () => {
    const tx = t.app.get(TransactionService);
    const ctx = new RequestContext(randomUUID(), systemActor('audit-batch-test'));
    await tx.begin(ctx, { readOnly: true });
    await expect(ctx.em.query(`UPDATE person SET phone = phone WHERE amka = $1`, [amkas[0]])).rejects.toThrow(
      /read-only transaction/,
    );
    await tx.end(ctx, false);
  });

  it('writes the rows of the requests that waited during a flush in one transaction', async () => {
    const pool = new pg.Pool({ connectionString: t.db.url, max: 1 });
    const batch = new AuditBatch(pool, 'mitroa_app');
    try {
      const requestIds = Array.from({ length: 20 }, () => randomUUID());
      await Promise.all(
        requestIds.map((requestId) => {
          const ctx = new RequestContext(requestId, systemActor('audit-batch-test'));
          ctx.audit({
            action: 'person.read',
            subjectType: 'person',
            subjectId: randomUUID(),
            outcome: 'allowed',
          });
          return batch.write(ctx).then(() => ctx.pendingAudit.length);
        }),
      ).then((left) => expect(left).toEqual(requestIds.map(() => 0)));
      const [counts] = await t.db.query<{ rows: number; transactions: number }>(
        `SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS transactions
           FROM audit_event WHERE request_id = ANY($1)`,
        [requestIds],
      );
      // The first write flushes alone; the other 19 arrive during it and go in the second flush.
      expect(counts).toEqual({ rows: 20, transactions: 2 });
    } finally {
      await batch.onApplicationShutdown();
    }
  });

  it('fails only the request whose rows cannot be written, not the others of its flush', async () => {
    const pool = new pg.Pool({ connectionString: t.db.url, max: 1 });
    const batch = new AuditBatch(pool, 'mitroa_app');
    try {
      const contexts = Array.from({ length: 6 }, (_, i) => {
        const ctx = new RequestContext(randomUUID(), systemActor('audit-batch-test'));
        // The fourth names an outcome the table's CHECK refuses: its rows cannot be written.
        ctx.audit({
          action: 'person.read',
          subjectType: 'person',
          subjectId: randomUUID(),
          outcome: i === 3 ? ('leaked' as 'allowed') : 'allowed',
        });
        return ctx;
      });
      const outcomes = await Promise.allSettled(contexts.map((ctx) => batch.write(ctx)));
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      const written = await t.db.query<{ request_id: string }>(
        `SELECT request_id FROM audit_event WHERE request_id = ANY($1)`,
        [contexts.map((c) => c.requestId)],
      );
      expect(written.map((r) => r.request_id).sort()).toEqual(
        contexts
          .filter((_, i) => i !== 3)
          .map((c) => c.requestId)
          .sort(),
      );
    } finally {
      await batch.onApplicationShutdown();
    }
  });

  it('keeps a write and its audit row in one transaction', async () => {
    const tx = t.app.get(TransactionService);
    const ctx = new RequestContext(randomUUID(), systemActor('audit-batch-test'));
    await tx.begin(ctx);
    await ctx.em.query(`UPDATE person SET phone = '2100000000' WHERE amka = $1`, [amkas[2]]);
    ctx.audit({ action: 'person.update', subjectType: 'person', subjectId: amkas[2], outcome: 'allowed' });
    await tx.end(ctx, true);
    const [row] = await t.db.query<{ same: boolean }>(
      `SELECT (SELECT xmin::text FROM person WHERE amka = $1) = a.xmin::text AS same
         FROM audit_event a WHERE request_id = $2`,
      [amkas[2], ctx.requestId],
    );
    expect(row?.same).toBe(true);
  });
});
