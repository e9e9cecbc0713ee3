import { jest } from '@jest/globals';
import pg from 'pg';
import { ProvidersService } from '../src/providers/providers.service.js';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const WEEKDAYS = [1, 2, 3, 4, 5];
const hours = (opensAt: string, closesAt: string) =>
  WEEKDAYS.map((weekday) => ({ weekday, opensAt, closesAt }));

/** Spata–Artemida's centre: Mon–Fri 08:00–16:00, a location with coordinates and step-free access. */
const spataCentre = {
  kindCode: 'COMMUNITY_CENTRE',
  name: 'Κέντρο Κοινότητας Δήμου Σπάτων - Αρτέμιδος',
  organisation: 'Δήμος Σπάτων - Αρτέμιδος',
  municipalityCode: '4912',
  languages: ['el', 'en'],
  staffRoles: [
    { role: 'SOCIAL_WORKER', count: 2 },
    { role: 'PSYCHOLOGIST', count: 1 },
  ],
  phone: '+30 210 6633000',
  email: 'kk@spata-artemis.gr',
  locations: [
    {
      name: 'Κεντρική μονάδα',
      address: 'Βασ. Παύλου 1, Σπάτα',
      postalCode: '190 04',
      municipalityCode: '4912',
      latitude: 37.9614,
      longitude: 23.9146,
      accessibility: ['STEP_FREE_ACCESS'],
      openingHours: hours('08:00', '16:00'),
    },
  ],
  closures: [{ startsOn: '2026-08-10', endsOn: '2026-08-21', reason: 'Θερινή διακοπή' }],
  services: [
    {
      name: 'Υποδοχή, ενημέρωση και υποστήριξη',
      categoryCode: 'INFORMATION_AND_REFERRAL',
      targetGroups: ['ALL_RESIDENTS'],
      costAmount: '0.00',
    },
    {
      name: 'Βοήθεια σε αιτήσεις επιδομάτων',
      categoryCode: 'BENEFIT_APPLICATIONS',
      targetGroups: ['DESTITUTE', 'ELDERLY'],
      requiredDocuments: ['Ταυτότητα', 'ΑΜΚΑ'],
    },
  ],
};

