import { Role } from '../src/auth/roles.js';
import { bodyOf } from './authorization/run-matrix.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Doc = { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>> };

/**
 * The directory (providers, programmes, HSDS, geography over REST) holds no personal data and is read
 * without an account by default, GET only and rate-limited per address; DIRECTORY_REQUIRES_TOKEN=true
 * closes it. Every other route, and GraphQL, still needs a credential (the matrix checks each one).
 * Each test speaks from its own address (X-Forwarded-For; the loopback proxy is trusted).
 */
describe('anonymous reads of the directory', () => {
  describe('by default (DIRECTORY_REQUIRES_TOKEN=false)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_POINTS_PER_MINUTE: '3' });
    });
    afterAll(() => t?.close());

    it('answers a GET of the directory without credentials', async () => {
      for (const path of ['/api/v1/providers', '/api/v1/hsds/organizations', '/api/v1/programmes']) {
        const res = await t.http.get(path).set('X-Forwarded-For', '198.51.100.1');
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
    });

    it('refuses writes, people, the audit trail and GraphQL without credentials', async () => {
      const from = { 'X-Forwarded-For': '198.51.100.2' };
      const answers = [
        await t.http.post('/api/v1/providers').set(from).send({}),
        await t.http
          .get('/api/v1/beneficiaries?q=papadopoulos')
          .set(from)
          .set('X-Purpose', 'CASE_MANAGEMENT'),
        await t.http.get('/api/v1/audit-events').set(from).set('X-Purpose', 'AUDIT_REVIEW'),
        await t.http.get('/api/v1/providers/../beneficiaries').set(from),
        await t.gql(undefined, '{ providerKinds { code } }', {}, from),
      ].map((res) => ({
        status: res.status,
        code: bodyOf(res).code ?? bodyOf(res).errors?.[0]?.extensions?.code,
      }));
      expect(answers).toEqual([
        { status: 401, code: 'UNAUTHENTICATED' },
        { status: 401, code: 'UNAUTHENTICATED' },
        { status: 401, code: 'UNAUTHENTICATED' },
        expect.objectContaining({ status: 404 }),
        { status: 401, code: 'UNAUTHENTICATED' },
      ]);
    });

    it('still refuses a bad credential on the directory: no silent fall back to anonymous', async () => {
      const res = await t.http
        .get('/api/v1/providers')
        .set('X-Forwarded-For', '198.51.100.3')
        .set('Authorization', 'Bearer not-a-token');
      expect(res.status).toBe(401);
    });

    it('limits anonymous callers per address, apart from each other and from callers with a token', async () => {
      const get = (address: string) =>
        t.http.get('/api/v1/geography/regions').set('X-Forwarded-For', address);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await get('198.51.100.4')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await get('198.51.100.4');
      expect(bodyOf(refused)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect((await get('198.51.100.5')).status).toBe(200);
      const token = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'anonymous-neighbour');
      const withToken = await get('198.51.100.4').set('Authorization', `Bearer ${token}`);
      expect(withToken.status).toBe(200);
    });

    it('documents the credential as optional on the directory GETs only', async () => {
      const doc = (await t.http.get('/api/openapi.json')).body as Doc;
      expect(doc.paths['/api/v1/providers']!.get!.security).toContainEqual({});
      expect(doc.paths['/api/v1/hsds/services/{id}']!.get!.security).toContainEqual({});
      expect(doc.paths['/api/v1/providers']!.post!.security).not.toContainEqual({});
      expect(doc.paths['/api/v1/beneficiaries']!.get!.security).not.toContainEqual({});
    });
  });

  describe('with DIRECTORY_REQUIRES_TOKEN=true', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ DIRECTORY_REQUIRES_TOKEN: 'true' });
    });
    afterAll(() => t?.close());

    it('refuses a read of the directory without credentials, and documents none as optional', async () => {
      for (const path of ['/api/v1/providers', '/api/v1/hsds/organizations', '/api/v1/geography/regions']) {
        const res = await t.http.get(path);
        expect({ path, status: res.status, code: bodyOf(res).code }).toEqual({
          path,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
      const doc = (await t.http.get('/api/openapi.json')).body as Doc;
      expect(doc.paths['/api/v1/providers']!.get!.security).not.toContainEqual({});
    });
  });
});
