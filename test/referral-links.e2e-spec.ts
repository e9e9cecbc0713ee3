import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { loadConfig } from '../src/config/app-config.js';
import { ReferralLinkTokens } from '../src/referrals/referral-link-token.js';
import { startTestApp, TEST_REFERRAL_LINK_SECRET, type TestApp } from './support/test-app.js';

const P = { 'X-Purpose': 'REFERRAL' };
const greek = (n: number) => [...String(n)].map((d) => 'αβγδεζηθικ'[Number(d)]).join('');
const INVALID = 'REFERRAL_LINK_INVALID';

/** The problem document of a response (supertest leaves application/problem+json unparsed). */
const problem = (res: { text: string }) =>
  JSON.parse(res.text) as { code: string; status: number; detail: string };

/** `token` with one character of its `part` (0 header, 1 payload, 2 signature) changed, mid-segment. */
function flip(token: string, part: number): string {
  const parts = token.split('.');
  const s = parts[part]!;
  const i = Math.floor(s.length / 2);
  parts[part] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return parts.join('.');
}

describe('referral links: a provider without an account sees and answers one referral (issue 12)', () => {
  let t: TestApp;
  let admin: string;
  let spata: string;
  let alexandreia: string;
  let providerStaff: string;
  let spataProvider: string;
  let afmCounter = 43000000;
  const lines: string[] = [];
  const tokens = new ReferralLinkTokens(
    loadConfig({ NODE_ENV: 'test', REFERRAL_LINK_SECRET: TEST_REFERRAL_LINK_SECRET }),
  );

  const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const body = (await t.gql(token, query, variables, P)).body;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const person = async (opts: { consent?: boolean } = {}) => {
    const data = await ok(
      admin,
      `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`,
      {
        input: {
          givenName: 'Ελένη',
          surname: `Σύνδεσμος${greek(afmCounter)}`,
          birthDate: '1971-03-14',
          gender: 'FEMALE',
          municipalityCode: '4912',
          phone: '2100000001',
          afm: makeAfm(String(++afmCounter)),
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
    return { id, consent: consent! };
  };
  const referral = async (personId: string, extra: Record<string, unknown> = {}) =>
    (
      await ok(spata, `mutation($input: ReferralInput!) { createReferral(input: $input) { id } }`, {
        input: {
          personId,
          providerId: spataProvider,
          dueOn: '2030-01-01',
          sharedFields: ['NAME', 'BIRTH_DATE'],
          send: true,
          ...extra,
        },
      })
    ).createReferral.id as string;
  const createLink = (token: string, referralId: string, expiresInDays?: number) =>
    t.gql(
      token,
      `mutation($r: UUID!, $d: Int) { createReferralLink(referralId: $r, expiresInDays: $d) { id referralId url token createdAt expiresAt revokedAt } }`,
      { r: referralId, d: expiresInDays },
    );
  const link = async (referralId: string) => {
    const body = (await createLink(spata, referralId)).body;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data.createReferralLink as { id: string; token: string; url: string; expiresAt: string };
  };
  const view = (token: string) => t.http.get(`/api/v1/referral-links/${token}`);
  const answer = (token: string, body: Record<string, unknown>) =>
    t.http.post(`/api/v1/referral-links/${token}/answer`).send(body);
  const statusOf = async (id: string) =>
    (await t.db.query<{ status: string }>(`SELECT status FROM referral WHERE id = $1`, [id]))[0]!.status;

  beforeAll(async () => {
    // With the request log on, to check that no token reaches it.
    t = await startTestApp(
      { PUBLIC_URL: 'https://mitroa.example.gr/', LOG_LEVEL: 'info' },
      { logDestination: { write: (line: string) => void lines.push(line) } },
    );
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-links');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-links');
    alexandreia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-links');
    const res = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kindCode: 'NGO',
        name: 'Κοινωνικό Φροντιστήριο Σπάτων',
        municipalityCode: '4912',
        services: [{ name: 'Μαθήματα', categoryCode: 'FOOD_AID', targetGroups: ['ALL_RESIDENTS'] }],
      });
    spataProvider = res.body.id;
    providerStaff = await t.token({ roles: [Role.PROVIDER_STAFF], provider: spataProvider }, 'staff-links');
  });
  afterAll(() => t.close());

  it('makes a link for a referral the centre sent: a URL under PUBLIC_URL, valid REFERRAL_LINK_DEFAULT_DAYS', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const before = Date.now();
    const made = await link(referralId);
    expect(made.url).toBe(`https://mitroa.example.gr/r/${made.token}`);
    expect(made.token.split('.')).toHaveLength(3);
    const days = (new Date(made.expiresAt).getTime() - before) / 86400_000;
    expect(days).toBeGreaterThan(13.99);
    expect(days).toBeLessThan(14.01);
    const [row] = await t.db.query<Record<string, unknown>>(`SELECT * FROM referral_link WHERE id = $1`, [
      made.id,
    ]);
    expect(row).toMatchObject({ referral_id: referralId, created_by: 'spata-links', revoked_at: null });
    // The token is not kept anywhere.
    expect(JSON.stringify(row)).not.toContain(made.token);
  });

  it('shows exactly what the provider inbox shows, and only what the referral shares', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { token } = await link(referralId);
    const res = await view(token);
    expect(res.status).toBe(200);
    const inbox = await t.http
      .get(`/api/v1/referrals/${referralId}`)
      .set('Authorization', `Bearer ${providerStaff}`)
      .set(P);
    expect(inbox.status).toBe(200);
    expect(res.body).toEqual(inbox.body);
    expect(res.body.person).toMatchObject({
      givenName: 'Ελένη',
      birthDate: '1971-03-14',
      phone: null,
      afm: null,
    });
    expect(res.body.personId).toBeNull();
    expect(res.body.notes).toBeNull();
    // Not the person's id anywhere, not even the audit subject.
    expect(res.text).not.toContain(personId);
    expect(res.text).not.toContain('subjectPersonId');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toContain('noindex');
  });

  it('records every view as an audited read by the link, with the purpose REFERRAL, and the last use', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { id, token } = await link(referralId);
    expect((await view(token)).status).toBe(200);
    expect((await view(token)).status).toBe(200);
    const rows = await t.db.query<Record<string, unknown>>(
      `SELECT actor_kind, action, subject_type, subject_id, purpose, outcome FROM audit_event WHERE actor_id = $1 ORDER BY id`,
      [`referral-link:${id}`],
    );
    expect(rows).toEqual([
      {
        actor_kind: 'referral_link',
        action: 'referral.read',
        subject_type: 'person',
        subject_id: personId,
        purpose: 'REFERRAL',
        outcome: 'allowed',
      },
      {
        actor_kind: 'referral_link',
        action: 'referral.read',
        subject_type: 'person',
        subject_id: personId,
        purpose: 'REFERRAL',
        outcome: 'allowed',
      },
    ]);
    const created = await t.db.query(
      `SELECT 1 FROM audit_event WHERE actor_id = 'spata-links' AND action = 'referral_link.create' AND subject_id = $1 AND purpose = 'REFERRAL'`,
      [personId],
    );
    expect(created).toHaveLength(1);
    const [{ last_used_at }] = await t.db.query<{ last_used_at: Date | null }>(
      `SELECT last_used_at FROM referral_link WHERE id = $1`,
      [id],
    );
    expect(last_used_at).not.toBeNull();
  });

  it("answers through the referral's own rules: history with the link as actor, outbox events, then the link closes", async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { id, token } = await link(referralId);
    const accepted = await answer(token, { status: 'ACCEPTED', note: 'θα καλέσουμε' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('ACCEPTED');
    expect(accepted.text).not.toContain(personId);
    expect((await answer(token, { status: 'IN_PROGRESS' })).body.status).toBe('IN_PROGRESS');
    const done = await answer(token, { status: 'COMPLETED', outcome: 'GOT_HELP', note: 'ολοκληρώθηκε' });
    expect(done.body).toMatchObject({ status: 'COMPLETED', outcome: 'GOT_HELP' });
    const history = await t.db.query(
      `SELECT from_status, to_status, actor, note FROM referral_history WHERE referral_id = $1 AND actor LIKE 'referral-link:%' ORDER BY id`,
      [referralId],
    );
    expect(history).toEqual([
      { from_status: 'SENT', to_status: 'ACCEPTED', actor: `referral-link:${id}`, note: 'θα καλέσουμε' },
      { from_status: 'ACCEPTED', to_status: 'IN_PROGRESS', actor: `referral-link:${id}`, note: null },
      {
        from_status: 'IN_PROGRESS',
        to_status: 'COMPLETED',
        actor: `referral-link:${id}`,
        note: 'ολοκληρώθηκε',
      },
    ]);
    const events = await t.db.query<{ topic: string; status: string }>(
      `SELECT topic, payload->>'status' AS status FROM outbox_event WHERE aggregate_id = $1 ORDER BY seq`,
      [referralId],
    );
    expect(events).toEqual([
      { topic: 'referral.sent', status: 'SENT' },
      { topic: 'referral.updated', status: 'ACCEPTED' },
      { topic: 'referral.updated', status: 'IN_PROGRESS' },
      { topic: 'referral.completed', status: 'COMPLETED' },
    ]);
    const updates = await t.db.query(
      `SELECT 1 FROM audit_event WHERE actor_id = $1 AND action = 'referral.update' AND purpose = 'REFERRAL'`,
      [`referral-link:${id}`],
    );
    expect(updates).toHaveLength(3);
    // A completed referral needs no more answers: its link stands no longer.
    const after = await view(token);
    expect([after.status, problem(after).code]).toEqual([404, INVALID]);
  });

  it("accepting a programme referral through a link makes the person's application, as provider staff would", async () => {
    const programme = await t.http
      .post('/api/v1/programmes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        code: 'LINK-PROG',
        title: 'Πρόγραμμα συνδέσμου',
        kind: 'SERVICE',
        administeringBody: 'Δήμος',
        fundingSource: 'MUNICIPAL',
        targetGroups: ['ALL_RESIDENTS'],
        national: true,
        administeringProviderId: spataProvider,
      });
    expect(programme.status).toBe(201);
    const { id: personId } = await person();
    const referralId = (
      await ok(spata, `mutation($input: ReferralInput!) { createReferral(input: $input) { id } }`, {
        input: {
          personId,
          programmeId: programme.body.id,
          dueOn: '2030-01-01',
          sharedFields: ['NAME'],
          send: true,
        },
      })
    ).createReferral.id as string;
    const { token } = await link(referralId);
    const accepted = await answer(token, { status: 'ACCEPTED' });
    expect(accepted.status).toBe(200);
    // The application exists, but a link (like provider staff) does not learn the enrolment's id.
    expect(accepted.body.enrolmentId).toBeNull();
    const enrolments = await t.db.query(
      `SELECT status, source, source_reference, created_by FROM enrolment WHERE person_id = $1`,
      [personId],
    );
    expect(enrolments).toEqual([
      {
        status: 'APPLIED',
        source: 'REFERRAL',
        source_reference: referralId,
        created_by: expect.stringMatching(/^referral-link:/),
      },
    ]);
  });

  it('rejects with a reason, and refuses illegal answers with their typed errors, changing nothing', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { token } = await link(referralId);
    const illegal = await answer(token, { status: 'COMPLETED', outcome: 'GOT_HELP' });
    expect([illegal.status, problem(illegal).code]).toEqual([409, 'REFERRAL_TRANSITION_NOT_ALLOWED']);
    const noReason = await answer(token, { status: 'REJECTED' });
    expect([noReason.status, problem(noReason).code]).toEqual([400, 'REASON_REQUIRED']);
    // Cancelling is the referring centre's: not an answer a link can give.
    const cancel = await answer(token, { status: 'CANCELLED' });
    expect([cancel.status, problem(cancel).code]).toEqual([400, 'BAD_USER_INPUT']);
    const stale = await answer(token, { status: 'ACCEPTED', expectedVersion: 1 });
    expect([stale.status, problem(stale).code]).toEqual([409, 'VERSION_CONFLICT']);
    expect(await statusOf(referralId)).toBe('SENT');
    const rejected = await answer(token, {
      status: 'REJECTED',
      rejectionReason: 'NO_CAPACITY',
      note: 'γεμάτο',
    });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'NO_CAPACITY' });
    expect(await statusOf(referralId)).toBe('REJECTED');
    expect(problem(await view(token)).code).toBe(INVALID);
  });

  it('an expired link (its row or its token) is REFERRAL_LINK_INVALID', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { id, token } = await link(referralId);
    expect((await view(token)).status).toBe(200);
    await t.db.query(
      `UPDATE referral_link SET created_at = now() - interval '2 days', expires_at = now() - interval '1 minute' WHERE id = $1`,
      [id],
    );
    const expired = await view(token);
    expect([expired.status, problem(expired).code]).toEqual([404, INVALID]);
    expect((await answer(token, { status: 'ACCEPTED' })).status).toBe(404);
    // A token past its own exp, for a row that still stands.
    const { id: other } = await link(await referral((await person()).id));
    const [row] = await t.db.query<{ referral_id: string }>(
      `SELECT referral_id FROM referral_link WHERE id = $1`,
      [other],
    );
    const old = await tokens.sign(
      other,
      row!.referral_id,
      new Date(Date.now() - 60_000),
      new Date(Date.now() - 120_000),
    );
    const late = await view(old);
    expect([late.status, problem(late).code]).toEqual([404, INVALID]);
    expect(await statusOf(referralId)).toBe('SENT');
  });

  it('a tampered token (signature, payload, algorithm) is REFERRAL_LINK_INVALID, the same answer as an unknown one', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { token } = await link(referralId);
    const unknown = await view(
      await tokens.sign('00000000-0000-4000-8000-000000000000', referralId, new Date(Date.now() + 86400_000)),
    );
    expect(unknown.status).toBe(404);
    const [header, payload] = token.split('.');
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.exp += 365 * 86400;
    const longer = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${token.split('.')[2]}`;
    for (const bad of [flip(token, 2), flip(token, 1), longer, noneAlg, 'not-a-token', token.slice(0, -3)]) {
      for (const res of [await view(bad), await answer(bad, { status: 'ACCEPTED' })]) {
        expect(res.status).toBe(404);
        expect(problem(res)).toMatchObject({ code: INVALID, detail: problem(unknown).detail });
      }
    }
    expect(await statusOf(referralId)).toBe('SENT');
    expect((await view(token)).status).toBe(200);
  });

  it('a revoked link is REFERRAL_LINK_INVALID at once; revoking again changes nothing', async () => {
    const { id: personId } = await person();
    const referralId = await referral(personId);
    const { id, token } = await link(referralId);
    expect((await view(token)).status).toBe(200);
    const revoked = await ok(spata, `mutation($id: UUID!) { revokeReferralLink(id: $id) { id revokedAt } }`, {
      id,
    });
    expect(revoked.revokeReferralLink.revokedAt).not.toBeNull();
    const res = await view(token);
    expect([res.status, problem(res).code]).toEqual([404, INVALID]);
    expect((await answer(token, { status: 'ACCEPTED' })).status).toBe(404);
    const again = await ok(spata, `mutation($id: UUID!) { revokeReferralLink(id: $id) { revokedAt } }`, {
      id,
    });
    expect(again.revokeReferralLink.revokedAt).toBe(revoked.revokeReferralLink.revokedAt);
    const [row] = await t.db.query(`SELECT revoked_by FROM referral_link WHERE id = $1`, [id]);
    expect(row).toEqual({ revoked_by: 'spata-links' });
    // Over REST too, where the link must belong to the referral in the path.
    const { id: second, token: secondToken } = await link(referralId);
    const otherReferral = await referral((await person()).id);
    const wrong = await t.http
      .delete(`/api/v1/referrals/${otherReferral}/links/${second}`)
      .set('Authorization', `Bearer ${spata}`);
    expect(wrong.status).toBe(404);
    expect((await view(secondToken)).status).toBe(200);
    const right = await t.http
      .delete(`/api/v1/referrals/${referralId}/links/${second}`)
      .set('Authorization', `Bearer ${spata}`);
    expect(right.status).toBe(200);
    expect(right.body.revokedAt).not.toBeNull();
    expect((await view(secondToken)).status).toBe(404);
  });

  it("a link's token names one referral: signed for another, it is invalid, and answers change only its own", async () => {
    const a = await referral((await person()).id);
    const b = await referral((await person()).id);
    const { id: linkA, token: tokenA } = await link(a);
    const crossed = await view(await tokens.sign(linkA, b, new Date(Date.now() + 86400_000)));
    expect([crossed.status, problem(crossed).code]).toEqual([404, INVALID]);
    expect((await answer(tokenA, { status: 'ACCEPTED' })).body.id).toBe(a);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['ACCEPTED', 'SENT']);
    // The link opens nothing else: not as a bearer token, not under another route.
    const asBearer = await t.http.get('/api/v1/referrals').set('Authorization', `Bearer ${tokenA}`).set(P);
    expect(asBearer.status).toBe(401);
  });

  it('only the referring area makes or revokes links: another municipality hears not found, provider staff forbidden', async () => {
    const referralId = await referral((await person()).id);
    const { id, token } = await link(referralId);
    const count = async () =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM referral_link WHERE referral_id = $1`,
          [referralId],
        )
      )[0]!.n;
    const other = (await createLink(alexandreia, referralId)).body;
    expect(other.errors[0].extensions.code).toBe('NOT_FOUND');
    const otherRest = await t.http
      .post(`/api/v1/referrals/${referralId}/links`)
      .set('Authorization', `Bearer ${alexandreia}`)
      .send({});
    expect(otherRest.status).toBe(404);
    const staff = (await createLink(providerStaff, referralId)).body;
    expect(staff.errors[0].extensions.code).toBe('FORBIDDEN');
    const revoke = await t.gql(alexandreia, `mutation($id: UUID!) { revokeReferralLink(id: $id) { id } }`, {
      id,
    });
    expect(revoke.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const revokeRest = await t.http
      .delete(`/api/v1/referrals/${referralId}/links/${id}`)
      .set('Authorization', `Bearer ${alexandreia}`);
    expect(revokeRest.status).toBe(404);
    expect(await count()).toBe(1);
    expect((await view(token)).status).toBe(200);
    const denied = await t.db.query(
      `SELECT action FROM audit_event WHERE actor_id = 'alex-links' AND outcome = 'denied' AND action LIKE 'referral_link.%' ORDER BY id`,
    );
    expect(denied.map((d) => d.action)).toEqual([
      'referral_link.create',
      'referral_link.create',
      'referral_link.revoke',
      'referral_link.revoke',
    ]);
    // The referring centre over REST: created, 201, with its URL.
    const mine = await t.http
      .post(`/api/v1/referrals/${referralId}/links`)
      .set('Authorization', `Bearer ${spata}`)
      .send({ expiresInDays: 3 });
    expect(mine.status).toBe(201);
    expect(mine.body.url).toBe(`https://mitroa.example.gr/r/${mine.body.token}`);
  });

  it('makes no link for a referral its provider cannot answer, nor one longer than REFERRAL_LINK_MAX_DAYS', async () => {
    const { id: personId } = await person();
    const draft = await referral(personId, { send: false });
    const res = (await createLink(spata, draft)).body;
    expect(res.errors[0].extensions.code).toBe('REFERRAL_LINK_NOT_POSSIBLE');
    const sent = await referral(personId);
    expect((await createLink(spata, sent, 31)).body.errors[0].extensions.code).toBe('REFERRAL_LINK_TOO_LONG');
    expect((await createLink(spata, sent, 30)).body.errors).toBeUndefined();
    // A link stands only while its referral is answerable: cancelled by the centre, it closes.
    const { token } = await link(sent);
    await ok(
      spata,
      `mutation($id: UUID!) { changeReferralStatus(id: $id, input: { status: CANCELLED }) { id } }`,
      {
        id: sent,
      },
    );
    expect((await view(token)).status).toBe(404);
  });

  it('shows no personal data once the consent is withdrawn, as the provider inbox does', async () => {
    const { id: personId, consent } = await person();
    const referralId = await referral(personId);
    const { token } = await link(referralId);
    expect((await view(token)).body.person.givenName).toBe('Ελένη');
    await ok(admin, `mutation($c: UUID!) { withdrawConsent(consentId: $c) { id } }`, { c: consent });
    const res = await view(token);
    expect(res.status).toBe(200);
    expect(res.body.person).toBeNull();
    expect(res.text).not.toContain('Ελένη');
    const inbox = await t.http
      .get(`/api/v1/referrals/${referralId}`)
      .set('Authorization', `Bearer ${providerStaff}`)
      .set(P);
    expect(inbox.body.person).toBeNull();
  });

  it("row-level security shows a link to its referral's area and provider only, and lets no provider make one", async () => {
    const referralId = await referral((await person()).id);
    const { id } = await link(referralId);
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    /** What the application role sees with a request's settings (as TransactionService sets them). */
    const seen = async (area: string, provider: string) => {
      await client.query('BEGIN');
      try {
        await client.query(
          `SELECT set_config('role', 'mitroa_app', true), set_config('mitroa.area', $1, true), set_config('mitroa.provider', $2, true)`,
          [area, provider],
        );
        const { rows } = await client.query(`SELECT id FROM referral_link WHERE id = $1`, [id]);
        return rows.length;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    try {
      expect(await seen('{4912}', '')).toBe(1);
      expect(await seen('{0802}', '')).toBe(0);
      expect(await seen('{}', spataProvider)).toBe(1);
      expect(await seen('{}', '00000000-0000-4000-8000-000000000000')).toBe(0);
      await client.query('BEGIN');
      await client.query(
        `SELECT set_config('role', 'mitroa_app', true), set_config('mitroa.area', '{}', true), set_config('mitroa.provider', $1, true)`,
        [spataProvider],
      );
      await expect(
        client.query(
          `INSERT INTO referral_link (referral_id, created_by, expires_at) VALUES ($1, 'provider', now() + interval '1 day')`,
          [referralId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('keeps the token out of the request log', async () => {
    const { token } = await link(await referral((await person()).id));
    lines.splice(0);
    expect((await view(token)).status).toBe(200);
    expect((await t.http.get(`/r/${token}`)).status).toBe(200);
    expect((await answer(token, { status: 'ACCEPTED' })).status).toBe(200);
    const paths = lines.map((l) => (JSON.parse(l) as { req?: { path?: string } }).req?.path).filter(Boolean);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/referral-links/:token',
        '/r/:token',
        '/api/v1/referral-links/:token/answer',
      ]),
    );
    const signature = token.split('.')[2]!;
    expect(lines.filter((l) => l.includes(signature))).toEqual([]);
  });

  it('counts failed links toward the failed-authentication limit of the address', async () => {
    const limited = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '2' }, { database: t.db });
    try {
      const { token } = await link(await referral((await person()).id));
      const from = { 'X-Forwarded-For': '203.0.113.77' };
      for (let i = 0; i < 2; i++)
        expect((await limited.http.get(`/api/v1/referral-links/${flip(token, 2)}`).set(from)).status).toBe(
          404,
        );
      const blocked = await limited.http.get(`/api/v1/referral-links/${token}`).set(from);
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toBeDefined();
      expect((await limited.http.get(`/r/${token}`).set(from)).status).toBe(429);
      // Another address is not held back.
      expect(
        (await limited.http.get(`/api/v1/referral-links/${token}`).set({ 'X-Forwarded-For': '203.0.113.78' }))
          .status,
      ).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  describe('the page (/r/{token}), server-rendered for browsers without JavaScript', () => {
    it('renders the shared data escaped, with the headers that keep the token to itself', async () => {
      const { id: personId } = await person();
      const referralId = await referral(personId, {
        sharedFields: ['NAME', 'NOTES'],
        notes: '<script>alert("x")</script> & "quotes"',
      });
      const { token } = await link(referralId);
      const res = await t.http.get(`/r/${token}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
      expect(res.headers['content-security-policy']).toContain(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-robots-tag']).toContain('noindex');
      expect(res.text).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;',
      );
      expect(res.text).not.toMatch(/<script/i);
      expect(res.text).toContain('Ελένη');
      expect(res.text).not.toContain('1971-03-14');
      expect(res.text).not.toContain(personId);
      expect(res.text).toContain('data-status="SENT"');
      expect(res.text).toContain(`<form method="post" action="/r/${token}">`);
    });

    it('answers a form post with a 303 back to the page, and an illegal answer with its message', async () => {
      const referralId = await referral((await person()).id);
      const { token } = await link(referralId);
      const accepted = await t.http
        .post(`/r/${token}`)
        .type('form')
        .send({ status: 'ACCEPTED', expectedVersion: '2', note: '' });
      expect(accepted.status).toBe(303);
      expect(accepted.headers.location).toBe(`/r/${token}`);
      expect((await t.http.get(`/r/${token}`)).text).toContain('data-status="ACCEPTED"');
      const illegal = await t.http
        .post(`/r/${token}`)
        .type('form')
        .send({ status: 'REJECTED', rejectionReason: 'OTHER' });
      expect(illegal.status).toBe(303);
      expect(illegal.headers.location).toBe(`/r/${token}?error=REFERRAL_TRANSITION_NOT_ALLOWED`);
      const page = await t.http.get(illegal.headers.location);
      expect(page.text).toContain('role="alert"');
      expect(page.text).toContain('This answer is not allowed in the referral&#39;s current status.');
      const done = await t.http
        .post(`/r/${token}`)
        .type('form')
        .send({ status: 'COMPLETED', outcome: 'GOT_HELP' });
      expect(done.headers.location).toBe(`/r/${token}?answered=COMPLETED`);
      const closed = await t.http.get(done.headers.location);
      expect(closed.status).toBe(200);
      expect(closed.text).toContain('data-status="COMPLETED"');
      expect(await statusOf(referralId)).toBe('COMPLETED');
    });

    it('shows the same page for every unusable link, with the same headers', async () => {
      const referralId = await referral((await person()).id);
      const { token } = await link(referralId);
      const pages = [
        await t.http.get(`/r/${flip(token, 2)}`),
        await t.http.get('/r/nothing'),
        await t.http
          .post(`/r/${flip(token, 1)}`)
          .type('form')
          .send({ status: 'ACCEPTED' }),
      ];
      for (const res of pages) {
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.text).toContain('Link not valid');
      }
      expect(pages[0]!.text).toBe(pages[1]!.text);
      expect(await statusOf(referralId)).toBe('SENT');
    });
  });
});
