import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '08:00', closesAt: '15:00' }));

/** A provider of Crete with one location (and its hours) and one service: the victim. */
const heraklion = {
  kindCode: 'KAPI',
  name: 'ΚΑΠΗ Ηρακλείου',
  municipalityCode: '7101',
  locations: [{ address: 'Πλατεία Ελευθερίας 1, Ηράκλειο', municipalityCode: '7101', openingHours: hours }],
  services: [{ name: 'Φυσικοθεραπεία', categoryCode: 'HEALTH', targetGroups: ['ELDERLY'] }],
};

/** What an officer of Attica sends, naming the Cretan children by id. */
const takeover = (locationId: string, serviceId: string) => ({
  kindCode: 'KAPI',
  name: 'ΚΑΠΗ Σπάτων',
  municipalityCode: '4912',
  locations: [{ id: locationId, address: 'Σπάτα', municipalityCode: '4912' }],
  services: [{ id: serviceId, name: 'Κατάληψη', categoryCode: 'HEALTH' }],
});

/**
 * Issue 8, item 1: a nested write by id proves the child belongs to the parent being written, in
 * the SQL that writes it, and a create never adopts existing ids.
 */
describe('nested writes by id', () => {
  let t: TestApp;
  let db: pg.Client;
  let attica: string;
  let crete: string;
  let spataStaff: string;
  let creteId: string;
  let creteLocation: string;
  let creteService: string;
  let atticaId: string;

  /** md5 of every row of the provider tables: any change to any of them changes it. */
  const fingerprint = async () =>
    (
      await db.query(`SELECT
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM provider t) AS provider,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM provider_location t) AS location,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM opening_hours t) AS hours,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM provider_service t) AS service`)
    ).rows[0];

  const rest = (token: string, method: 'post' | 'put', path: string, body: object) =>
    t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body);

  const createGql = `mutation($input: ProviderInput!) { createProvider(input: $input) { id } }`;
  const updateGql = `mutation($id: UUID!, $input: ProviderInput!) { updateProvider(id: $id, input: $input) { id } }`;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1');
    crete = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '13' }, 'crete-1');
    spataStaff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-1');
    const created = await rest(crete, 'post', '/providers', heraklion);
    expect(created.status).toBe(201);
    creteId = created.body.id;
    creteLocation = created.body.locations[0].id;
    creteService = created.body.services[0].id;
    const own = await rest(attica, 'post', '/providers', {
      kindCode: 'KAPI',
      name: 'ΚΑΠΗ Σπάτων',
      municipalityCode: '4912',
      locations: [{ address: 'Σπάτα', municipalityCode: '4912', openingHours: hours }],
      services: [{ name: 'Λέσχη', categoryCode: 'SOCIAL_SUPPORT' }],
    });
    expect(own.status).toBe(201);
    atticaId = own.body.id;
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('refuses a REST create that names existing children, writing nothing', async () => {
    const before = await fingerprint();
    const res = await rest(attica, 'post', '/providers', takeover(creteLocation, creteService));
    expect(res.status).toBe(400);
    const problem = JSON.parse(res.text);
    expect(problem.code).toBe('BAD_USER_INPUT');
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'locations.0.id' })]);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses a GraphQL create that names existing children, writing nothing', async () => {
    const before = await fingerprint();
    const res = await t.gql(spataStaff, createGql, { input: takeover(creteLocation, creteService) });
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [expect.objectContaining({ field: 'locations.0.id' })],
    });
    expect(await fingerprint()).toEqual(before);
  });

  it("refuses a REST replace of Attica's provider that names Crete's location or service, writing nothing", async () => {
    const before = await fingerprint();
    const { locations, services, ...rest0 } = takeover(creteLocation, creteService);
    const byLocation = await rest(attica, 'put', `/providers/${atticaId}`, { ...rest0, locations });
    expect(byLocation.status).toBe(404);
    expect(JSON.parse(byLocation.text)).toMatchObject({
      code: 'UNKNOWN_CHILD_ID',
      errors: [{ field: 'locations.0.id', reason: 'not a location of this provider' }],
    });
    const byService = await rest(attica, 'put', `/providers/${atticaId}`, { ...rest0, services });
    expect(byService.status).toBe(404);
    expect(JSON.parse(byService.text).errors).toEqual([
      { field: 'services.0.id', reason: 'not a service of this provider' },
    ]);
    expect(await fingerprint()).toEqual(before);
    const { rows } = await db.query(
      `SELECT action, subject_id, outcome, reason FROM audit_event
        WHERE actor_id = 'attica-1' AND outcome = 'denied' ORDER BY id`,
    );
    expect(rows.slice(-2)).toEqual([
      {
        action: 'provider.update',
        subject_id: atticaId,
        outcome: 'denied',
        reason: 'locations.0.id is not a location of this provider',
      },
      {
        action: 'provider.update',
        subject_id: atticaId,
        outcome: 'denied',
        reason: 'services.0.id is not a service of this provider',
      },
    ]);
  });

  it("refuses a GraphQL update that names Crete's children, with the same answer as an id that does not exist", async () => {
    const before = await fingerprint();
    const foreign = await t.gql(spataStaff, updateGql, {
      id: atticaId,
      input: takeover(creteLocation, creteService),
    });
    const missing = await t.gql(spataStaff, updateGql, {
      id: atticaId,
      input: takeover('00000000-0000-4000-8000-000000000000', creteService),
    });
    expect(foreign.body.errors[0].extensions).toEqual({
      code: 'UNKNOWN_CHILD_ID',
      fields: [{ field: 'locations.0.id', reason: 'not a location of this provider' }],
    });
    expect(missing.body.errors[0].extensions).toEqual(foreign.body.errors[0].extensions);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses the same id twice in one update', async () => {
    const current = (
      await t.http.get(`/api/v1/providers/${atticaId}`).set('Authorization', `Bearer ${attica}`)
    ).body;
    const location = { id: current.locations[0].id, address: 'Σπάτα', municipalityCode: '4912' };
    const before = await fingerprint();
    const res = await rest(attica, 'put', `/providers/${atticaId}`, {
      kindCode: 'KAPI',
      name: 'ΚΑΠΗ Σπάτων',
      municipalityCode: '4912',
      locations: [location, location],
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors).toEqual([
      { field: 'locations.1.id', reason: 'the same id is given twice' },
    ]);
    expect(await fingerprint()).toEqual(before);
  });

  it('still keeps the ids of its own children on update, audited under the provider', async () => {
    const current = (
      await t.http.get(`/api/v1/providers/${atticaId}`).set('Authorization', `Bearer ${attica}`)
    ).body;
    const res = await rest(attica, 'put', `/providers/${atticaId}`, {
      kindCode: 'KAPI',
      name: 'ΚΑΠΗ Σπάτων',
      municipalityCode: '4912',
      locations: [
        {
          id: current.locations[0].id,
          address: 'Σπάτα, πλατεία',
          municipalityCode: '4912',
          openingHours: hours,
        },
        { address: 'Αρτέμιδα', municipalityCode: '4912' },
      ],
      services: [{ id: current.services[0].id, name: 'Λέσχη φίλων', categoryCode: 'SOCIAL_SUPPORT' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.locations.map((l: { id: string; address: string }) => l.address)).toEqual([
      'Σπάτα, πλατεία',
      'Αρτέμιδα',
    ]);
    expect(res.body.locations[0].id).toBe(current.locations[0].id);
    expect(res.body.locations[0].openingHours).toHaveLength(5);
    expect(res.body.services[0]).toMatchObject({ id: current.services[0].id, name: 'Λέσχη φίλων' });
    const { rows } = await db.query(
      `SELECT action FROM audit_event WHERE subject_id = $1 AND outcome = 'allowed' ORDER BY id`,
      [atticaId],
    );
    expect(rows.map((r) => r.action)).toEqual(['provider.create', 'provider.update']);
    const { rows: victim } = await db.query(
      `SELECT l.provider_id, l.address, (SELECT count(*)::int FROM opening_hours h WHERE h.location_id = l.id) AS hours
         FROM provider_location l WHERE l.id = $1`,
      [creteLocation],
    );
    expect(victim).toEqual([{ provider_id: creteId, address: 'Πλατεία Ελευθερίας 1, Ηράκλειο', hours: 5 }]);
  });
});
