import { randomUUID } from 'node:crypto';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { GeographyService } from '../src/geography/geography.service.js';
import { EVENTS_AFTER } from '../src/outbox/outbox.queries.js';
import { OutboxService } from '../src/outbox/outbox.service.js';
import { WebhookDispatcher } from '../src/outbox/webhook-dispatcher.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface EventPage {
  items: Array<{
    id: string;
    position: string;
    aggregateId: string;
    municipalityCode: string;
    providerId: string | null;
  }>;
  nextCursor: string;
  hasMore: boolean;
}

/** supertest leaves application/problem+json unparsed. */
const json = (res: { body: unknown; text: string }) =>
  res.body && Object.keys(res.body).length ? res.body : JSON.parse(res.text);

describe('partner systems: events pull, webhook subscriptions, dead letters', () => {
  let t: TestApp;
  let tx: TransactionService;
  let outbox: OutboxService;
  let dispatcher: WebhookDispatcher;
  let admin: string;
  let attica: string;
  let macedonia: string;
  let providerToken: string;
  let centre: string;
  let provider: string;

  beforeAll(async () => {
    t = await startTestApp();
    tx = t.app.get(TransactionService);
    outbox = t.app.get(OutboxService);
    dispatcher = t.app.get(WebhookDispatcher);
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'partners-admin');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'partners-attica');
    macedonia = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '2' }, 'partners-macedonia');
    centre = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'partners-centre');
    const created = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kindCode: 'COMMUNITY_CENTRE', name: 'Πάροχος γεγονότων', municipalityCode: '4912' });
    expect(created.status).toBe(201);
    provider = created.body.id as string;
    providerToken = await t.token({ roles: [Role.PROVIDER_STAFF], provider }, 'partners-provider');
  });
  afterAll(() => t.close());

  async function enqueue(municipalityCode: string, providerId: string | null = null): Promise<string> {
    const ctx = new RequestContext(randomUUID(), systemActor('test'));
    const aggregateId = randomUUID();
    await tx.run(ctx, () =>
      outbox.enqueue(ctx.em, {
        topic: 'referral.sent',
        aggregateType: 'referral',
        aggregateId,
        municipalityCode,
        providerId,
        payload: { status: 'SENT' },
      }),
    );
    return aggregateId;
  }

  const pull = (token: string, query: string) =>
    t.http.get(`/api/v1/events${query}`).set('Authorization', `Bearer ${token}`);

  it('pages the published events of the caller’s area in position order with a cursor', async () => {
    const atticaEvents = [await enqueue('4912'), await enqueue('4912'), await enqueue('4904', provider)];
    const alexandreia = await enqueue('0802');
    await dispatcher.publish(new Date());
    const late = await enqueue('4912'); // committed, not yet published: not in the feed

    const seen: EventPage['items'] = [];
    let cursor = '0';
    for (;;) {
      const res = await pull(attica, `?after=${cursor}&limit=2`);
      expect(res.status).toBe(200);
      const page = res.body as EventPage;
      seen.push(...page.items);
      expect(page.nextCursor).toBe(page.items.length ? page.items.at(-1)!.position : cursor);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const positions = seen.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
    const ids = seen.map((e) => e.aggregateId);
    for (const id of atticaEvents) expect(ids).toContain(id);
    expect(ids).not.toContain(alexandreia); // another region's municipality
    expect(ids).not.toContain(late);
    expect(seen.every((e) => ['4912', '4904'].includes(e.municipalityCode))).toBe(true);

    // The other region sees its event and none of Attica's.
    const other = (await pull(macedonia, '?limit=500')).body as EventPage;
    expect(other.items.map((e) => e.aggregateId)).toEqual([alexandreia]);
    // Provider staff see only the events concerning their provider.
    const own = (await pull(providerToken, '?limit=500')).body as EventPage;
    expect(own.items.map((e) => e.aggregateId)).toEqual([atticaEvents[2]]);
    // National: everything published, including the once-late event after the next publish.
    await dispatcher.publish(new Date());
    const all = (await pull(admin, `?after=${cursor}&limit=500`)).body as EventPage;
    expect(all.items.map((e) => e.aggregateId)).toContain(late);
  });

  it('row-level security alone keeps another region’s events out, whatever the SQL asks (rule 20)', async () => {
    const geography = t.app.get(GeographyService);
    const region2 = geography.municipalityCodesOfRegion('2');
    const actor = {
      ...systemActor('test'),
      kind: 'user' as const,
      scope: {
        level: 'region' as const,
        regionCode: '2',
        municipalityCodes: geography.municipalityCodesOfRegion('2'),
      },
    };
    const ctx = new RequestContext(randomUUID(), actor);
    // The query without its area parameters (national): only the policies stand between.
    const rows = await tx.run(ctx, () =>
      ctx.em.query<Array<{ municipality_code: string }>>(EVENTS_AFTER, ['0', 500, null, null]),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => region2.includes(r.municipality_code))).toBe(true);
    const [all] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_event WHERE position IS NOT NULL`,
    );
    expect(all!.n).toBeGreaterThan(rows.length);
  });

  it('answers an empty page past the end, keeps the cursor, and refuses a bad cursor or limit with 400', async () => {
    const end = (await pull(admin, '?limit=500')).body as EventPage;
    const last = end.items.at(-1)!.position;
    const past = await pull(admin, `?after=${last}`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ items: [], nextCursor: last, hasMore: false });
    const far = await pull(admin, '?after=999999999');
    expect(far.body).toEqual({ items: [], nextCursor: '999999999', hasMore: false });
    for (const bad of ['abc', '-1', '1.5', '01', '9'.repeat(45)]) {
      const res = await pull(admin, `?after=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(json(res).code).toBe(bad.length > 20 ? 'BAD_USER_INPUT' : 'BAD_CURSOR');
    }
    for (const bad of ['0', '501', 'x']) expect((await pull(admin, `?limit=${bad}`)).status).toBe(400);
  });

  it('refuses the pull to callers without events:read', async () => {
    const res = await pull(centre, '');
    expect(res.status).toBe(403);
    expect((await t.http.get('/api/v1/events')).status).toBe(401);
  });

  const api = (token: string) => ({
    post: (path: string, body?: object) =>
      t.http
        .post(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body ?? {}),
    get: (path: string) => t.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`),
  });

  it('creates a subscription with a generated secret shown once, lists it without secret, deactivates it', async () => {
    const created = await api(admin).post('/webhook-subscriptions', {
      name: 'Attica OPS',
      url: 'https://ops.attica.example.gr/hook',
      topics: ['referral.sent', 'referral.completed'],
      regionCode: '9',
    });
    expect(created.status).toBe(201);
    const sub = created.body as { id: string; secret: string; municipalityCodes: string[]; active: boolean };
    expect(sub.secret.length).toBeGreaterThanOrEqual(32);
    expect(sub.municipalityCodes).toContain('4912');
    expect(sub.municipalityCodes).not.toContain('0802');
    const [stored] = await t.db.query<{ secret: string }>(
      `SELECT secret FROM webhook_subscription WHERE id = $1`,
      [sub.id],
    );
    expect(stored!.secret).toBe(sub.secret);

    const given = 'a-secret-the-admin-chose-of-32-chars!';
    const second = await api(admin).post('/webhook-subscriptions', {
      name: 'Spata provider',
      url: 'https://partner.example.gr/hook',
      topics: ['referral.sent'],
      providerId: provider,
      secret: given,
    });
    expect(second.status).toBe(201);
    expect(second.body.secret).toBe(given);

    const list = await api(admin).get('/webhook-subscriptions');
    expect(list.status).toBe(200);
    expect(list.body.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining([sub.id, second.body.id]),
    );
    expect(list.text).not.toContain(sub.secret);
    expect(list.text).not.toContain(given);
    expect(list.body.every((s: object) => !('secret' in s))).toBe(true);

    const off = await api(admin).post(`/webhook-subscriptions/${sub.id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: sub.id, active: false });
    expect(off.body.secret).toBeUndefined();
    expect((await api(admin).post(`/webhook-subscriptions/${randomUUID()}/deactivate`)).status).toBe(404);

    const [audit] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1 AND action IN ('webhook_subscription.create', 'webhook_subscription.deactivate') AND outcome = 'allowed'`,
      [sub.id],
    );
    expect(audit!.n).toBe(2);
  });

  it('refuses subscriptions with an unknown or double area, a short secret, an unknown topic or a taken name', async () => {
    const base = { url: 'https://partner.example.gr/hook', topics: ['referral.sent'] };
    const cases: Array<[object, number, string]> = [
      [{ municipalityCodes: ['9999'] }, 400, 'UNKNOWN_AREA'],
      [{ providerId: randomUUID() }, 400, 'UNKNOWN_AREA'],
      [{ regionCode: '9', municipalityCodes: ['4912'] }, 400, 'ONE_AREA_ONLY'],
      [{ secret: 'too-short' }, 400, 'BAD_USER_INPUT'],
      [{ topics: ['referral.exploded'] }, 400, 'BAD_USER_INPUT'],
      [{ url: 'ftp://partner.example.gr/' }, 400, 'BAD_USER_INPUT'],
      [{ name: 'Attica OPS' }, 409, 'SUBSCRIPTION_NAME_TAKEN'],
    ];
    for (const [change, status, code] of cases) {
      const res = await api(admin).post('/webhook-subscriptions', {
        name: `s-${randomUUID()}`,
        ...base,
        ...change,
      });
      expect({ change, status: res.status, code: json(res).code }).toEqual({ change, status, code });
    }
  });

  it('lists dead deliveries and requeues one; a pending one is refused', async () => {
    const [sub] = await t.db.query<{ id: string }>(
      `INSERT INTO webhook_subscription (name, url, secret, topics, created_by)
       VALUES ('dead-end', 'http://127.0.0.1:9/hook', $1, '{referral.sent}', 'test') RETURNING id`,
      ['s'.repeat(40)],
    );
    const [event] = await t.db.query<{ id: string }>(
      `SELECT id FROM outbox_event WHERE position IS NOT NULL ORDER BY position LIMIT 1`,
    );
    const deliveries = await t.db.query<{ id: string }>(
      `INSERT INTO webhook_delivery (event_id, subscription_id, attempts, next_attempt_at, last_error, dead_at)
       SELECT $1, $2, 8, now(), 'HTTP 500', now() - make_interval(secs => g) FROM generate_series(1, 1) g
       RETURNING id`,
      [event!.id, sub!.id],
    );
    const dead = deliveries[0]!.id;
    const list = await api(admin).get('/webhook-deliveries/dead?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(dead);

    const requeued = await api(admin).post(`/webhook-deliveries/${dead}/requeue`);
    expect(requeued.status).toBe(200);
    expect(requeued.body).toMatchObject({ id: dead, deadAt: null, attempts: 0 });
    const again = await api(admin).post(`/webhook-deliveries/${dead}/requeue`);
    expect(again.status).toBe(409);
    expect(json(again).code).toBe('DELIVERY_NOT_DEAD');
    expect((await api(admin).post(`/webhook-deliveries/${randomUUID()}/requeue`)).status).toBe(404);
    expect((await api(admin).get('/webhook-deliveries/dead?cursor=nonsense')).status).toBe(400);
    const after = await api(admin).get('/webhook-deliveries/dead?limit=100');
    expect(after.body.items.map((d: { id: string }) => d.id)).not.toContain(dead);
  });

  it('pages dead deliveries with a cursor, each once', async () => {
    const [sub] = await t.db.query<{ id: string }>(
      `INSERT INTO webhook_subscription (name, url, secret, topics, created_by)
       VALUES ('dead-pages', 'http://127.0.0.1:9/hook', $1, '{referral.sent}', 'test') RETURNING id`,
      ['p'.repeat(40)],
    );
    await t.db.query(
      `INSERT INTO webhook_delivery (event_id, subscription_id, attempts, next_attempt_at, dead_at)
       SELECT e.id, $1, 8, now(), now() - make_interval(secs => e.position::int)
         FROM outbox_event e WHERE e.position IS NOT NULL`,
      [sub!.id],
    );
    const expected = await t.db.query<{ id: string }>(
      `SELECT id FROM webhook_delivery WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC`,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(admin).get(
        `/webhook-deliveries/dead?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected.map((r) => r.id));
  });

  it('refuses subscriptions and dead letters to every caller but a national administrator', async () => {
    const key = await t.token({ roles: [Role.AUDITOR] }, 'partners-auditor');
    for (const token of [attica, centre, providerToken, key]) {
      expect((await api(token).get('/webhook-subscriptions')).status).toBe(403);
      expect(
        (
          await api(token).post('/webhook-subscriptions', {
            name: 'x',
            url: 'http://127.0.0.1:9/',
            topics: ['referral.sent'],
          })
        ).status,
      ).toBe(403);
      expect((await api(token).get('/webhook-deliveries/dead')).status).toBe(403);
      expect((await api(token).post(`/webhook-deliveries/${randomUUID()}/requeue`)).status).toBe(403);
      expect((await api(token).post(`/webhook-subscriptions/${randomUUID()}/deactivate`)).status).toBe(403);
    }
    const [denied] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = 'partners-attica' AND outcome = 'denied' AND action LIKE 'webhook%'`,
    );
    expect(denied!.n).toBe(5);
  });
});