describe('provider registry', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: string;
  let attica: string;
  let crete: string;
  let spataStaff: string;
  let alexandreiaStaff: string;
  let spataId: string;
  let romaBranchId: string;
  let alexandreiaId: string;
  let groceryId: string;
  let heraklionId: string;

  const rest = (token: string) => ({
    post: (path: string, body: unknown) =>
      t.http
        .post(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body as object),
    put: (path: string, body: unknown) =>
      t.http
        .put(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body as object),
    get: (path: string, query: Record<string, unknown> = {}) =>
      t.http.get(`/api/v1${path}`).query(query).set('Authorization', `Bearer ${token}`),
  });

  const counts = async () => {
    const { rows } = await db.query(`SELECT
      (SELECT count(*) FROM provider)::int AS providers,
      (SELECT count(*) FROM provider_location)::int AS locations,
      (SELECT count(*) FROM opening_hours)::int AS hours,
      (SELECT count(*) FROM provider_service)::int AS services,
      (SELECT count(*) FROM provider_service_area)::int AS areas,
      (SELECT count(*) FROM provider_closure)::int AS closures`);
    return rows[0];
  };

  const ids = (res: { body: { data: { providers: { edges: Array<{ node: { id: string } }> } } } }) =>
    res.body.data.providers.edges.map((e) => e.node.id);

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    crete = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '13' }, 'crete-1');
    spataStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] }, 'spata-1');
    alexandreiaStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-1');

    const created = await rest(attica).post('/providers', spataCentre);
    expect(created.status).toBe(201);
    spataId = created.body.id;

    const branch = await rest(attica).post('/providers', {
      kindCode: 'CENTRE_BRANCH_ROMA',
      name: 'Παράρτημα Ρομά Κέντρου Κοινότητας Σπάτων - Αρτέμιδος',
      parentId: spataId,
      municipalityCode: '4912',
      serviceArea: ['4904'],
      languages: ['el', 'rom'],
      locations: [
        {
          address: 'Οικισμός Ρομά, Σπάτα',
          municipalityCode: '4912',
          latitude: 37.97,
          longitude: 23.93,
          openingHours: hours('08:00', '16:00'),
        },
      ],
      services: [
        { name: 'Συμβουλευτική κοινωνικής ένταξης', categoryCode: 'SOCIAL_SUPPORT', targetGroups: ['ROMA'] },
      ],
    });
    expect(branch.status).toBe(201);
    romaBranchId = branch.body.id;

    const alexandreia = await t.gql(
      alexandreiaStaff,
      `mutation($input: ProviderInput!) { createProvider(input: $input) { id } }`,
      {
        input: {
          kindCode: 'COMMUNITY_CENTRE',
          name: 'Κέντρο Κοινότητας Δήμου Αλεξάνδρειας',
          municipalityCode: '0802',
          locations: [
            {
              address: 'Αλεξάνδρεια Ημαθίας',
              municipalityCode: '0802',
              latitude: 40.6267,
              longitude: 22.4453,
              openingHours: [...hours('09:00', '15:00'), ...hours('15:00', '21:00')],
            },
          ],
          services: [
            {
              name: 'Ψυχοκοινωνική συμβουλευτική',
              categoryCode: 'PSYCHOSOCIAL_COUNSELLING',
              targetGroups: ['CHILDREN', 'FAMILIES'],
            },
          ],
        },
      },
    );
    expect(alexandreia.body.errors).toBeUndefined();
    alexandreiaId = alexandreia.body.data.createProvider.id;

    const grocery = await rest(attica).post('/providers', {
      kindCode: 'SOCIAL_GROCERY',
      name: 'Κοινωνικό Παντοπωλείο Ασπροπύργου',
      municipalityCode: '5002',
      closedOnPublicHolidays: false,
      locations: [
        {
          address: 'Ασπρόπυργος',
          municipalityCode: '5002',
          latitude: 38.0614,
          longitude: 23.5878,
          openingHours: [{ weekday: 6, opensAt: '10:00', closesAt: '13:00' }, ...hours('10:00', '13:00')],
        },
      ],
      services: [
        {
          name: 'Διανομή τροφίμων',
          categoryCode: 'FOOD_AID',
          targetGroups: ['DESTITUTE'],
          eligibility: 'Δικαιούχοι ΕΕΕ',
        },
      ],
    });
    expect(grocery.status).toBe(201);
    groceryId = grocery.body.id;

    const heraklion = await rest(crete).post('/providers', {
      kindCode: 'KAPI',
      name: 'ΚΑΠΗ Ηρακλείου',
      municipalityCode: '7101',
    });
    expect(heraklion.status).toBe(201);
    heraklionId = heraklion.body.id;
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('REST for regions', () => {
    it('creates a provider with its locations, hours, closures and services, audited', async () => {
      const res = await rest(attica).get(`/providers/${spataId}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        kindCode: 'COMMUNITY_CENTRE',
        municipalityCode: '4912',
        serviceArea: ['4912'],
        version: 1,
        staffRoles: [
          { role: 'SOCIAL_WORKER', count: 2 },
          { role: 'PSYCHOLOGIST', count: 1 },
        ],
        closures: [{ startsOn: '2026-08-10', endsOn: '2026-08-21' }],
      });
      expect(res.body.locations[0].openingHours).toHaveLength(5);
      expect(res.body.locations[0].openingHours[0]).toMatchObject({
        weekday: 1,
        opensAt: '08:00',
        closesAt: '16:00',
      });
      expect(res.body.services.map((s: { categoryCode: string }) => s.categoryCode)).toEqual([
        'INFORMATION_AND_REFERRAL',
        'BENEFIT_APPLICATIONS',
      ]);
      expect(res.body.services[0].costAmount).toBe('0.00');
      const { rows } = await db.query(
        `SELECT actor_id, action, municipality_code FROM audit_event WHERE subject_id = $1 AND outcome = 'allowed'`,
        [spataId],
      );
      expect(rows).toEqual([{ actor_id: 'attica-1', action: 'provider.create', municipality_code: '4912' }]);
      const { rows: stored } = await db.query(`SELECT created_by FROM provider WHERE id = $1`, [spataId]);
      expect(stored[0].created_by).toBe('attica-1');
    });

    it('refuses a field a client may not set, such as createdBy', async () => {
      const res = await rest(attica).post('/providers', { ...spataCentre, createdBy: 'someone-else' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors).toEqual([expect.objectContaining({ field: 'createdBy' })]);
    });

    it('lets the region of Attica create and change only providers of Attica', async () => {
      const before = await counts();
      const inCrete = await rest(attica).post('/providers', {
        kindCode: 'KAPI',
        name: 'ΚΑΠΗ Ηρακλείου 2',
        municipalityCode: '7101',
      });
      expect(inCrete.status).toBe(403);
      expect(inCrete.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.parse(inCrete.text).code).toBe('OUTSIDE_YOUR_AREA');
      const changeCrete = await rest(attica).put(`/providers/${heraklionId}`, {
        kindCode: 'KAPI',
        name: 'ΚΑΠΗ Ηρακλείου (αλλαγή)',
        municipalityCode: '7101',
      });
      expect(changeCrete.status).toBe(403);
      expect(JSON.parse(changeCrete.text).code).toBe('OUTSIDE_YOUR_AREA');
      const moveToCrete = await rest(attica).put(`/providers/${groceryId}`, {
        kindCode: 'SOCIAL_GROCERY',
        name: 'Κοινωνικό Παντοπωλείο',
        municipalityCode: '7101',
      });
      expect(moveToCrete.status).toBe(403);
      const creteTakesAttica = await rest(crete).put(`/providers/${spataId}`, spataCentre);
      expect(creteTakesAttica.status).toBe(403);
      expect(await counts()).toEqual(before);
      const { rows } = await db.query(`SELECT name FROM provider WHERE id = $1`, [heraklionId]);
      expect(rows[0].name).toBe('ΚΑΠΗ Ηρακλείου');
      const { rows: denied } = await db.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = 'attica-1' AND outcome = 'denied'`,
      );
      expect(denied[0].n).toBeGreaterThanOrEqual(3);
    });

    it('replaces a provider, keeping the ids of locations and services sent back, and bumps its version', async () => {
      const before = (await rest(attica).get(`/providers/${groceryId}`)).body;
      const res = await rest(attica).put(`/providers/${groceryId}`, {
        kindCode: 'SOCIAL_GROCERY',
        name: 'Κοινωνικό Παντοπωλείο Δήμου Ασπροπύργου',
        municipalityCode: '5002',
        closedOnPublicHolidays: false,
        expectedVersion: 1,
        locations: [
          {
            id: before.locations[0].id,
            address: 'Ασπρόπυργος, Δημαρχείο',
            municipalityCode: '5002',
            latitude: 38.0614,
            longitude: 23.5878,
            openingHours: [{ weekday: 6, opensAt: '10:00', closesAt: '13:00' }, ...hours('10:00', '13:00')],
          },
        ],
        services: [
          { ...before.services[0], id: before.services[0].id, providerId: undefined, position: undefined },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(2);
      expect(res.body.locations[0].id).toBe(before.locations[0].id);
      expect(res.body.locations[0].address).toBe('Ασπρόπυργος, Δημαρχείο');
      expect(res.body.services[0].id).toBe(before.services[0].id);
      const stale = await rest(attica).put(`/providers/${groceryId}`, {
        kindCode: 'SOCIAL_GROCERY',
        name: 'Παλιό όνομα',
        municipalityCode: '5002',
        expectedVersion: 1,
      });
      expect(stale.status).toBe(409);
      expect(JSON.parse(stale.text).code).toBe('VERSION_CONFLICT');
    });

    it('answers an unknown provider id with 404 and a malformed one with 400', async () => {
      const missing = await rest(attica).get('/providers/00000000-0000-4000-8000-000000000000');
      const malformed = await rest(attica).get('/providers/not-an-id');
      expect([missing.status, malformed.status]).toEqual([404, 400]);
      expect(JSON.parse(missing.text).code).toBe('NOT_FOUND');
      expect(JSON.parse(malformed.text).code).toBe('BAD_USER_INPUT');
    });

    it('searches over REST with the same filters and paging', async () => {
      const res = await rest(attica).get('/providers', { servingMunicipality: '4904', limit: 10 });
      expect(res.status).toBe(200);
      expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([romaBranchId]);
      expect(res.body).toMatchObject({ total: 1, nextCursor: null });
      const nearAndOpen = await rest(attica).get('/providers', {
        nearLatitude: 37.9614,
        nearLongitude: 23.9146,
        radiusKm: 5,
        openAt: '2026-01-19T08:30:00Z',
      });
      expect(nearAndOpen.status).toBe(200);
      expect(nearAndOpen.body.items.map((p: { id: string }) => p.id)).toEqual([spataId, romaBranchId]);
      expect(nearAndOpen.body.items[0].distanceKm).toBeCloseTo(0, 3);
      const kinds = await rest(attica).get('/provider-kinds');
      expect(kinds.body.map((k: { code: string }) => k.code)).toContain('SOCIAL_PHARMACY');
    });

    it('is documented in the OpenAPI document', async () => {
      const res = await t.http.get('/api/openapi.json');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/providers',
          '/api/v1/providers/{id}',
          '/api/v1/provider-kinds',
          '/api/v1/programmes',
          '/api/v1/programmes/{id}',
          '/api/v1/hsds/organizations',
          '/api/v1/hsds/services/{id}',
          '/api/v1/hsds/locations',
          '/api/v1/hsds/service_at_locations/{id}',
        ]),
      );
      expect(res.body.paths['/api/v1/providers'].post.requestBody).toBeDefined();
      expect(res.body.components.schemas.ProviderInput.properties.locations).toBeDefined();
      expect(res.body.components.schemas.ProgrammeInput.properties.budget).toMatchObject({ type: 'string' });
    });
  });

  describe('bad input is refused with a typed code and nothing is written', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['an unknown municipality', { municipalityCode: '9999' }, 'UNKNOWN_MUNICIPALITY'],
      ['an unknown service-area municipality', { serviceArea: ['4904', '9998'] }, 'UNKNOWN_MUNICIPALITY'],
      ['an unknown kind', { kindCode: 'CASINO' }, 'UNKNOWN_PROVIDER_KIND'],
      [
        'overlapping hours',
        {
          locations: [
            {
              address: 'x',
              municipalityCode: '4912',
              openingHours: [
                { weekday: 1, opensAt: '08:00', closesAt: '16:00' },
                { weekday: 1, opensAt: '15:00', closesAt: '21:00' },
              ],
            },
          ],
        },
        'OVERLAPPING_HOURS',
      ],
      [
        'hours crossing midnight',
        {
          locations: [
            {
              address: 'x',
              municipalityCode: '4912',
              openingHours: [{ weekday: 5, opensAt: '22:00', closesAt: '02:00' }],
            },
          ],
        },
        'HOURS_CROSS_MIDNIGHT',
      ],
      [
        'a negative cost',
        { services: [{ name: 'x', categoryCode: 'FOOD_AID', costAmount: '-5.00' }] },
        'NEGATIVE_AMOUNT',
      ],
      [
        'an unknown target group',
        { services: [{ name: 'x', categoryCode: 'FOOD_AID', targetGroups: ['MARTIANS'] }] },
        'UNKNOWN_TARGET_GROUP',
      ],
      [
        'an age range upside down',
        { services: [{ name: 'x', categoryCode: 'FOOD_AID', minAge: 60, maxAge: 18 }] },
        'BAD_AGE_RANGE',
      ],
      [
        'a closure ending before it starts',
        { closures: [{ startsOn: '2026-08-10', endsOn: '2026-08-01' }] },
        'BAD_DATE_RANGE',
      ],
      ['a blank name', { name: '   ' }, 'BAD_USER_INPUT'],
      [
        'a location with one coordinate',
        { locations: [{ address: 'x', municipalityCode: '4912', latitude: 37.9 }] },
        'INCOMPLETE_COORDINATES',
      ],
      ['an unknown parent', { parentId: '00000000-0000-4000-8000-000000000000' }, 'UNKNOWN_PARENT'],
      [
        'a time that is not a time',
        {
          locations: [
            {
              address: 'x',
              municipalityCode: '4912',
              openingHours: [{ weekday: 1, opensAt: '25:00', closesAt: '26:00' }],
            },
          ],
        },
        'BAD_USER_INPUT',
      ],
    ];

    it.each(cases)('refuses %s', async (_what, change, code) => {
      const before = await counts();
      const res = await rest(attica).post('/providers', { ...spataCentre, name: 'Δοκιμή', ...change });
      expect(res.status).toBe(400);
      const problem = JSON.parse(res.text);
      expect(problem.code).toBe(code);
      expect(problem.detail.length).toBeGreaterThan(20);
      expect(await counts()).toEqual(before);
    });

    it('refuses the same over GraphQL with the code in extensions, writing nothing', async () => {
      const before = await counts();
      const res = await t.gql(
        spataStaff,
        `mutation($input: ProviderInput!) { createProvider(input: $input) { id } }`,
        {
          input: {
            kindCode: 'COMMUNITY_CENTRE',
            name: 'Δοκιμή',
            municipalityCode: '4912',
            locations: [
              {
                address: 'x',
                municipalityCode: '4912',
                openingHours: [
                  { weekday: 2, opensAt: '09:00', closesAt: '17:00' },
                  { weekday: 2, opensAt: '16:30', closesAt: '18:00' },
                ],
              },
            ],
          },
        },
      );
      expect(res.body.errors[0].extensions.code).toBe('OVERLAPPING_HOURS');
      expect(res.body.errors[0].extensions.fields[0].field).toBe('locations.0.openingHours.1');
      expect(await counts()).toEqual(before);
    });

    it('refuses making a centre a branch of its own branch', async () => {
      const res = await rest(attica).put(`/providers/${spataId}`, { ...spataCentre, parentId: romaBranchId });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).code).toBe('PARENT_CYCLE');
    });
  });

  describe('GraphQL for centres', () => {
    const list = `query($f: String, $s: String, $k: String, $c: String, $g: String, $lat: Float, $lon: Float, $r: Float, $at: DateTime, $first: Int, $after: String) {
      providers(servingMunicipality: $f, search: $s, kindCode: $k, categoryCode: $c, targetGroup: $g,
                nearLatitude: $lat, nearLongitude: $lon, radiusKm: $r, openAt: $at, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id name distanceKm } }
      } }`;

    it('lets centre staff add providers of their own municipalities only', async () => {
      const res = await t.gql(
        spataStaff,
        `mutation($input: ProviderInput!) { createProvider(input: $input) { id } }`,
        {
          input: {
            kindCode: 'SOCIAL_PHARMACY',
            name: 'Κοινωνικό Φαρμακείο Αλεξάνδρειας',
            municipalityCode: '0802',
          },
        },
      );
      expect(res.body.errors[0].extensions.code).toBe('OUTSIDE_YOUR_AREA');
    });

    it("lets centre staff replace a provider of their area over GraphQL, but not another area's", async () => {
      const update = `mutation($id: UUID!, $input: ProviderInput!) { updateProvider(id: $id, input: $input) { id version status languages } }`;
      const input = {
        kindCode: 'CENTRE_BRANCH_ROMA',
        name: 'Παράρτημα Ρομά Κέντρου Κοινότητας Σπάτων - Αρτέμιδος',
        parentId: spataId,
        municipalityCode: '4912',
        serviceArea: ['4904'],
        languages: ['el', 'rom', 'en'],
        locations: [
          {
            address: 'Οικισμός Ρομά, Σπάτα',
            municipalityCode: '4912',
            latitude: 37.97,
            longitude: 23.93,
            openingHours: hours('08:00', '16:00'),
          },
        ],
        services: [
          {
            name: 'Συμβουλευτική κοινωνικής ένταξης',
            categoryCode: 'SOCIAL_SUPPORT',
            targetGroups: ['ROMA'],
          },
        ],
      };
      const ok = await t.gql(spataStaff, update, { id: romaBranchId, input });
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.updateProvider).toMatchObject({
        version: 2,
        status: 'ACTIVE',
        languages: ['el', 'rom', 'en'],
      });
      const before = await counts();
      const other = await t.gql(alexandreiaStaff, update, { id: romaBranchId, input });
      expect(other.body.errors[0].extensions.code).toBe('OUTSIDE_YOUR_AREA');
      expect(await counts()).toEqual(before);
      const { rows } = await db.query(`SELECT version, updated_by FROM provider WHERE id = $1`, [
        romaBranchId,
      ]);
      expect(rows[0]).toEqual({ version: 2, updated_by: 'spata-1' });
    });

    it('finds providers serving a municipality, including a branch that serves a neighbour', async () => {
      const kropia = await t.gql(spataStaff, list, { f: '4904' });
      expect(ids(kropia)).toEqual([romaBranchId]);
      const spata = await t.gql(spataStaff, list, { f: '4912' });
      expect(ids(spata).sort()).toEqual([spataId, romaBranchId].sort());
    });

    it('resolves relations: kind, parent, branches, service area, locations with hours, services with category', async () => {
      const res = await t.gql(
        spataStaff,
        `query($id: UUID!) { provider(id: $id) { name kind { code name } parent { id } branches { id name }
           serviceArea { code } municipality { code name }
           locations { address accessibility latitude openingHours { weekday opensAt closesAt } }
           services { name category { code } targetGroups requiredDocuments } closures { startsOn endsOn } } }`,
        { id: spataId },
      );
      expect(res.body.errors).toBeUndefined();
      const p = res.body.data.provider;
      expect(p.kind).toEqual({ code: 'COMMUNITY_CENTRE', name: 'Κέντρο Κοινότητας' });
      expect(p.parent).toBeNull();
      expect(p.branches.map((b: { id: string }) => b.id)).toEqual([romaBranchId]);
      expect(p.locations[0].accessibility).toEqual(['STEP_FREE_ACCESS']);
      expect(p.services[1]).toMatchObject({
        category: { code: 'BENEFIT_APPLICATIONS' },
        requiredDocuments: ['Ταυτότητα', 'ΑΜΚΑ'],
      });
      const branch = await t.gql(
        spataStaff,
        `query($id: UUID!) { provider(id: $id) { parent { id } serviceArea { code } } }`,
        {
          id: romaBranchId,
        },
      );
      expect(branch.body.data.provider).toEqual({
        parent: { id: spataId },
        serviceArea: [{ code: '4912' }, { code: '4904' }],
      });
    });

    it('loads the relations of a whole page with one query per relation (no N+1)', async () => {
      const service = t.app.get(ProvidersService);
      const spies = (
        ['locationsOf', 'hoursOf', 'servicesOf', 'serviceAreasOf', 'listKinds', 'listCategories'] as const
      ).map((m) => jest.spyOn(service, m));
      try {
        const query = `{ providers(first: 50) { edges { node { id kind { code } locations { openingHours { weekday } } services { category { code } } serviceArea { code } } } } }`;
        const res = await t.gql(admin, query);
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.providers.edges.length).toBeGreaterThanOrEqual(5);
        // Locations, their hours and services come in the page's own statement (issue 9), the
        // others with one query per relation for the whole page.
        expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0, 0, 1, 1, 1]);
        // Branches are not brought with the page: their relations load by batch, once each.
        spies.forEach((s) => s.mockClear());
        const branches = await t.gql(
          admin,
          `{ providers(first: 50) { edges { node { branches { locations { openingHours { weekday } } services { id } } } } } }`,
        );
        expect(branches.body.errors).toBeUndefined();
        expect(spies.slice(0, 3).map((s) => s.mock.calls.length)).toEqual([1, 1, 1]);
      } finally {
        spies.forEach((s) => s.mockRestore());
      }
    });

    it('finds providers by name whatever the accents, case or script', async () => {
      for (const s of ['κοινωνικο παντοπωλειο', 'ΠΑΝΤΟΠΩΛΕΊΟ', 'koinoniko pantopoleio', 'Pantopol']) {
        const res = await t.gql(spataStaff, list, { s });
        expect(ids(res)).toEqual([groceryId]);
      }
    });

    it('finds providers by kind, by category and by target group (ALL_RESIDENTS counts for every group)', async () => {
      expect(ids(await t.gql(spataStaff, list, { k: 'KAPI' }))).toEqual([heraklionId]);
      expect(ids(await t.gql(spataStaff, list, { c: 'FOOD_AID' }))).toEqual([groceryId]);
      const roma = ids(await t.gql(spataStaff, list, { g: 'ROMA' }));
      expect(roma.sort()).toEqual([spataId, romaBranchId].sort());
      const children = ids(await t.gql(spataStaff, list, { g: 'CHILDREN', c: 'PSYCHOSOCIAL_COUNSELLING' }));
      expect(children).toEqual([alexandreiaId]);
    });

    it('finds providers near a point, nearest first, with their distance', async () => {
      const res = await t.gql(spataStaff, list, { lat: 37.9614, lon: 23.9146, r: 5 });
      const edges = res.body.data.providers.edges;
      expect(edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([spataId, romaBranchId]);
      expect(edges[0].node.distanceKm).toBeCloseTo(0, 3);
      expect(edges[1].node.distanceKm).toBeGreaterThan(1);
      expect(edges[1].node.distanceKm).toBeLessThan(2);
      const wide = await t.gql(spataStaff, list, { lat: 37.9614, lon: 23.9146, r: 50 });
      expect(ids(wide)).toEqual([spataId, romaBranchId, groceryId]);
      const half = await t.gql(spataStaff, list, { lat: 37.9614, lon: 23.9146, r: 50, first: 2 });
      const rest2 = await t.gql(spataStaff, list, {
        lat: 37.9614,
        lon: 23.9146,
        r: 50,
        first: 2,
        after: half.body.data.providers.pageInfo.endCursor,
      });
      expect([...ids(half), ...ids(rest2)]).toEqual([spataId, romaBranchId, groceryId]);
      expect(rest2.body.data.providers.pageInfo.hasNextPage).toBe(false);
    });

    describe('open at an instant (Europe/Athens)', () => {
      const openAt = async (at: string) => ids(await t.gql(spataStaff, list, { at })).sort();

      it('uses the Athens wall clock in winter (UTC+2) and summer (UTC+3)', async () => {
        // Monday 19 January 2026, 08:30 UTC = 10:30 in Athens
        expect(await openAt('2026-01-19T08:30:00Z')).toEqual(
          [spataId, romaBranchId, alexandreiaId, groceryId].sort(),
        );
        // Monday 6 July 2026, 05:30 UTC = 08:30 in Athens (EEST): Spata opens at 08:00, Alexandreia at 09:00
        expect(await openAt('2026-07-06T05:30:00Z')).toEqual([spataId, romaBranchId].sort());
        // 06:30 UTC in January is 08:30 in Athens too, but in July 06:30 UTC is already 09:30
        expect(await openAt('2026-07-06T06:30:00Z')).toEqual([spataId, romaBranchId, alexandreiaId].sort());
      });

      it('follows shifts: Alexandreia is open through both shifts until 21:00, Spata closes at 16:00', async () => {
        // Tuesday 20 January 2026: 15:59:59 Athens all three, 16:00 only Alexandreia, 21:00 nobody (half-open)
        expect(await openAt('2026-01-20T16:59:00Z')).toEqual([alexandreiaId]);
        expect(await openAt('2026-01-20T13:59:59Z')).toEqual([spataId, romaBranchId, alexandreiaId].sort());
        expect(await openAt('2026-01-20T14:00:00Z')).toEqual([alexandreiaId]);
        expect(await openAt('2026-01-20T19:00:00Z')).toEqual([]);
        expect(await openAt('2026-01-20T18:59:59Z')).toEqual([alexandreiaId]);
      });

      it('uses the local weekday around midnight: Saturday in Athens is Friday in UTC', async () => {
        // Saturday 24 January 2026 00:30 Athens = Friday 22:30 UTC: nothing opens at night
        expect(await openAt('2026-01-23T22:30:00Z')).toEqual([]);
        // Saturday 10:30 Athens: only the grocery opens on Saturdays
        expect(await openAt('2026-01-24T08:30:00Z')).toEqual([groceryId]);
      });

      it('closes on public holidays unless the provider says otherwise, and on its own closure days', async () => {
        // Easter Monday 13 April 2026, 11:00 Athens (EEST): the grocery stays open on holidays
        expect(await openAt('2026-04-13T08:00:00Z')).toEqual([groceryId]);
        // Wednesday 12 August 2026, 11:00 Athens: the Spata centre is on its summer closure
        expect(await openAt('2026-08-12T08:00:00Z')).toEqual([romaBranchId, alexandreiaId, groceryId].sort());
      });
    });

    it('caps pages and refuses a bad cursor clearly', async () => {
      const big = await t.gql(spataStaff, '{ providers(first: 1000) { totalCount } }');
      expect(big.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const bad = await t.gql(spataStaff, list, { after: 'garbage' });
      expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const byName = await t.gql(spataStaff, list, { first: 1 });
      const mixed = await t.gql(spataStaff, list, {
        lat: 37.9614,
        lon: 23.9146,
        after: byName.body.data.providers.pageInfo.endCursor,
      });
      expect(mixed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('lists reference data: kinds, categories and target groups', async () => {
      const res = await t.gql(
        spataStaff,
        '{ providerKinds { code } serviceCategories { code } targetGroups { code } }',
      );
      expect(res.body.data.providerKinds).toHaveLength(16);
      expect(res.body.data.targetGroups.map((g: { code: string }) => g.code)).toEqual(
        expect.arrayContaining(['ROMA', 'DISABILITY', 'HOMELESS', 'DESTITUTE', 'CHILDREN', 'ELDERLY']),
      );
    });
  });

  describe('open at: night hours split at midnight, DST nights, holidays on the local date, seasonal hours', () => {
    let shelterId: string;
    const openNgos = async (at: string) =>
      ids(
        await t.gql(
          spataStaff,
          `query($at: DateTime) { providers(openAt: $at, kindCode: "NGO") { edges { node { id } } } }`,
          { at },
        ),
      );

    beforeAll(async () => {
      const res = await rest(attica).post('/providers', {
        kindCode: 'NGO',
        name: 'Υπνωτήριο αστέγων (δοκιμή)',
        municipalityCode: '4912',
        locations: [
          {
            address: 'Σπάτα',
            municipalityCode: '4912',
            openingHours: [
              { weekday: 5, opensAt: '20:00', closesAt: '24:00' },
              { weekday: 6, opensAt: '00:00', closesAt: '08:00' },
              { weekday: 7, opensAt: '00:00', closesAt: '06:00' },
              {
                weekday: 4,
                opensAt: '20:00',
                closesAt: '24:00',
                validFrom: '2026-11-01',
                validTo: '2027-03-31',
              },
            ],
          },
        ],
      });
      expect(res.status).toBe(201);
      shelterId = res.body.id;
    });

    it('stays open across midnight when the night is entered as 20:00–24:00 and 00:00–08:00', async () => {
      expect(await openNgos('2026-01-23T21:59:59Z')).toEqual([shelterId]); // Fri 23:59:59 Athens
      expect(await openNgos('2026-01-23T22:00:00Z')).toEqual([shelterId]); // Sat 00:00:00
      expect(await openNgos('2026-01-24T05:59:59Z')).toEqual([shelterId]); // Sat 07:59:59
      expect(await openNgos('2026-01-24T06:00:00Z')).toEqual([]); // Sat 08:00:00
    });

    it('reads the wall clock on DST nights (29 March and 25 October 2026)', async () => {
      expect(await openNgos('2026-03-29T00:30:00Z')).toEqual([shelterId]); // 02:30 EET
      expect(await openNgos('2026-03-29T02:59:00Z')).toEqual([shelterId]); // 05:59 EEST
      expect(await openNgos('2026-03-29T03:00:00Z')).toEqual([]); // 06:00 EEST (05:00 in winter time)
      expect(await openNgos('2026-10-25T03:30:00Z')).toEqual([shelterId]); // 05:30 EET
      expect(await openNgos('2026-10-25T04:00:00Z')).toEqual([]); // 06:00 EET
    });

    it('closes on public holidays by the Athens date, even when the UTC date is the day before', async () => {
      expect(await openNgos('2026-12-18T20:00:00Z')).toEqual([shelterId]); // Fri 18 Dec 22:00
      expect(await openNgos('2026-12-25T20:00:00Z')).toEqual([]); // Christmas Day, Fri 22:00
      expect(await openNgos('2026-12-25T22:30:00Z')).toEqual([]); // Sat 26 Dec 00:30, a holiday too
    });

    it('applies hours only within their validity period (winter Thursdays)', async () => {
      expect(await openNgos('2026-12-03T20:00:00Z')).toEqual([shelterId]); // Thu 3 Dec 22:00
      expect(await openNgos('2026-06-04T19:00:00Z')).toEqual([]); // Thu 4 Jun 22:00 EEST
    });
  });
});
