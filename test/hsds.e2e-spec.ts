import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Role } from '../src/auth/roles.js';
import { seedDemoData } from '../src/demo/seed-demo.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Our HSDS output must validate against Open Referral's own schemas, kept in test/fixtures/hsds-3
 * (CC BY-SA, see its README; HSDS_SCHEMA_DIR points elsewhere, e.g. at a newer release).
 */
const SCHEMA_DIR = process.env.HSDS_SCHEMA_DIR ?? join(process.cwd(), 'test', 'fixtures', 'hsds-3');

function loadJson(file: string): Record<string, unknown> {
  const path = join(SCHEMA_DIR, file);
  if (!existsSync(path))
    throw new Error(`HSDS schema ${path} not found: set HSDS_SCHEMA_DIR to a folder of HSDS 3.0 schemas`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('HSDS 3.0 endpoints', () => {
  let t: TestApp;
  let token: string;
  let centreId: string;
  let branchId: string;
  const validators: Record<string, ValidateFunction> = {};

  const get = (path: string, query: Record<string, unknown> = {}) =>
    t.http.get(`/api/v1/hsds${path}`).query(query).set('Authorization', `Bearer ${token}`);

  const expectValid = (name: string, document: unknown) => {
    const validate = validators[name]!;
    const ok = validate(document);
    if (!ok) throw new Error(`${name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
    expect(ok).toBe(true);
  };

  beforeAll(async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The full schemas reference each other by file name; the list forms are self-contained.
    for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json') && f !== 'openapi.json'))
      ajv.addSchema(loadJson(file), file);
    for (const name of ['organization', 'service', 'service_at_location', 'location'])
      validators[name] = ajv.getSchema(`${name}.json`)!;
    for (const name of ['organization_list', 'service_list', 'service_at_location_list'])
      validators[name] = ajv.compile(loadJson(`compiled/${name}.json`));
    const openapi = loadJson('openapi.json') as { components: { schemas: { Page: object } } };
    validators.page = ajv.compile(openapi.components.schemas.Page);

    t = await startTestApp();
    token = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    const weekdays = [1, 2, 3, 4, 5];
    const centre = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${token}`)
      .send({
        kindCode: 'COMMUNITY_CENTRE',
        name: 'Κέντρο Κοινότητας Δήμου Αλεξάνδρειας',
        organisation: 'Δήμος Αλεξάνδρειας',
        municipalityCode: '0802',
        phone: '+30 23330 50000',
        email: 'kk@alexandreia.gr',
        website: 'https://www.alexandreia.gr',
        languages: ['el', 'rom'],
        locations: [
          {
            name: 'Κεντρική μονάδα',
            address: 'Πλατεία Δημαρχείου',
            postalCode: '593 00',
            municipalityCode: '0802',
            latitude: 40.6267,
            longitude: 22.4453,
            accessibility: ['STEP_FREE_ACCESS'],
            openingHours: weekdays.flatMap((weekday) => [
              { weekday, opensAt: '09:00', closesAt: '15:00' },
              { weekday, opensAt: '15:00', closesAt: '21:00' },
            ]),
          },
          { address: 'Οικισμός Ρομά', municipalityCode: '0802' },
        ],
        services: [
          {
            name: 'Ψυχοκοινωνική συμβουλευτική',
            categoryCode: 'PSYCHOSOCIAL_COUNSELLING',
            targetGroups: ['CHILDREN', 'FAMILIES'],
            minAge: 6,
            maxAge: 99,
            eligibility: 'Κάτοικοι του Δήμου',
            requiredDocuments: ['Ταυτότητα'],
            costAmount: '0.00',
          },
          { name: 'Συλλογή και διανομή βασικών αγαθών', categoryCode: 'BASIC_GOODS' },
        ],
      });
    expect(centre.status).toBe(201);
    centreId = centre.body.id;
    const branch = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${token}`)
      .send({
        kindCode: 'CENTRE_BRANCH_ROMA',
        name: 'Παράρτημα Ρομά Αλεξάνδρειας',
        parentId: centreId,
        municipalityCode: '0802',
        status: 'TEMPORARILY_CLOSED',
        services: [{ name: 'Συμβουλευτική', categoryCode: 'SOCIAL_SUPPORT', targetGroups: ['ROMA'] }],
      });
    branchId = branch.body.id;
  });
  afterAll(() => t.close());

  it('uses validators that do refuse what HSDS forbids', () => {
    expect(validators.service!({ id: 'not-a-uuid', name: 'x', status: 'active' })).toBe(false);
    expect(validators.service!({ id: centreId, name: 'x' })).toBe(false);
    expect(validators.location!({ id: centreId, location_type: 'somewhere' })).toBe(false);
    expect(
      validators.organization!({ id: centreId, name: 'x', description: 'y', email: 'not an email' }),
    ).toBe(false);
  });

  it('lists organizations in the HSDS page shape, each valid against organization_list.json', async () => {
    const res = await get('/organizations', { per_page: 1 });
    expect(res.status).toBe(200);
    expectValid('page', res.body);
    expect(res.body).toMatchObject({
      total_items: 2,
      total_pages: 2,
      page_number: 1,
      size: 1,
      first_page: true,
      last_page: false,
      empty: false,
    });
    const second = await get('/organizations', { per_page: 1, page: 2 });
    expect(second.body).toMatchObject({ page_number: 2, last_page: true });
    for (const org of [...res.body.contents, ...second.body.contents]) expectValid('organization_list', org);
    const branch = [...res.body.contents, ...second.body.contents].find((o) => o.id === branchId);
    expect(branch.parent_organization_id).toBe(centreId);
  });

  it('serves a fully nested organization valid against organization.json', async () => {
    const res = await get(`/organizations/${centreId}`);
    expectValid('organization', res.body);
    expect(res.body).toMatchObject({
      alternate_name: 'Δήμος Αλεξάνδρειας',
      website: 'https://www.alexandreia.gr',
    });
    expect(res.body.locations[0].schedules).toHaveLength(10);
    expect(res.body.locations[0].addresses[0]).toMatchObject({ city: 'ΑΛΕΞΑΝΔΡΕΙΑΣ', country: 'GR' });
    expect(res.body.services).toHaveLength(2);
  });

  it('lists services and serves one fully nested, valid against service_list.json and service.json', async () => {
    const list = await get('/services', { organization_id: centreId });
    expectValid('page', list.body);
    expect(list.body.total_items).toBe(2);
    for (const s of list.body.contents) expectValid('service_list', s);
    const counselling = list.body.contents.find(
      (s: { name: string }) => s.name === 'Ψυχοκοινωνική συμβουλευτική',
    );
    const full = await get(`/services/${counselling.id}`);
    expectValid('service', full.body);
    expect(full.body).toMatchObject({
      status: 'active',
      minimum_age: 6,
      cost_options: [{ currency: 'EUR', amount: 0 }],
      service_areas: [{ name: 'ΑΛΕΞΑΝΔΡΕΙΑΣ' }],
    });
    expect(full.body.service_at_locations).toHaveLength(2);
    expect(full.body.service_at_locations[0].schedules[0]).toMatchObject({
      freq: 'WEEKLY',
      byday: 'MO',
      opens_at: '09:00',
      closes_at: '15:00',
    });
    const branchServices = await get('/services', { organization_id: branchId });
    expect(branchServices.body.contents[0].status).toBe('temporarily closed');
  });

  it('lists locations and serves one, valid against the HSDS location schema', async () => {
    const list = await get('/locations');
    expectValid('page', list.body);
    expect(list.body.total_items).toBe(2);
    for (const l of list.body.contents) expectValid('location', l);
    const one = await get(`/locations/${list.body.contents[0].id}`);
    expectValid('location', one.body);
    expect(one.body.accessibility.map((a: { description: string }) => a.description)).toEqual([
      'STEP_FREE_ACCESS',
    ]);
  });

  it('lists services at locations and finds each again by its id', async () => {
    const list = await get('/service_at_locations', { per_page: 100 });
    expectValid('page', list.body);
    expect(list.body.total_items).toBe(4);
    for (const sal of list.body.contents) expectValid('service_at_location_list', sal);
    for (const sal of list.body.contents) {
      const one = await get(`/service_at_locations/${sal.id}`);
      expect(one.status).toBe(200);
      expectValid('service_at_location', one.body);
      expect(one.body).toMatchObject({
        id: sal.id,
        service_id: sal.service_id,
        location_id: sal.location_id,
      });
    }
  });

  it('answers unknown ids with 404 problem+json and caps per_page', async () => {
    for (const path of ['/organizations/', '/services/', '/locations/', '/service_at_locations/']) {
      const res = await get(`${path}00000000-0000-4000-8000-000000000000`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const big = await get('/services', { per_page: 1000 });
    expect(big.status).toBe(400);
  });

  it('emits valid HSDS for all of the demo data too (run last: it adds the demo providers)', async () => {
    await seedDemoData(t.db.url, () => undefined);
    const all = async (path: string) => {
      const items: Array<{ id: string }> = [];
      for (let page = 1; ; page++) {
        const res = await get(path, { page, per_page: 100 });
        expectValid('page', res.body);
        items.push(...res.body.contents);
        if (res.body.last_page) return items;
      }
    };
    const organizations = await all('/organizations');
    expect(organizations.length).toBeGreaterThanOrEqual(15);
    for (const o of organizations) expectValid('organization', (await get(`/organizations/${o.id}`)).body);
    for (const s of await all('/services')) expectValid('service', (await get(`/services/${s.id}`)).body);
    for (const l of await all('/locations')) expectValid('location', l);
    for (const sal of await all('/service_at_locations')) expectValid('service_at_location_list', sal);
  });
});
