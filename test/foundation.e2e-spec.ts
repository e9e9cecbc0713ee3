import pg from 'pg';
import { SignJWT } from 'jose';
import { Role } from '../src/auth/roles.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

describe('service foundation over HTTP', () => {
  let t: TestApp;
  let admin: string;
  let atticaOfficer: string;
  let cretanOfficer: string;
  let spataCentre: string;
  let auditor: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    atticaOfficer = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    cretanOfficer = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '13' }, 'crete-1');
    spataCentre = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] }, 'spata-1');
    auditor = await t.token({ roles: [Role.AUDITOR] }, 'auditor-1');
  });
  afterAll(() => t.close());

  describe('authentication', () => {
    it('refuses GraphQL without credentials with 401 and a GraphQL error', async () => {
      const res = await t.gql(undefined, '{ me { id } }');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/Bearer/);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('refuses REST without credentials with 401 problem+json', async () => {
      const res = await t.http.get('/api/v1/api-keys');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        title: 'Unauthorized',
      });
    });

    it('refuses a token signed with another secret, an expired token and a malformed header', async () => {
      const forged = await new SignJWT({ roles: ['national_admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer('mitroa')
        .setAudience('mitroa-api')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another'));
      const expired = await new SignJWT({ roles: ['national_admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer('mitroa')
        .setAudience('mitroa-api')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const r1 = await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${forged}`);
      const r2 = await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${expired}`);
      const r3 = await t.http.get('/api/v1/geography/regions').set('Authorization', `Basic abc`);
      expect([r1.status, r2.status, r3.status]).toEqual([401, 401, 401]);
      expect(JSON.parse(r2.text).detail).toMatch(/expired/);
      expect(JSON.parse(r1.text).code).toBe('INVALID_CREDENTIALS');
    });

    it('refuses a token whose role needs an area but names none, or names an unknown one', async () => {
      const noArea = await t.token({ roles: [Role.CENTRE_STAFF] });
      const badArea = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['9999'] });
      const badRole = await t.token({ roles: ['superuser' as Role] });
      for (const token of [noArea, badArea, badRole]) {
        const res = await t.gql(token, '{ me { id } }');
        expect(res.status).toBe(401);
      }
    });

    it('tells the caller who they are and what area they see', async () => {
      const res = await t.gql(
        spataCentre,
        '{ me { id kind roles permissions scope { level municipalityCodes } } }',
      );
      expect(res.status).toBe(200);
      expect(res.body.data.me).toMatchObject({
        id: 'spata-1',
        kind: 'user',
        roles: ['CENTRE_STAFF'],
        scope: { level: 'centre', municipalityCodes: ['4912', '4904'] },
      });
      expect(res.body.data.me.permissions).not.toContain('SPECIAL_CATEGORY');
      const officer = await t.gql(atticaOfficer, '{ me { scope { level municipalityCodes } } }');
      expect(officer.body.data.me.scope.level).toBe('region');
      expect(officer.body.data.me.scope.municipalityCodes).toContain('4912');
      expect(officer.body.data.me.scope.municipalityCodes).not.toContain('0802');
    });
  });

  describe('geography look-ups', () => {
    it.each(['Σπάτων', 'ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ', 'spaton', 'SPATON artemidos', 'σπατων'])(
      'finds Σπάτων - Αρτέμιδος by "%s" in GraphQL',
      async (search) => {
        const res = await t.gql(
          spataCentre,
          'query($s: String) { municipalities(search: $s) { totalCount edges { node { code name nameLatin region { code name } } } } }',
          {
            s: search,
          },
        );
        expect(res.status).toBe(200);
        expect(res.body.data.municipalities.edges[0].node).toMatchObject({
          code: '4912',
          region: { code: '9' },
        });
      },
    );

    it.each([
      ['Καλαμπάκας', ['2602']],
      ['kalampaka', ['2602']],
      ['9069', ['1402', '1405']],
      ['9112', ['2602']],
      ['Athens', ['4501']],
      ['Piraeus', ['5101']],
      ['Heraklion', ['4604', '7101']],
      ['Peania', ['4908']],
      ['Μετεώρων', ['2602']],
    ])('finds a municipality by its predecessor or English name or code: "%s"', async (search, codes) => {
      const res = await t.gql(
        spataCentre,
        'query($s: String) { municipalities(search: $s) { edges { node { code } } } }',
        { s: search },
      );
      const found = res.body.data.municipalities.edges.map((e: { node: { code: string } }) => e.node.code);
      expect(found.slice(0, codes.length).sort()).toEqual(codes);
    });

    it('keeps Ηρακλείου of Attica at 4604, the code of the ELSTAT codebook', async () => {
      const rows = await t.db.query(
        `SELECT code, regional_unit_code FROM municipality WHERE name = 'ΗΡΑΚΛΕΙΟΥ' ORDER BY code`,
      );
      expect(rows).toEqual([
        { code: '4604', regional_unit_code: '0901' },
        { code: '7101', regional_unit_code: '1301' },
      ]);
    });

    it('finds the same municipality by name over REST, and a near spelling when nothing matches exactly', async () => {
      const res = await t.http
        .get('/api/v1/geography/municipalities')
        .query({ q: 'spaton' })
        .set('Authorization', `Bearer ${atticaOfficer}`);
      expect(res.status).toBe(200);
      expect(res.body.items[0].code).toBe('4912');
      const typo = await t.http
        .get('/api/v1/geography/municipalities')
        .query({ q: 'aspropyrgu' })
        .set('Authorization', `Bearer ${atticaOfficer}`);
      expect(typo.body.items.map((m: { code: string }) => m.code)).toContain('5002');
    });

    it('looks up by code, lists regions and regional units, and pages through municipalities', async () => {
      const one = await t.http
        .get('/api/v1/geography/municipalities/0802')
        .set('Authorization', `Bearer ${admin}`);
      expect(one.body).toMatchObject({
        code: '0802',
        regionCode: '2',
        predecessor2011Code: expect.any(String),
      });
      const regions = await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${admin}`);
      expect(regions.body).toHaveLength(13);
      const units = await t.gql(admin, '{ regionalUnits { code } }');
      expect(units.body.data.regionalUnits).toHaveLength(74);
      const seen = new Set<string>();
      let after: string | null = null;
      let total: number | undefined;
      do {
        const page: {
          body: {
            data: {
              municipalities: {
                totalCount: number;
                edges: Array<{ node: { code: string } }>;
                pageInfo: { hasNextPage: boolean; endCursor: string };
              };
            };
          };
        } = await t.gql(
          admin,
          'query($a: String) { municipalities(first: 100, after: $a) { totalCount edges { node { code } } pageInfo { hasNextPage endCursor } } }',
          {
            a: after,
          },
        );
        const conn = page.body.data.municipalities;
        total = conn.totalCount;
        conn.edges.forEach((e) => seen.add(e.node.code));
        after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      } while (after);
      expect(total).toBe(332);
      expect(seen.size).toBe(332);
    });

    it('answers an unknown code with a typed not-found error, and a page too large with a validation error', async () => {
      const rest = await t.http
        .get('/api/v1/geography/municipalities/9999')
        .set('Authorization', `Bearer ${admin}`);
      expect(rest.status).toBe(404);
      expect(JSON.parse(rest.text).code).toBe('UNKNOWN_MUNICIPALITY');
      const gql = await t.gql(admin, '{ municipality(code: "9999") { code } }');
      expect(gql.body.errors[0].extensions.code).toBe('UNKNOWN_MUNICIPALITY');
      const tooMany = await t.gql(admin, '{ municipalities(first: 5000) { totalCount } }');
      expect(tooMany.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const restTooMany = await t.http
        .get('/api/v1/geography/municipalities')
        .query({ limit: 5000, extra: 1 })
        .set('Authorization', `Bearer ${admin}`);
      expect(restTooMany.status).toBe(400);
      expect(
        JSON.parse(restTooMany.text)
          .errors.map((e: { field: string }) => e.field)
          .sort(),
      ).toEqual(['extra', 'limit']);
    });
  });

  describe('GraphQL limits refuse a query before it runs', () => {
    it('refuses a query nested too deep', async () => {
      const deep =
        '{ municipality(code: "4912") { region { regionalUnits { region { regionalUnits { region { regionalUnits { region { regionalUnits { region { code } } } } } } } } } } }';
      const res = await t.gql(admin, deep);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/depth/i);
      expect(res.body.data).toBeUndefined();
    });

    it('refuses a query that would cost too much', async () => {
      const costly = `{ ${Array.from({ length: 10 }, (_, i) => `m${i}: municipalities(first: 100) { edges { node { code name region { name regionalUnits { name } } } } }`).join(' ')} }`;
      const res = await t.gql(admin, costly);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toMatch(
        /QUERY_TOO_COSTLY|BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/,
      );
    });

    it('refuses too many aliases', async () => {
      const aliased = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: regions { code }`).join(' ')} }`;
      const res = await t.gql(admin, aliased);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/alias/i);
    });

    it('refuses a batched HTTP request', async () => {
      const res = await t.http
        .post('/graphql')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/json')
        .send([{ query: '{ regions { code } }' }, { query: '{ regions { code } }' }]);
      expect(res.status).toBe(400);
    });

    it('gives no field suggestions that would reveal the schema', async () => {
      const res = await t.gql(admin, '{ regoins { code } }');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).not.toMatch(/Did you mean/);
    });
  });

  describe('audit trail and scope', () => {
    it('lets a region manage its own API keys only; another region sees "not found"', async () => {
      const created = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${atticaOfficer}`)
        .send({ name: 'Attica OPS', roles: ['regional_officer'] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ regionCode: '9', key: expect.stringMatching(/^mitroa_/) });

      const viaKey = await t.gql(undefined, '{ me { kind scope { level } } }', undefined, {
        'X-Api-Key': created.body.key,
      });
      expect(viaKey.body.data.me).toEqual({ kind: 'api_key', scope: { level: 'region' } });

      const otherList = await t.http.get('/api/v1/api-keys').set('Authorization', `Bearer ${cretanOfficer}`);
      expect(otherList.body.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
      const otherRevoke = await t.http
        .delete(`/api/v1/api-keys/${created.body.id}`)
        .set('Authorization', `Bearer ${cretanOfficer}`);
      const missing = await t.http
        .delete(`/api/v1/api-keys/00000000-0000-4000-8000-000000000000`)
        .set('Authorization', `Bearer ${cretanOfficer}`);
      expect(otherRevoke.status).toBe(404);
      expect(JSON.parse(otherRevoke.text).detail).toBe(
        JSON.parse(missing.text).detail.replace('00000000-0000-4000-8000-000000000000', created.body.id),
      );

      const forOtherRegion = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${cretanOfficer}`)
        .send({ name: 'sneaky', roles: ['regional_officer'], regionCode: '9' });
      expect(forOtherRegion.status).toBe(403);

      const revoked = await t.http
        .delete(`/api/v1/api-keys/${created.body.id}`)
        .set('Authorization', `Bearer ${atticaOfficer}`);
      expect(revoked.status).toBe(200);
      const afterRevoke = await t.gql(undefined, '{ me { kind } }', undefined, {
        'X-Api-Key': created.body.key,
      });
      expect(afterRevoke.status).toBe(401);
    });

    it('refuses a role without the permission with 403, and records the refusal', async () => {
      const res = await t.http.get('/api/v1/api-keys').set('Authorization', `Bearer ${spataCentre}`);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).code).toBe('FORBIDDEN');
      const trail = await t.http
        .get('/api/v1/audit-events')
        .query({ actorId: 'spata-1', outcome: 'denied' })
        .set('Authorization', `Bearer ${auditor}`)
        .set('X-Purpose', 'AUDIT_REVIEW');
      expect(trail.status).toBe(200);
      expect(trail.body.items[0]).toMatchObject({
        action: 'api_key.list',
        outcome: 'denied',
        actorRoles: ['centre_staff'],
        requestId: expect.any(String),
      });
    });

    it('requires a declared purpose to read the trail, and audits the reading itself', async () => {
      const noPurpose = await t.gql(auditor, '{ auditEvents { totalCount } }');
      expect(noPurpose.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
      // Both refusals name the purposes (before: "see AccessPurpose", a name in the source).
      expect(noPurpose.body.errors[0].message).toContain('one of CASE_MANAGEMENT, REGISTRATION,');
      const badPurpose = await t.http
        .get('/api/v1/audit-events')
        .set('Authorization', `Bearer ${auditor}`)
        .set('X-Purpose', 'CURIOSITY');
      expect(badPurpose.status).toBe(400);
      expect(badPurpose.body.detail).toContain('use one of CASE_MANAGEMENT, REGISTRATION,');
      expect(badPurpose.body.detail).toContain('AUDIT_REVIEW');
      const ok = await t.gql(
        auditor,
        '{ auditEvents(purpose: AUDIT_REVIEW, first: 5) { totalCount edges { node { action outcome purpose actorId } } } }',
      );
      expect(ok.body.data.auditEvents.totalCount).toBeGreaterThan(0);
      const again = await t.gql(
        auditor,
        '{ auditEvents(purpose: AUDIT_REVIEW, actorId: "auditor-1", first: 50) { edges { node { action outcome purpose } } } }',
      );
      const actions = again.body.data.auditEvents.edges.map(
        (e: { node: { action: string; outcome: string; purpose: string | null } }) => e.node,
      );
      expect(actions).toContainEqual({ action: 'audit.read', outcome: 'allowed', purpose: 'AUDIT_REVIEW' });
      expect(actions).toContainEqual({ action: 'audit.read', outcome: 'denied', purpose: null });
      const centre = await t.gql(spataCentre, '{ auditEvents(purpose: AUDIT_REVIEW) { totalCount } }');
      expect(centre.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('pages the trail newest first with cursors, the same rows as one long page', async () => {
      const page = async (first: number, after?: string) =>
        (
          await t.gql(
            auditor,
            `query($first: Int, $after: String) { auditEvents(purpose: AUDIT_REVIEW, first: $first, after: $after) {
              totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
            { first, after },
          )
        ).body.data.auditEvents as {
          totalCount: number;
          edges: Array<{ node: { id: string } }>;
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      // Every read of the trail is itself a row of it: enough rows even when this test runs alone.
      for (let i = 0; i < 12; i++) await page(1);
      const whole = await page(12);
      expect(whole.edges.length).toBe(12);
      const ids = whole.edges.map((e) => BigInt(e.node.id));
      expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);
      // Reading the trail adds rows to it, newest first: the older pages stay as they were.
      const first = await page(5);
      const second = await page(5, first.pageInfo.endCursor);
      // Rows older than the first page's last never change (the trail only grows at the top), so
      // the second page is exactly the next five of them in the long page read before.
      const last = BigInt(first.edges[4]!.node.id);
      expect(second.edges.map((e) => e.node.id)).toEqual(
        whole.edges
          .filter((e) => BigInt(e.node.id) < last)
          .slice(0, 5)
          .map((e) => e.node.id),
      );
      expect(second.totalCount).toBeGreaterThanOrEqual(whole.totalCount);
      const foreignCursor = await t.gql(
        auditor,
        '{ auditEvents(purpose: AUDIT_REVIEW, after: "bm90IGEgY3Vyc29y") { totalCount } }',
      );
      expect(foreignCursor.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('keeps the trail append-only for the application role', async () => {
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE mitroa_app');
        await expect(client.query(`UPDATE audit_event SET outcome = 'allowed'`)).rejects.toThrow(
          /permission denied|append-only/,
        );
        await client.query('ROLLBACK');
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE mitroa_app');
        await expect(client.query('DELETE FROM audit_event')).rejects.toThrow(
          /permission denied|append-only/,
        );
        await client.query('ROLLBACK');
        // even the owner is stopped by the trigger (row triggers fire only when rows exist)
        await client.query(
          `INSERT INTO audit_event (actor_id, actor_kind, action, outcome) VALUES ('probe', 'system', 'probe', 'allowed')`,
        );
        await expect(client.query('DELETE FROM audit_event')).rejects.toThrow(/append-only/);
        await expect(client.query('TRUNCATE audit_event')).rejects.toThrow(/append-only/);
      } finally {
        await client.end();
      }
    });
  });

  describe('operations', () => {
    it('reports health with the database, liveness and Prometheus metrics without credentials', async () => {
      const health = await t.http.get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      expect((await t.http.get('/health/live')).body).toEqual({ status: 'ok' });
      await t.http.get('/api/v1/geography/municipalities/4912').set('Authorization', `Bearer ${admin}`);
      const metrics = await t.http.get('/metrics');
      expect(metrics.text).toMatch(/mitroa_http_request_duration_seconds_bucket/);
      // labels carry route patterns, never ids from a path
      expect(metrics.text).not.toMatch(/route="[^"]*[0-9]{4}/);
      expect(metrics.text).toMatch(/route="\/api\/v1\/geography\/municipalities\/:code"/);
    });

    it('serves OpenAPI 3 and answers unknown routes with problem+json', async () => {
      const spec = await t.http.get('/api/openapi.json');
      expect(spec.body.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.body.paths)).toContain('/api/v1/geography/municipalities');
      const docs = await t.http.get('/api/docs/');
      expect(docs.status).toBe(200);
      const unknown = await t.http.get('/api/v1/nothing-here').set('Authorization', `Bearer ${admin}`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    });

    it('serves a local GraphiQL page and its assets outside production, with no CDN', async () => {
      const page = await t.http.get('/graphiql');
      expect(page.status).toBe(200);
      expect(page.text).toContain('/graphiql/graphiql.js');
      // Operations on people need a declared purpose: GraphiQL starts with one filled in.
      expect(page.text).toContain("'X-Purpose': 'CASE_MANAGEMENT'");
      expect(page.text).not.toMatch(/https?:\/\//);
      const script = await t.http.get('/graphiql/graphiql.js');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toMatch(/javascript/);
    });

    it('echoes a safe request id and makes one when none is given', async () => {
      const given = await t.http.get('/health/live').set('X-Request-Id', 'abc-123');
      expect(given.headers['x-request-id']).toBe('abc-123');
      const unsafe = await t.http.get('/health/live').set('X-Request-Id', 'x'.repeat(200));
      expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});

describe('service foundation in production mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(() => t.close());

  it('disables introspection and hides internals', async () => {
    const token = await t.token({ roles: [Role.NATIONAL_ADMIN] });
    const res = await t.gql(token, '{ __schema { types { name } } }');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|\.ts:/);
    expect((await t.http.get('/graphiql')).status).toBe(404);
  });
});
