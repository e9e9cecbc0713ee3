import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { SharedLimiter } from '../src/auth/shared-limiter.js';
import { ServiceUnavailableError } from '../src/common/domain-error.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CHEAP = '{ regions { code } }'; // cost 2: 1 point
const EXPENSIVE = '{ municipalities(first: 100) { edges { node { code name } } } }'; // cost 401: 5 points

/** `"user";r=4;t=60` -> 4 */
const remainingOf = (res: { headers: Record<string, string> }) =>
  Number(/;r=(\d+)/.exec(res.headers['ratelimit'] ?? '')?.[1]);

describe('rate limit', () => {
  let t: TestApp;
  let replica: TestApp;
  let admin: string;
  const env = {
    RATE_LIMIT_POINTS_PER_MINUTE: '5',
    RATE_LIMIT_API_KEY_POINTS_PER_MINUTE: '8',
    AUTH_FAILURES_PER_MINUTE: '5',
    // Every charge written as it comes, so that two replicas' counts are exact (batching: below).
    RATE_LIMIT_FLUSH_MS: '0',
  };

  beforeAll(async () => {
    t = await startTestApp(env);
    // A second replica on the same database, with a pool of one connection: the limiter's own
    // connection must be given back before the request's transaction takes one.
    replica = await startTestApp({ ...env, DATABASE_POOL_SIZE: '1' }, { database: t.db });
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin');
  });
  afterAll(async () => {
    await replica.close();
    await t.close();
  });

  const regions = (app: TestApp, token: string) =>
    app.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${token}`);

  it('answers 429 RATE_LIMITED with Retry-After once a caller spends its points, per caller, over REST and GraphQL', async () => {
    const busy = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'busy-user');
    const calm = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'calm-user');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await regions(t, busy)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    const refused = await regions(t, busy);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.parse(refused.text)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit']).toMatch(/^"user";r=0;t=\d+$/);
    const gql = await t.gql(busy, CHEAP);
    expect(gql.status).toBe(429);
    expect(gql.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(gql.headers['retry-after'])).toBeGreaterThan(0);

    expect((await regions(t, calm)).status).toBe(200);
    expect((await t.http.get('/health')).status).toBe(200);
  });

  it('sends the RateLimit and RateLimit-Policy headers on every answer', async () => {
    const caller = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'header-user');
    const rest = await regions(t, caller);
    expect(rest.headers['ratelimit-policy']).toBe('"user";q=5;w=60');
    expect(rest.headers['ratelimit']).toMatch(/^"user";r=4;t=\d+$/);
    const gql = await t.gql(caller, CHEAP);
    expect(gql.body.data.regions).toHaveLength(13);
    expect(gql.headers['ratelimit-policy']).toBe('"user";q=5;w=60');
    expect(remainingOf(gql)).toBe(3);
  });

  it('charges a GraphQL operation its cost: an expensive query spends more points than a cheap one', async () => {
    const roomy = await startTestApp({ RATE_LIMIT_POINTS_PER_MINUTE: '100' }, { database: t.db });
    try {
      const caller = await roomy.token({ roles: [Role.NATIONAL_ADMIN] }, 'cost-user');
      const cheap = await roomy.gql(caller, CHEAP);
      expect(cheap.body.data.regions).toHaveLength(13);
      expect(remainingOf(cheap)).toBe(99);
      const expensive = await roomy.gql(caller, EXPENSIVE);
      expect(expensive.body.data.municipalities.edges).toHaveLength(100);
      expect(remainingOf(expensive)).toBe(94);
      // A document that never becomes an operation still spends a point.
      const invalid = await roomy.gql(caller, '{ regions { nope } }');
      expect(invalid.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(remainingOf(await roomy.gql(caller, CHEAP))).toBe(92);
    } finally {
      await roomy.close();
    }
  });

  it('gives API keys a limit of their own', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Crete OPS', roles: ['regional_officer'], regionCode: '13' });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    const statuses: number[] = [];
    let first: { headers: Record<string, string> } | undefined;
    for (let i = 0; i < 9; i++) {
      const res = await t.http.get('/api/v1/geography/regions').set('X-Api-Key', key);
      first ??= res;
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    expect(first!.headers['ratelimit-policy']).toBe('"api-key";q=8;w=60');
  });

  it('shares the count between replicas on one database', async () => {
    const caller = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'roaming-user');
    const statuses: number[] = [];
    for (const app of [t, replica, t, replica, replica, t])
      statuses.push((await regions(app, caller)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await regions(replica, caller)).status).toBe(429);
    const [row] = await t.db.query<{ points: number }>(`SELECT points FROM rate_limit WHERE key = $1`, [
      'user:roaming-user',
    ]);
    expect(row!.points).toBeGreaterThanOrEqual(6);
  });

  it('shares the failed-authentication count between replicas: each learns of a spent address at its next failure', async () => {
    const attacker = '203.0.113.7';
    const guess = (app: TestApp) =>
      app.http
        .get('/api/v1/geography/regions')
        .set('X-Api-Key', `mitroa_${'0'.repeat(32)}_${'A'.repeat(43)}`)
        .set('X-Forwarded-For', attacker);
    const statuses: number[] = [];
    for (const app of [t, replica, t, replica, t, t, replica, replica])
      statuses.push((await guess(app)).status);
    // Five failures in all, then the first replica refuses; the second one lets one more be tried.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 401, 429]);
    const valid = await replica.http
      .get('/api/v1/geography/regions')
      .set('Authorization', `Bearer ${admin}`)
      .set('X-Forwarded-For', attacker);
    expect(JSON.parse(valid.text)).toMatchObject({ status: 429, code: 'AUTH_RATE_LIMITED' });
  });

  it('keeps the counters out of reach of the role requests run as', async () => {
    const [privileges] = await t.db.query<{ s: boolean; u: boolean }>(
      `SELECT has_table_privilege('mitroa_app', 'rate_limit', 'SELECT') AS s,
              has_table_privilege('mitroa_app', 'rate_limit', 'UPDATE') AS u`,
    );
    expect(privileges).toEqual({ s: false, u: false });
    const [table] = await t.db.query<{ persistence: string }>(
      `SELECT relpersistence AS persistence FROM pg_class WHERE relname = 'rate_limit'`,
    );
    expect(table!.persistence).toBe('u'); // unlogged
  });

  it('counts in the process, with the same limit, while the counter table is broken (fails open, not unlimited)', async () => {
    const caller = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'outage-user');
    await t.db.query(`ALTER TABLE rate_limit RENAME TO rate_limit_away`);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await regions(t, caller)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await t.db.query(`ALTER TABLE rate_limit_away RENAME TO rate_limit`);
    }
    const rows = await t.db.query(`SELECT 1 FROM rate_limit WHERE key = 'user:outage-user'`);
    expect(rows).toHaveLength(0);
  });
});

describe('SharedLimiter when its store is unavailable', () => {
  it('answers SERVICE_BUSY when no pool connection is free, as the request itself would get', async () => {
    const { createTestDatabase } = await import('./support/test-database.js');
    const db = await createTestDatabase();
    // The first connection may take its time on a busy machine; the limiter's then waits 100 ms.
    const pool = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 30_000 });
    const held = await pool.connect();
    (pool as unknown as { options: { connectionTimeoutMillis: number } }).options.connectionTimeoutMillis =
      100;
    try {
      const limiter = new SharedLimiter(pool, 'user', 5);
      await expect(limiter.charge('someone', 1)).rejects.toBeInstanceOf(ServiceUnavailableError);
    } finally {
      held.release();
      await pool.end();
      await db.drop();
    }
  });

  it('counts in the process when the database cannot be reached', async () => {
    const pool = new pg.Pool({ connectionString: 'postgresql://postgres@127.0.0.1:1/none', max: 1 });
    try {
      const limiter = new SharedLimiter(pool, 'user', 2);
      const states = [];
      for (let i = 0; i < 3; i++) states.push(await limiter.charge('someone', 1));
      expect(states.map((s) => s.allowed)).toEqual([true, true, false]);
      expect(states[2]).toMatchObject({ remaining: 0, limit: 2, policy: 'user' });
    } finally {
      await pool.end();
    }
  });

  it('counts in batches: charges under the limit cost no statement each, and a replica learns of the others at its next write', async () => {
    const { createTestDatabase } = await import('./support/test-database.js');
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const pointsOf = async () =>
      (await pool.query<{ points: number }>(`SELECT points FROM rate_limit WHERE key = 'user:batched'`))
        .rows[0]?.points;
    const settle = () => new Promise((done) => setTimeout(done, 300));
    try {
      // Two replicas on one database, each adding its count at most 100 ms after a charge.
      const [a, b] = [new SharedLimiter(pool, 'user', 5, 100), new SharedLimiter(pool, 'user', 5, 100)];
      const allowed = async (limiter: SharedLimiter) => (await limiter.charge('batched', 1)).allowed;
      expect([await allowed(a), await allowed(a), await allowed(a)]).toEqual([true, true, true]);
      expect(await pointsOf()).toBeUndefined(); // counted in the process, not yet written
      await settle();
      expect(await pointsOf()).toBe(3); // one write for the three
      expect([await allowed(b), await allowed(b), await allowed(b)]).toEqual([true, true, true]);
      await settle();
      expect(await pointsOf()).toBe(6);
      // b wrote and learnt the shared count: refused at once, and blocked without a query.
      expect(await allowed(b)).toBe(false);
      expect(b.blockedSeconds('batched')).toBeGreaterThan(0);
      // a last knew 3: its next charge stays under the limit by its count (the overshoot the
      // setting allows: what b had counted and not written), the one after writes and is refused.
      expect(await allowed(a)).toBe(true);
      expect(await allowed(a)).toBe(false);
      expect(await pointsOf()).toBe(9);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
