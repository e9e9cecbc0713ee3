import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { ReferralsService, TRANSITIONS } from '../src/referrals/referrals.service.js';
import { ReferralStatus } from '../src/referrals/referral.model.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const P = { 'X-Purpose': 'REFERRAL' };
const greek = (n: number) => [...String(n)].map((d) => 'αβγδεζηθικ'[Number(d)]).join('');
const SHARED = `id status personId notes person { givenName surname birthDate afm phone } enrolmentId`;

describe('referrals (issue 12)', () => {
  let t: TestApp;
  let admin: string;
  let spata: string;
  let alexandreia: string;
  let spataProviderStaff: string;
  let otherProviderStaff: string;
  let spataProvider: string;
  let otherProvider: string;
  let service: string;
  let afmCounter = 41000000;

  const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
    (await t.gql(token, query, variables, P)).body;
  const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const body = await gql(token, query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const person = async (municipalityCode: string, opts: { consent?: boolean; afm?: string } = {}) => {
    const data = await ok(
      admin,
      `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`,
      {
        input: {
          givenName: 'Μαρία',
          surname: `Παραπομπή${greek(afmCounter)}`,
          birthDate: `19${50 + (afmCounter % 40)}-0${1 + (afmCounter % 9)}-1${afmCounter % 10}`,
          gender: 'FEMALE',
          municipalityCode,
          phone: '2100000000',
          afm: opts.afm ?? makeAfm(String(++afmCounter)),
        },
      },
    );
    const id = data.registerPerson.beneficiary.id as string;
    let consent: string | undefined;
    if (opts.consent !== false)
      consent = (
        await ok(
          admin,
          `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: REFERRAL_TO_PROVIDERS }) { id } }`,
          { id },
        )
      ).giveConsent.id;
    return { id, consent };
  };
  const refer = (token: string, input: Record<string, unknown>) =>
    gql(token, `mutation($input: ReferralInput!) { createReferral(input: $input) { ${SHARED} version } }`, {
      input: { dueOn: '2030-01-01', sharedFields: ['NAME', 'BIRTH_DATE'], ...input },
    });
  const change = (token: string, id: string, input: Record<string, unknown>) =>
    gql(
      token,
      `mutation($id: UUID!, $input: ChangeReferralStatusInput!) { changeReferralStatus(id: $id, input: $input) { ${SHARED} } }`,
      { id, input },
    );
  const sentReferral = async (personId: string, extra: Record<string, unknown> = {}) => {
    const body = await refer(spata, { personId, providerId: spataProvider, send: true, ...extra });
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data.createReferral.id as string;
  };
  const provider = async (name: string, municipalityCode: string) => {
    const res = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kindCode: 'NGO',
        name,
        municipalityCode,
        services: [{ name: 'Τρόφιμα', categoryCode: 'FOOD_AID', targetGroups: ['ALL_RESIDENTS'] }],
      });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-r');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-r');
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-r');
    spataProvider = await provider('Κοινωνικό Παντοπωλείο Σπάτων', '4912');
    otherProvider = await provider('Κοινωνικό Παντοπωλείο Αλεξάνδρειας', '0802');
    [{ id: service }] = await t.db.query<{ id: string }>(
      `SELECT id FROM provider_service WHERE provider_id = $1`,
      [spataProvider],
    );
    spataProviderStaff = await t.token(
      { roles: [Role.PROVIDER_STAFF], provider: spataProvider },
      'grocery-r',
    );
    otherProviderStaff = await t.token(
      { roles: [Role.PROVIDER_STAFF], provider: otherProvider },
      'grocery-a',
    );
  });
  afterAll(() => t.close());

  it('runs the whole lifecycle, keeping every change with actor and note', async () => {
    const { id: personId } = await person('4912');
    const created = await refer(spata, {
      personId,
      providerId: spataProvider,
      providerServiceId: service,
      notes: 'χρειάζεται τρόφιμα',
    });
    expect(created.errors).toBeUndefined();
    const id = created.data.createReferral.id;
    expect(created.data.createReferral.status).toBe('DRAFT');
    expect((await change(spata, id, { status: 'SENT' })).data.changeReferralStatus.status).toBe('SENT');
    expect(
      (await change(spataProviderStaff, id, { status: 'ACCEPTED', note: 'ok' })).data.changeReferralStatus
        .status,
    ).toBe('ACCEPTED');
    expect(
      (await change(spataProviderStaff, id, { status: 'IN_PROGRESS' })).data.changeReferralStatus.status,
    ).toBe('IN_PROGRESS');
    const done = await change(spataProviderStaff, id, { status: 'COMPLETED', outcome: 'GOT_HELP' });
    expect(done.data.changeReferralStatus.status).toBe('COMPLETED');
    const read = await ok(
      spata,
      `query($id: UUID!) { referral(id: $id) { outcome categoryCode history { event fromStatus toStatus actor note } } }`,
      { id },
    );
    expect(read.referral.outcome).toBe('GOT_HELP');
    expect(read.referral.categoryCode).toBe('FOOD_AID');
    expect(read.referral.history.map((h: { toStatus: string }) => h.toStatus)).toEqual([
      'DRAFT',
      'SENT',
      'ACCEPTED',
      'IN_PROGRESS',
      'COMPLETED',
    ]);
    expect(read.referral.history[2]).toMatchObject({ actor: 'grocery-r', note: 'ok' });
    // The outcome is on the person's referral history.
    const history = await ok(
      spata,
      `query($p: UUID) { referrals(personId: $p) { edges { node { id outcome } } } }`,
      {
        p: personId,
      },
    );
    expect(history.referrals.edges).toEqual([{ node: { id, outcome: 'GOT_HELP' } }]);
    // Another centre's person's history: not found.
    const other = await gql(alexandreia, `query($p: UUID) { referrals(personId: $p) { totalCount } }`, {
      p: personId,
    });
    expect(other.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses every transition the state machine does not have, naming from and to', async () => {
    const statuses = Object.values(ReferralStatus);
    // Bring one referral to each status the API can reach, then try every other target from it.
    const reach: Record<string, Array<[string, Record<string, unknown>]>> = {
      DRAFT: [],
      SENT: [['SENT', {}]],
      ACCEPTED: [
        ['SENT', {}],
        ['ACCEPTED', {}],
      ],
      IN_PROGRESS: [
        ['SENT', {}],
        ['ACCEPTED', {}],
        ['IN_PROGRESS', {}],
      ],
      REJECTED: [
        ['SENT', {}],
        ['REJECTED', { rejectionReason: 'NO_CAPACITY' }],
      ],
      COMPLETED: [
        ['SENT', {}],
        ['ACCEPTED', {}],
        ['COMPLETED', { outcome: 'COULD_NOT_CONTACT' }],
      ],
      CANCELLED: [['CANCELLED', {}]],
    };
    const { id: personId } = await person('4912');
    const cases: Array<[string, string]> = [];
    for (const from of Object.keys(reach))
      for (const to of statuses)
        if (!TRANSITIONS[from as ReferralStatus].includes(to)) cases.push([from, to]);
    for (const [from, to] of cases) {
      const id = (await refer(spata, { personId, providerId: spataProvider })).data.createReferral.id;
      for (const [status, extra] of reach[from]!) {
        const actor = ['SENT', 'CANCELLED'].includes(status) ? spata : spataProviderStaff;
        expect((await change(actor, id, { status, ...extra })).errors).toBeUndefined();
      }
      const actor = ['SENT', 'CANCELLED'].includes(to) ? spata : spataProviderStaff;
      const body = await change(actor, id, { status: to, rejectionReason: 'OTHER', outcome: 'GOT_HELP' });
      expect({
        from,
        to,
        code: body.errors?.[0].extensions.code,
        fields: body.errors?.[0].extensions.fields,
      }).toEqual({
        from,
        to,
        code: 'REFERRAL_TRANSITION_NOT_ALLOWED',
        fields: [
          { field: 'from', reason: from },
          { field: 'to', reason: to },
        ],
      });
    }
    expect(cases.length).toBeGreaterThan(20);
  });

  it('lets only the receiver answer and only the referring centre send or cancel', async () => {
    const { id: personId } = await person('4912');
    const id = (await refer(spata, { personId, providerId: spataProvider })).data.createReferral.id;
    expect((await change(spataProviderStaff, id, { status: 'SENT' })).errors[0].extensions.code).toBe(
      'FORBIDDEN',
    );
    await change(spata, id, { status: 'SENT' });
    expect((await change(spata, id, { status: 'ACCEPTED' })).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await change(otherProviderStaff, id, { status: 'ACCEPTED' })).errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect((await change(alexandreia, id, { status: 'CANCELLED' })).errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect((await change(spataProviderStaff, id, { status: 'REJECTED' })).errors[0].extensions.code).toBe(
      'REASON_REQUIRED',
    );
  });

  it('needs a consent or a legal basis to share, and stops sharing when the consent is withdrawn', async () => {
    const { id: personId } = await person('4912', { consent: false });
    const refused = await refer(spata, { personId, providerId: spataProvider, send: true });
    expect(refused.errors[0].extensions.code).toBe('CONSENT_REQUIRED');
    const withBasis = await refer(spata, {
      personId,
      providerId: spataProvider,
      send: true,
      legalBasis: 'VITAL_INTERESTS',
      legalBasisNote: 'κίνδυνος για τη ζωή',
    });
    expect(withBasis.data.createReferral.status).toBe('SENT');
    // Sharing nothing needs no consent.
    const nothing = await refer(spata, { personId, providerId: spataProvider, send: true, sharedFields: [] });
    expect(nothing.data.createReferral.status).toBe('SENT');

    const consented = await person('4912');
    const id = await sentReferral(consented.id, { notes: 'σημείωση' });
    const seen = await ok(spataProviderStaff, `query($id: UUID!) { referral(id: $id) { ${SHARED} } }`, {
      id,
    });
    expect(seen.referral.personId).toBeNull();
    expect(seen.referral.notes).toBeNull();
    expect(seen.referral.person).toMatchObject({ afm: null, phone: null });
    expect(seen.referral.person.surname).toMatch(/^Παραπομπή/);
    expect(seen.referral.person.birthDate).toMatch(/^19/);
    await ok(admin, `mutation($c: UUID!) { withdrawConsent(consentId: $c) { id } }`, {
      c: consented.consent,
    });
    const after = await ok(spataProviderStaff, `query($id: UUID!) { referral(id: $id) { ${SHARED} } }`, {
      id,
    });
    expect(after.referral).toMatchObject({ id, status: 'SENT', person: null, personId: null, notes: null });
  });

  it('shows a provider only the referrals addressed to it, and refuses a token naming no provider', async () => {
    const { id: personId } = await person('4912');
    const mine = await sentReferral(personId);
    const inbox = await ok(
      spataProviderStaff,
      `{ referrals(first: 100) { edges { node { id personId } } } }`,
    );
    const ids = inbox.referrals.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toContain(mine);
    expect(inbox.referrals.edges.every((e: { node: { personId: null } }) => e.node.personId === null)).toBe(
      true,
    );
    const others = await ok(otherProviderStaff, `{ referrals(first: 100) { totalCount } }`);
    expect(others.referrals.totalCount).toBe(0);
    expect(
      (await gql(otherProviderStaff, `query($id: UUID!) { referral(id: $id) { id } }`, { id: mine }))
        .errors[0].extensions.code,
    ).toBe('NOT_FOUND');
    const ghost = await t.token({ roles: [Role.PROVIDER_STAFF], provider: randomUUID() }, 'ghost');
    const res = await t.gql(ghost, `{ referrals { totalCount } }`, {}, P);
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('INVALID_CREDENTIALS');
    // Row-level security alone (no application filter) gives provider staff only their own.
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query(`BEGIN; SET LOCAL ROLE mitroa_app`);
      await client.query(
        `SELECT set_config('mitroa.area', '{}', true), set_config('mitroa.provider', $1, true)`,
        [otherProvider],
      );
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM referral`);
      expect(rows[0].n).toBe(0);
      await client.query(`SELECT set_config('mitroa.provider', $1, true)`, [spataProvider]);
      const own = await client.query(`SELECT count(*)::int AS n FROM referral WHERE id = $1`, [mine]);
      expect(own.rows[0].n).toBe(1);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });

  it("turns an accepted programme referral into the person's application", async () => {
    const programme = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        code: 'REF-PROG',
        title: 'Πρόγραμμα παραπομπής',
        kind: 'SERVICE',
        administeringBody: 'Δήμος',
        fundingSource: 'MUNICIPAL',
        targetGroups: ['ALL_RESIDENTS'],
        national: true,
        administeringProviderId: spataProvider,
      });
    expect(programme.status).toBe(201);
    const { id: personId } = await person('4912');
    const created = await refer(spata, { personId, programmeId: programme.body.id, send: true });
    expect(created.errors).toBeUndefined();
    const id = created.data.createReferral.id;
    expect((await change(spataProviderStaff, id, { status: 'ACCEPTED' })).errors).toBeUndefined();
    const read = await ok(spata, `query($id: UUID!) { referral(id: $id) { enrolmentId } }`, { id });
    const [enrolment] = await t.db.query<{
      id: string;
      status: string;
      source: string;
      source_reference: string;
    }>(`SELECT id, status, source, source_reference FROM enrolment WHERE person_id = $1`, [personId]);
    expect(enrolment).toEqual({
      id: read.referral.enrolmentId,
      status: 'APPLIED',
      source: 'REFERRAL',
      source_reference: id,
    });
  });

  it('hands a person over between centres after a look-up that reveals only where they are held', async () => {
    const afm = makeAfm(String(++afmCounter));
    const { id: personId } = await person('0802', { afm });
    const found = await ok(
      spata,
      `query($afm: String) { personRegistration(afm: $afm) { registered municipalityCode inYourArea } }`,
      {
        afm,
      },
    );
    expect(found.personRegistration).toEqual({
      registered: true,
      municipalityCode: '0802',
      inYourArea: false,
    });
    const [audit] = await t.db.query<{ purpose: string }>(
      `SELECT purpose FROM audit_event WHERE action = 'person.registration' AND subject_id = $1`,
      [personId],
    );
    expect(audit?.purpose).toBe('REFERRAL');
    const asked = await ok(
      spata,
      `mutation($input: HandoverInput!) { requestHandover(input: $input) { id status personId kind toMunicipalityCode } }`,
      {
        input: { afm, dueOn: '2030-01-01' },
      },
    );
    expect(asked.requestHandover).toMatchObject({
      status: 'SENT',
      personId: null,
      kind: 'HANDOVER',
      toMunicipalityCode: '0802',
    });
    const again = await gql(
      spata,
      `mutation($input: HandoverInput!) { requestHandover(input: $input) { id } }`,
      {
        input: { afm, dueOn: '2030-01-01' },
      },
    );
    expect(again.errors[0].extensions.code).toBe('HANDOVER_PENDING');
    // Spata cannot accept its own request; Alexandreia, which holds the person, can.
    expect(
      (await change(spata, asked.requestHandover.id, { status: 'ACCEPTED' })).errors[0].extensions.code,
    ).toBe('FORBIDDEN');
    expect(
      (await change(alexandreia, asked.requestHandover.id, { status: 'ACCEPTED' })).errors,
    ).toBeUndefined();
    const moved = await ok(spata, `query($id: UUID!) { beneficiary(id: $id) { municipalityCode } }`, {
      id: personId,
    });
    expect(moved.beneficiary.municipalityCode).toBe('4912');
    const gone = await gql(alexandreia, `query($id: UUID!) { beneficiary(id: $id) { id } }`, {
      id: personId,
    });
    expect(gone.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  describe('ReferralSchedule', () => {
    let schedule: ReferralsService;
    beforeAll(() => {
      schedule = t.app.get(ReferralsService);
    });
    const state = async (id: string) =>
      (
        await t.db.query<{ status: string; overdue: boolean; reminders: number; events: string[] }>(
          `SELECT status, overdue, reminders,
                  (SELECT array_agg(event ORDER BY id) FROM referral_history h WHERE h.referral_id = r.id) AS events
             FROM referral r WHERE id = $1`,
          [id],
        )
      )[0]!;

    it('flags overdue once, reminds no more often than the interval, expires, and does each once on two connections', async () => {
      const { id: personId } = await person('4912');
      const id = await sentReferral(personId, { dueOn: '2029-03-01' });
      const due = new Date('2029-03-01T12:00:00Z');
      expect(await schedule.flagOverdue(due)).toBe(0);
      const next = new Date('2029-03-02T12:00:00Z');
      const [a, b] = await Promise.all([schedule.flagOverdue(next), schedule.flagOverdue(next)]);
      expect(a + b).toBe(1);
      expect(await schedule.flagOverdue(next)).toBe(0);
      const [r1, r2] = await Promise.all([schedule.sendReminders(next), schedule.sendReminders(next)]);
      expect(r1 + r2).toBe(1);
      expect(await schedule.sendReminders(new Date('2029-03-03T11:00:00Z'))).toBe(0);
      expect(await schedule.sendReminders(new Date('2029-03-04T12:00:00Z'))).toBe(1);
      expect(await state(id)).toMatchObject({ status: 'SENT', overdue: true, reminders: 2 });
      expect(await schedule.expireUnanswered(new Date('2029-03-20T12:00:00Z'))).toBe(0);
      const late = new Date('2029-04-01T12:00:00Z');
      const [e1, e2] = await Promise.all([schedule.expireUnanswered(late), schedule.expireUnanswered(late)]);
      expect(e1 + e2).toBe(1);
      expect(await state(id)).toMatchObject({
        status: 'EXPIRED',
        events: ['STATUS', 'STATUS', 'OVERDUE', 'REMINDER', 'REMINDER', 'STATUS'],
      });
      const events = await t.db.query<{ topic: string }>(
        `SELECT topic FROM outbox_event WHERE aggregate_id = $1 ORDER BY created_at, topic`,
        [id],
      );
      expect(events.map((e) => e.topic)).toEqual([
        'referral.sent',
        'referral.updated',
        'referral.reminder',
        'referral.reminder',
        'referral.updated',
      ]);
      // EXPIRED is the schedule's alone.
      const other = await sentReferral(personId);
      expect((await change(spata, other, { status: 'EXPIRED' })).errors[0].extensions.code).toBe(
        'REFERRAL_TRANSITION_NOT_ALLOWED',
      );
    });
  });

  it('counts referrals for those who see them, and sends a region to the statistics, over REST', async () => {
    const whole = await t.http.get('/api/v1/referrals/counts').set('Authorization', `Bearer ${spata}`);
    expect(whole.status).toBe(200);
    expect(whole.body.total).toBeGreaterThan(0);
    expect(whole.body.byStatus.length).toBeGreaterThan(0);
    // A region's figures come from one place with one suppression (docs/statistics.md): counts over
    // free dates and municipalities here could be differenced against them into a hidden cell.
    const attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-r');
    const res = await t.http.get('/api/v1/referrals/counts').set('Authorization', `Bearer ${attica}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(res.body.detail).toMatch(/statistics/);
    const denied = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = 'attica-r' AND outcome = 'denied'`,
    );
    expect(denied[0]!.n).toBeGreaterThan(0);
    const list = await t.http.get('/api/v1/referrals').set('Authorization', `Bearer ${attica}`).set(P);
    expect(list.status).toBe(403);
  });
});
