import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('answers 429 problem+json once a caller exceeds the limit, per caller, over REST and GraphQL', async () => {
    const busy = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'busy-user');
    const calm = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'calm-user');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${busy}`)).status,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${busy}`);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.parse(refused.text)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const gql = await t.gql(busy, '{ regions { code } }');
    expect(gql.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(
      (await t.http.get('/api/v1/geography/regions').set('Authorization', `Bearer ${calm}`)).status,
    ).toBe(200);
    expect((await t.http.get('/health')).status).toBe(200);
  });
});
