import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { OutboxService } from '../src/outbox/outbox.service.js';
import { DEFAULT_DELIVERY_POLICY, WebhookDispatcher } from '../src/outbox/webhook-dispatcher.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** supertest leaves application/problem+json unparsed. */
const json = (res: { body: unknown; text: string }) =>
  res.body && Object.keys(res.body).length ? res.body : JSON.parse(res.text);

/**
 * Server-side request forgery through webhooks: a subscription URL is fetched from the worker's
 * network. With the default settings (WEBHOOK_ALLOW_PRIVATE_ADDRESSES off) none of the internal
 * addresses a reviewer used is accepted, and a row that names one anyway (written before the rule,
 * or by hand) is never connected to.
 */
describe('webhooks go only to public addresses', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'ssrf-admin');
  });
  afterAll(() => t.close());

  const create = (url: string) =>
    t.http
      .post('/api/v1/webhook-subscriptions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: `s-${randomUUID()}`, url, topics: ['referral.sent'] });

  it('refuses subscriptions to internal addresses in any notation, says why, and audits the refusal', async () => {
    const refused = [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://localhost:5432/',
      'http://10.0.0.1/',
      'http://[::1]:22/',
      'http://0x7f000001/',
      'http://[::ffff:127.0.0.1]/', // IPv4-mapped IPv6
      'http://[::ffff:a9fe:a9fe]/latest/meta-data/', // 169.254.169.254, mapped, in hex
      'http://100.64.0.1/', // carrier-grade NAT
      'http://[fd00::1]/',
      'http://metadata.google.internal/',
      'http://postgres:5432/',
    ];
    for (const url of refused) {
      const res = await create(url);
      const body = json(res);
      expect({ url, status: res.status, code: body.code }).toEqual({
        url,
        status: 400,
        code: 'WEBHOOK_URL_NOT_ALLOWED',
      });
      expect(body.detail).toMatch(/public/);
    }
    // Decimal and octal forms do not even pass the URL validation of the input.
    for (const url of ['http://2130706433:5432/', 'http://0177.0.0.1/']) {
      const res = await create(url);
      expect({ url, status: res.status, code: json(res).code }).toEqual({
        url,
        status: 400,
        code: 'BAD_USER_INPUT',
      });
    }
    const [stored] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_subscription`);
    expect(stored!.n).toBe(0);
    const [audited] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event
        WHERE actor_id = 'ssrf-admin' AND action = 'webhook_subscription.create'
          AND outcome = 'denied' AND reason LIKE 'url not allowed: %'`,
    );
    expect(audited!.n).toBe(refused.length);

    // The same caller, a public name: created (then stopped: this file delivers to nothing outside).
    const created = await create('https://partner.example.gr/hook');
    expect(created.status).toBe(201);
    const off = await t.http
      .post(`/api/v1/webhook-subscriptions/${created.body.id}/deactivate`)
      .set('Authorization', `Bearer ${admin}`);
    expect(off.status).toBe(200);
  });

  it('never connects to a subscription row that names a loopback address or a name resolving to one', async () => {
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.url));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // Written directly, as a row made before the rule (or by hand) would be: only delivery guards it.
      const urls = {
        name: `http://localhost:${port}/hook`, // refused by the connect-time lookup
        literal: `http://0x7f000001:${port}/hook`, // an IP literal never reaches a lookup
      };
      const subscriptions: Record<string, string> = {};
      for (const [kind, url] of Object.entries(urls)) {
        const [row] = await t.db.query<{ id: string }>(
          `INSERT INTO webhook_subscription (name, url, secret, topics, created_by)
           VALUES ($1, $2, $3, '{referral.sent}', 'test') RETURNING id`,
          [`direct ${kind}`, url, 'x'.repeat(40)],
        );
        subscriptions[row!.id] = kind;
      }
      const ctx = new RequestContext(randomUUID(), systemActor('test'));
      await t.app.get(TransactionService).run(ctx, () =>
        t.app.get(OutboxService).enqueue(ctx.em, {
          topic: 'referral.sent',
          aggregateType: 'referral',
          aggregateId: randomUUID(),
          municipalityCode: '4912',
          payload: { status: 'SENT' },
        }),
      );
      const dispatcher = t.app.get(WebhookDispatcher);
      const policy = { ...DEFAULT_DELIVERY_POLICY, maxAttempts: 2, concurrency: 1 };
      const now = new Date();
      // A refusal is a failed attempt: retried, then dead, like any other.
      expect(await dispatcher.dispatch(now, policy)).toMatchObject({ failed: 2, delivered: 0, dead: 0 });
      expect(await dispatcher.dispatch(new Date(now.getTime() + 86_400_000), policy)).toMatchObject({
        failed: 0,
        delivered: 0,
        dead: 2,
      });
      expect(received).toEqual([]);

      const dead = await t.http
        .get('/api/v1/webhook-deliveries/dead')
        .set('Authorization', `Bearer ${admin}`);
      expect(dead.status).toBe(200);
      const errors = Object.fromEntries(
        (dead.body.items as Array<{ subscriptionId: string; lastError: string; lastStatus: number | null }>)
          .filter((d) => subscriptions[d.subscriptionId])
          .map((d) => [
            subscriptions[d.subscriptionId],
            { lastError: d.lastError, lastStatus: d.lastStatus },
          ]),
      );
      expect(errors).toEqual({
        name: {
          lastError:
            'refused: localhost resolves to a non-public address; webhooks are sent only to public addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES)',
          lastStatus: null,
        },
        literal: {
          lastError: expect.stringMatching(/^refused: url names a loopback address\./),
          lastStatus: null,
        },
      });
      // The dead-letter list tells no address or port of the worker's network.
      expect(dead.text).not.toContain('127.0.0.1');
      expect(dead.text).not.toContain(`:${port}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
