import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { OutboxService } from '../src/outbox/outbox.service.js';
import { DEFAULT_DELIVERY_POLICY, WebhookDispatcher } from '../src/outbox/webhook-dispatcher.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 12, "a crash between the change and the delivery loses no event and delivers it once per
 * subscriber": a worker in its own process is killed with SIGKILL while its POST is in flight (the
 * receiver holds its answer), before it could record anything; a second worker then delivers the
 * same event, with the same X-Mitroa-Event-Id, and the delivery row is delivered once.
 */
describe('the outbox survives a worker killed mid-delivery', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The partner systems here listen on 127.0.0.1.
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
  });
  afterAll(() => t.close());

  it('kill -9 during the POST: the next worker delivers the same event, recorded delivered once', async () => {
    const received: string[] = [];
    const held: ServerResponse[] = [];
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    // The first request is never answered (the worker dies waiting); later ones are.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['x-mitroa-event-id']));
        if (received.length === 1) {
          held.push(res);
          firstArrived();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const child = spawn(
      process.execPath,
      ['--import', './test/support/register-ts.mjs', 'test/fixtures/webhook-worker.ts', t.db.url],
      {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      const [subscription] = await t.db.query<{ id: string }>(
        `INSERT INTO webhook_subscription (name, url, secret, topics, created_by)
         VALUES ('crash receiver', $1, $2, '{referral.sent}', 'test') RETURNING id`,
        [url, 'the-crash-test-secret-of-32-characters'],
      );
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
      await dispatcher.publish(new Date());
      const [event] = await t.db.query<{ id: string }>(`SELECT id FROM outbox_event`);

      // The child claims the delivery and POSTs; the receiver holds the answer; kill -9.
      await Promise.race([
        arrived,
        exited.then(() => {
          throw new Error(`the worker exited before delivering: ${output}`);
        }),
      ]);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      for (const res of held) res.destroy();

      // Its transaction dies with its connection: waiting for the row lock waits for that rollback.
      const [orphan] = await t.db.query<{ attempts: number; delivered_at: Date | null }>(
        `SELECT attempts, delivered_at FROM webhook_delivery WHERE subscription_id = $1 FOR UPDATE`,
        [subscription!.id],
      );
      expect(orphan).toEqual({ attempts: 0, delivered_at: null });

      // The second worker delivers it, with the same event id.
      const result = await dispatcher.deliverDue(new Date(), { ...DEFAULT_DELIVERY_POLICY, concurrency: 1 });
      expect(result).toEqual({ delivered: 1, failed: 0, dead: 0 });
      expect(received).toEqual([event!.id, event!.id]);
      const rows = await t.db.query<{ attempts: number; delivered: boolean }>(
        `SELECT attempts, delivered_at IS NOT NULL AS delivered FROM webhook_delivery WHERE event_id = $1`,
        [event!.id],
      );
      expect(rows).toEqual([{ attempts: 1, delivered: true }]);
      // Delivered is final: later rounds send nothing more.
      expect((await dispatcher.dispatch(new Date(Date.now() + 86_400_000))).delivered).toBe(0);
      expect(received).toHaveLength(2);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      server.closeAllConnections();
      server.close();
    }
  });
});
