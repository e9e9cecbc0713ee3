import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * An outside review's attacks on "bad input gets a clear error and loses nothing; the service holds
 * under attack", each a test that failed before its fix:
 *   - an upload's file name and fields reached SQL without the input guard (a NUL: 500 INTERNAL);
 *   - a page of people with their entitlements was costed as cheap, and one caller sending twenty
 *     such queries at once took every pool connection for a minute (everyone else: 503).
 */
const TAXIS = 'afm;tax_year;household_income\n094259216;2024;1000\n';

/** A multipart body written by hand: supertest cannot send a file name with a NUL in it. */
function upload(fileNameParam: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      '--XX\r\nContent-Disposition: form-data; name="feed"\r\n\r\nTAXIS\r\n' +
        '--XX\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\ntrue\r\n' +
        `--XX\r\nContent-Disposition: form-data; name="file"; ${fileNameParam}\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(TAXIS),
    Buffer.from('\r\n--XX--\r\n'),
  ]);
}

describe('attacks on input and capacity', () => {
  let t: TestApp;
  let operator: string;
  let spata: string;
  let other: string;
  const jobs = async () => Number((await t.db.query(`SELECT count(*)::int AS n FROM import_job`))[0].n);

  beforeAll(async () => {
    // A small pool and a short wait, so that a flood is visible in a second.
    t = await startTestApp({
      DATABASE_POOL_SIZE: '6',
      DATABASE_POOL_TIMEOUT_MS: '1000',
      DATABASE_CONNECTIONS_PER_CALLER: '2',
    });
    operator = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'attack-operator');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'attack-spata');
    other = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'attack-alexandreia');
  });
  afterAll(() => t.close());

  const send = (body: Buffer) =>
    t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .set('Content-Type', 'multipart/form-data; boundary=XX')
      .send(body);

  describe('an upload passes the input guard like any body', () => {
    it.each([
      ['a NUL', "filename*=UTF-8''a%00b.csv"],
      ['a right-to-left override', "filename*=UTF-8''invoice%E2%80%AEvsc.exe"],
      ['a line feed', "filename*=UTF-8''a%0Ab.csv"],
    ])(
      'refuses a file name with %s as BAD_USER_INPUT naming fileName, creating no job',
      async (_l, param) => {
        const before = await jobs();
        const res = await send(upload(param));
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('BAD_USER_INPUT');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('fileName');
        expect(res.text).not.toMatch(/INTERNAL|QueryFailedError/);
        expect(await jobs()).toBe(before);
      },
    );

    it('keeps a Greek file name as sent (UTF-8), not garbled as latin1', async () => {
      const res = await send(upload('filename="Αρχείο ΤΑΧΙΣ.csv"'));
      expect(res.status).toBe(201);
      expect(res.body.fileName).toBe('Αρχείο ΤΑΧΙΣ.csv');
    });
  });

  describe('costly reads', () => {
    const page = (first: number) =>
      `beneficiaries(first: ${first}) { edges { node { id entitlements { entitlements { programmeCode outcome } } } } }`;

    it("costs each person's entitlements as the work they are: a page of 100 is refused, one of 40 passes", async () => {
      const aliased = await t.gql(
        spata,
        `{ a: ${page(100)} b: ${page(100)} c: ${page(100)} d: ${page(100)} }`,
        {},
        { 'X-Purpose': 'ELIGIBILITY_ASSESSMENT' },
      );
      expect(aliased.status).toBe(400);
      expect(aliased.body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
      const one = await t.gql(spata, `{ ${page(100)} }`, {}, { 'X-Purpose': 'ELIGIBILITY_ASSESSMENT' });
      expect(one.body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
      const small = await t.gql(spata, `{ ${page(40)} }`, {}, { 'X-Purpose': 'ELIGIBILITY_ASSESSMENT' });
      expect(small.body.errors).toBeUndefined();
    });

    it('one caller flooding slow requests holds only its share of the pool: others are served, it gets 429', async () => {
      // Every read of people blocks behind this lock while holding its connection: a slow query.
      const locker = new pg.Client({ connectionString: t.db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE person IN ACCESS EXCLUSIVE MODE');
        // `.then` sends a request at once (supertest sends only when awaited).
        const flood = Array.from({ length: 10 }, () =>
          t
            .gql(spata, `{ beneficiaries(first: 1) { totalCount } }`, {}, { 'X-Purpose': 'CASE_MANAGEMENT' })
            .then((r) => r),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = Date.now();
        const bystander = await t.gql(other, `{ regions { code } }`);
        expect(bystander.body.errors).toBeUndefined();
        expect(bystander.body.data.regions.length).toBe(13);
        expect(Date.now() - started).toBeLessThan(900);
        // The flood's requests beyond its share wait their turn, then are refused with 429.
        await new Promise((resolve) => setTimeout(resolve, 1200));
        await locker.query('COMMIT');
        const answers = await Promise.all(flood);
        const codes = answers.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK');
        expect(codes.filter((c) => c === 'OK').length).toBe(2);
        expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBe(8);
        const refused = answers.find((r) => r.body.errors)!;
        expect(refused.status).toBe(429);
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.body.errors[0].message).toMatch(/2 requests being served/);
        expect(t.app.get(TransactionService).share.heldBy('attack-spata')).toBe(0);
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }
    });

    it('refuses too many requests at once over REST as a typed 429 problem', async () => {
      const locker = new pg.Client({ connectionString: t.db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE person IN ACCESS EXCLUSIVE MODE');
        const flood = Array.from({ length: 4 }, () =>
          t.http
            .get('/api/v1/beneficiaries?limit=1')
            .set('Authorization', `Bearer ${spata}`)
            .set('X-Purpose', 'CASE_MANAGEMENT')
            .then((r) => r),
        );
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await locker.query('COMMIT');
        const answers = await Promise.all(flood);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
        const refused = answers.find((r) => r.status === 429)!;
        expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(refused.body.code).toBe('RATE_LIMITED');
        expect(refused.headers['retry-after']).toBe('1');
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }
    });
  });
});
