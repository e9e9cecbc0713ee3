import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AuthService } from '../src/auth/auth.service.js';
import { Role } from '../src/auth/roles.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token with exactly the given timing claims (signToken always sets sane ones). */
function rawToken(claims: Record<string, unknown>, timing: { iat?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('raw-user')
    .setIssuer('mitroa')
    .setAudience('mitroa-api');
  if (timing.iat !== undefined) jwt.setIssuedAt(timing.iat);
  if (timing.exp !== undefined) jwt.setExpirationTime(timing.exp);
  return jwt.sign(secret);
}

/** Issue 8, items 8, 9, 10 and 16 (API keys minting API keys). */
describe('credentials and claims', () => {
  let t: TestApp;
  let admin: string;
  let providerId: string;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '5' });
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    const created = await t.gql(
      admin,
      'mutation($input: ProviderInput!) { createProvider(input: $input) { id } }',
      { input: { kindCode: 'COMMUNITY_CENTRE', name: 'Κέντρο Κοινότητας Σπάτων', municipalityCode: '4912' } },
    );
    providerId = created.body.data.createProvider.id;
  });
  afterAll(() => t.close());

  /** Each test uses addresses of its own: the failure limit counts per address. */
  let address = 0;
  const nextAddress = () => `192.0.2.${++address}`;
  const me = (token: string, from = nextAddress()) =>
    t.gql(token, '{ me { scope { level regionCode centreId providerId municipalityCodes } } }', undefined, {
      'X-Forwarded-For': from,
    });

  describe('request id', () => {
    it('writes the X-Request-Id a client sent into the audit rows of its request', async () => {
      const centre = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'rid-centre');
      const refused = await t.http
        .get('/api/v1/api-keys')
        .set('Authorization', `Bearer ${centre}`)
        .set('X-Request-Id', 'client-chosen-id.42');
      expect(refused.status).toBe(403);
      expect(refused.headers['x-request-id']).toBe('client-chosen-id.42');
      const generated = await t.http.get('/api/v1/api-keys').set('Authorization', `Bearer ${centre}`);
      const rows = await t.db.query<{ request_id: string }>(
        `SELECT request_id FROM audit_event WHERE actor_id = 'rid-centre' ORDER BY id`,
      );
      expect(rows.map((r) => r.request_id)).toEqual([
        'client-chosen-id.42',
        generated.headers['x-request-id'],
      ]);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('replaces a malformed X-Request-Id, and gives a 401 its request id in the header and the body', async () => {
      const res = await t.http
        .get('/api/v1/api-keys')
        .set('X-Request-Id', 'has spaces and "quotes"')
        .set('X-Forwarded-For', nextAddress());
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(res.text).requestId).toBe(res.headers['x-request-id']);
      const gql = await t.gql(undefined, '{ me { id } }', undefined, { 'X-Forwarded-For': nextAddress() });
      expect(gql.status).toBe(401);
      expect(gql.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('failed authentication limit', () => {
    it('answers 429 to an address after 5 failures, even to a valid key, before looking the key up; other addresses are unaffected', async () => {
      const created = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Crete OPS', roles: ['regional_officer'], regionCode: '13' });
      expect(created.status).toBe(201);
      const validKey: string = created.body.key;
      const attacker = nextAddress();
      const fake = () => `mitroa_${randomUUID().replace(/-/g, '')}_${'A'.repeat(43)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push(
          (
            await t.http
              .get('/api/v1/geography/regions')
              .set('X-Api-Key', fake())
              .set('X-Forwarded-For', attacker)
          ).status,
        );
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);

      const limited = await t.http
        .get('/api/v1/geography/regions')
        .set('X-Api-Key', validKey)
        .set('X-Forwarded-For', attacker);
      expect(limited.status).toBe(429);
      expect(JSON.parse(limited.text)).toMatchObject({ status: 429, code: 'AUTH_RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const limitedGql = await t.gql(admin, '{ me { id } }', undefined, { 'X-Forwarded-For': attacker });
      expect(limitedGql.status).toBe(429);
      expect(limitedGql.body.errors[0].extensions.code).toBe('AUTH_RATE_LIMITED');

      const neighbour = await t.http
        .get('/api/v1/geography/regions')
        .set('X-Api-Key', validKey)
        .set('X-Forwarded-For', nextAddress());
      expect(neighbour.status).toBe(200);
    });

    it('never counts successful calls, however many run at once', async () => {
      const busy = nextAddress();
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          t.http
            .get('/api/v1/geography/regions')
            .set('Authorization', `Bearer ${admin}`)
            .set('X-Forwarded-For', busy),
        ),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]));
    });
  });

  describe('token lifetime', () => {
    const claims = { roles: [Role.NATIONAL_ADMIN] };

    it.each([
      ['without exp', {}],
      ['without exp but with iat', { iat: now() }],
      ['valid for 100 years', { iat: now(), exp: now() + 100 * 365 * 86400 }],
      ['valid for 13 hours', { iat: now(), exp: now() + 13 * 3600 }],
      ['without iat, valid for 13 more hours', { exp: now() + 13 * 3600 }],
      [
        'issued in the future, so that exp - iat looks short',
        { iat: now() + 50 * 86400, exp: now() + 50 * 86400 + 60 },
      ],
    ])('refuses a token %s', async (_label, timing) => {
      const res = await me(await rawToken(claims, timing));
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('INVALID_CREDENTIALS');
    });

    it.each([
      ['of exactly the maximum lifetime (12 h)', { iat: now(), exp: now() + 12 * 3600 }],
      ['without iat that expires within the maximum', { exp: now() + 3600 }],
    ])('accepts a token %s', async (_label, timing) => {
      const res = await me(await rawToken(claims, timing));
      expect(res.status).toBe(200);
      expect(res.body.data.me.scope.level).toBe('national');
    });

    it('will not sign a token that would live longer than the maximum', async () => {
      await expect(t.app.get(AuthService).issueToken('x', claims, '13h')).rejects.toThrow(
        /JWT_MAX_TTL_SECONDS/,
      );
    });
  });

  describe('roles and area claims', () => {
    const refused: Array<[string, () => Record<string, unknown>]> = [
      ['centre_staff with a region', () => ({ roles: [Role.CENTRE_STAFF], region: '9' })],
      ['centre_staff with no area', () => ({ roles: [Role.CENTRE_STAFF] })],
      [
        'centre_staff with municipalities and a region',
        () => ({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'], region: '9' }),
      ],
      [
        'centre_staff with an empty list of municipalities',
        () => ({ roles: [Role.CENTRE_STAFF], municipalities: [] }),
      ],
      [
        'centre_staff with a centre that is not a provider id',
        () => ({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'], centre: 'demo' }),
      ],
      [
        'centre_staff with a centre that does not exist',
        () => ({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'], centre: randomUUID() }),
      ],
      [
        'regional_officer with municipalities',
        () => ({ roles: [Role.REGIONAL_OFFICER], municipalities: ['4912'] }),
      ],
      ['regional_officer with region 14', () => ({ roles: [Role.REGIONAL_OFFICER], region: '14' })],
      [
        'regional_officer with a provider',
        () => ({ roles: [Role.REGIONAL_OFFICER], region: '9', provider: providerId }),
      ],
      ['provider_staff with provider "demo"', () => ({ roles: [Role.PROVIDER_STAFF], provider: 'demo' })],
      ['provider_staff with provider ""', () => ({ roles: [Role.PROVIDER_STAFF], provider: '' })],
      [
        'provider_staff with a provider that does not exist',
        () => ({ roles: [Role.PROVIDER_STAFF], provider: randomUUID() }),
      ],
      ['provider_staff with a region', () => ({ roles: [Role.PROVIDER_STAFF], region: '9' })],
      ['national_admin with a region', () => ({ roles: [Role.NATIONAL_ADMIN], region: '9' })],
      ['auditor with a provider', () => ({ roles: [Role.AUDITOR], provider: providerId })],
      ['national_admin with a centre', () => ({ roles: [Role.NATIONAL_ADMIN], centre: providerId })],
      [
        'regional_officer and centre_staff together',
        () => ({ roles: [Role.REGIONAL_OFFICER, Role.CENTRE_STAFF], region: '9' }),
      ],
    ];
    it.each(refused)('refuses %s', async (_label, claims) => {
      const res = await me(await t.token(claims() as never));
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('INVALID_CREDENTIALS');
    });

    it('accepts each role with exactly the claim it needs', async () => {
      const scope = async (claims: Record<string, unknown>) => {
        const res = await me(await t.token(claims as never));
        expect(res.body.errors).toBeUndefined();
        return res.body.data.me.scope;
      };
      expect(await scope({ roles: [Role.NATIONAL_ADMIN] })).toMatchObject({ level: 'national' });
      expect(await scope({ roles: [Role.AUDITOR, Role.IMPORT_OPERATOR] })).toMatchObject({
        level: 'national',
      });
      expect(await scope({ roles: [Role.REGIONAL_OFFICER], region: '9' })).toMatchObject({
        level: 'region',
        regionCode: '9',
      });
      expect(
        await scope({ roles: [Role.REGIONAL_OFFICER, Role.IMPORT_OPERATOR], region: '13' }),
      ).toMatchObject({
        level: 'region',
        regionCode: '13',
      });
      expect(await scope({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] })).toMatchObject({
        level: 'centre',
        centreId: null,
        municipalityCodes: ['4912', '4904'],
      });
      expect(
        await scope({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'], centre: providerId }),
      ).toMatchObject({ level: 'centre', centreId: providerId });
      expect(await scope({ roles: [Role.PROVIDER_STAFF], provider: providerId })).toMatchObject({
        level: 'provider',
        providerId,
      });
      // A national role beside an area-bound one: the area-bound role's area, never the country.
      expect(
        await scope({ roles: [Role.NATIONAL_ADMIN, Role.CENTRE_STAFF], municipalities: ['0802'] }),
      ).toMatchObject({
        level: 'centre',
        municipalityCodes: ['0802'],
      });
    });
  });

  describe('API keys', () => {
    it('refuses an API key caller to create, list or revoke keys (403), and audits it', async () => {
      const created = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Attica OPS', roles: ['regional_officer'], regionCode: '9' });
      const key: string = created.body.key;
      const viaKey = (req: ReturnType<TestApp['http']['get']>) => req.set('X-Api-Key', key);
      const mint = await viaKey(t.http.post('/api/v1/api-keys')).send({
        name: 'child',
        roles: ['regional_officer'],
      });
      const list = await viaKey(t.http.get('/api/v1/api-keys'));
      const revoke = await viaKey(t.http.delete(`/api/v1/api-keys/${created.body.id}`));
      for (const res of [mint, list, revoke]) {
        expect(res.status).toBe(403);
        expect(JSON.parse(res.text).code).toBe('FORBIDDEN');
      }
      const gqlMe = await t.gql(undefined, '{ me { kind } }', undefined, { 'X-Api-Key': key });
      expect(gqlMe.body.data.me.kind).toBe('api_key');
      const rows = await t.db.query<{ action: string; outcome: string }>(
        `SELECT action, outcome FROM audit_event WHERE actor_id = $1 ORDER BY id`,
        [`api-key:${created.body.id}`],
      );
      expect(rows).toEqual([
        { action: 'api_key.create', outcome: 'denied' },
        { action: 'api_key.list', outcome: 'denied' },
        { action: 'api_key.revoke', outcome: 'denied' },
      ]);
      expect(
        Number(
          (
            await t.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM api_key WHERE created_by LIKE 'api-key:%'`,
            )
          )[0]!.n,
        ),
      ).toBe(0);
    });

    it('keys follow the same table: a regional officer makes regional keys only, national roles carry no region', async () => {
      const attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-keys');
      const national = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${attica}`)
        .send({ name: 'importer', roles: ['import_operator'] });
      expect(national.status).toBe(403);
      const withRegion = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'importer', roles: ['import_operator'], regionCode: '9' });
      expect(withRegion.status).toBe(400);
      const noRegion = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'officer', roles: ['regional_officer'] });
      expect(noRegion.status).toBe(400);
      const importer = await t.http
        .post('/api/v1/api-keys')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'importer', roles: ['import_operator'] });
      expect(importer.status).toBe(201);
      const scope = await t.gql(undefined, '{ me { scope { level } } }', undefined, {
        'X-Api-Key': importer.body.key,
      });
      expect(scope.body.data.me.scope.level).toBe('national');

      // A key stored before this table (an import_operator key with a region) is refused at use.
      await t.db.query(`UPDATE api_key SET region_code = '9' WHERE id = $1`, [importer.body.id]);
      const stale = await t.gql(undefined, '{ me { kind } }', undefined, {
        'X-Api-Key': importer.body.key,
        'X-Forwarded-For': nextAddress(),
      });
      expect(stale.status).toBe(401);
    });
  });
});
