import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { JobWorker } from '../src/jobs/job-worker.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { OutboxService } from '../src/outbox/outbox.service.js';
import {
  DEFAULT_DELIVERY_POLICY,
  WebhookDispatcher,
  type DeliveryPolicy,
} from '../src/outbox/webhook-dispatcher.js';
import { verifyWebhook } from '../src/outbox/webhook-signature.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Received {
  body: string;
  signature?: string;
  eventId?: string;
}

/** A partner system: records what it receives and answers `status()`. */
function receiver(status: () => number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        body,
        signature: req.headers['x-mitroa-signature'] as string | undefined,
        eventId: req.headers['x-mitroa-event-id'] as string | undefined,
      });
      res.writeHead(status()).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received }),
    ),
  );
}

const SECRET = 'the-subscription-secret-of-32-characters';
const POLICY: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, maxAttempts: 4, concurrency: 2 };

describe('transactional outbox and webhooks', () => {
  let t: TestApp;
  let tx: TransactionService;
  let outbox: OutboxService;
  let dispatcher: WebhookDispatcher;

  beforeAll(async () => {
    // The partner systems here listen on 127.0.0.1.
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
    tx = t.app.get(TransactionService);
    outbox = t.app.get(OutboxService);
    dispatcher = t.app.get(WebhookDispatcher);
  });
  afterAll(() => t.close());

  async function subscribe(url: string, municipalityCodes: string[] | null = null): Promise<string> {
    const [row] = await t.db.query<{ id: string }>(
      `INSERT INTO webhook_subscription (name, url, secret, topics, municipality_codes, created_by)
       VALUES ($1, $2, $3, '{referral.sent}', $4, 'test') RETURNING id`,
      [`partner-${randomUUID()}`, url, SECRET, municipalityCodes],
    );
    return row!.id;
  }

  async function enqueue(municipalityCode: string, commit = true): Promise<string> {
    const ctx = new RequestContext(randomUUID(), systemActor('test'));
    const aggregateId = randomUUID();
    await tx
      .run(ctx, async () => {
        await outbox.enqueue(ctx.em, {
          topic: 'referral.sent',
          aggregateType: 'referral',
          aggregateId,
          municipalityCode,
          payload: { status: 'SENT' },
        });
        if (!commit) throw new Error('roll back');
      })
      .catch((e: unknown) => {
        if (commit) throw e;
      });
    return aggregateId;
  }

  it('writes nothing when the transaction that enqueued rolls back', async () => {
    const id = await enqueue('4912', false);
    expect(await t.db.query(`SELECT 1 FROM outbox_event WHERE aggregate_id = $1`, [id])).toEqual([]);
  });

  it('delivers a committed event to a matching subscriber, signed; another secret does not verify', async () => {
    const r = await receiver(() => 204);
    try {
      await subscribe(r.url, ['4912']);
      const id = await enqueue('4912');
      await enqueue('0802'); // another area: not for this subscriber
      const now = new Date();
      const result = await dispatcher.dispatch(now, POLICY);
      expect(result.delivered).toBe(1);
      expect(r.received).toHaveLength(1);
      const [got] = r.received;
      const body = JSON.parse(got!.body) as { id: string; aggregateId: string; municipalityCode: string };
      expect(body).toMatchObject({ aggregateId: id, municipalityCode: '4912' });
      expect(got!.eventId).toBe(body.id);
      expect(verifyWebhook(SECRET, got!.body, got!.signature, now)).toMatchObject({ ok: true });
      expect(verifyWebhook('not-the-secret-but-32-characters-long', got!.body, got!.signature, now)).toEqual({
        ok: false,
        reason: 'mismatch',
      });
      // Delivered once: another round sends nothing.
      expect((await dispatcher.dispatch(new Date(now.getTime() + 3600_000), POLICY)).delivered).toBe(0);
      expect(r.received).toHaveLength(1);
    } finally {
      r.server.close();
    }
  });

  it('retries a failing receiver with growing delays, dead-letters it after the last attempt, and re-queues it', async () => {
    let status = 500;
    const r = await receiver(() => status);
    try {
      const subscription = await subscribe(r.url, ['4904']);
      await enqueue('4904');
      let now = new Date();
      const delays: number[] = [];
      for (let attempt = 1; attempt <= POLICY.maxAttempts; attempt++) {
        await dispatcher.dispatch(now, POLICY);
        const [d] = await t.db.query<{ attempts: number; next_attempt_at: Date; dead_at: Date | null }>(
          `SELECT attempts, next_attempt_at, dead_at FROM webhook_delivery WHERE subscription_id = $1`,
          [subscription],
        );
        expect(d!.attempts).toBe(attempt);
        if (attempt < POLICY.maxAttempts) {
          expect(d!.dead_at).toBeNull();
          delays.push(d!.next_attempt_at.getTime() - now.getTime());
          // Not due before its time.
          expect(
            (await dispatcher.dispatch(new Date(d!.next_attempt_at.getTime() - 1000), POLICY)).failed,
          ).toBe(0);
          now = d!.next_attempt_at;
        } else expect(d!.dead_at).not.toBeNull();
      }
      for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
      expect(r.received).toHaveLength(POLICY.maxAttempts);
      expect(new Set(r.received.map((x) => x.eventId)).size).toBe(1);
      // Dead: nothing more is sent, however late.
      expect((await dispatcher.dispatch(new Date(now.getTime() + 86400_000), POLICY)).failed).toBe(0);

      status = 200;
      const [dead] = await t.db.query<{ id: string }>(
        `SELECT id FROM webhook_delivery WHERE subscription_id = $1 AND dead_at IS NOT NULL`,
        [subscription],
      );
      const ctx = new RequestContext(randomUUID(), systemActor('test'));
      expect(await tx.run(ctx, () => dispatcher.requeue(ctx, dead!.id, now))).toBe(true);
      expect((await dispatcher.dispatch(now, POLICY)).delivered).toBe(1);
    } finally {
      r.server.close();
    }
  });

  it('delivers each event once when two dispatchers run at the same time', async () => {
    const r = await receiver(() => 200);
    try {
      await subscribe(r.url, ['4910']);
      for (let i = 0; i < 12; i++) await enqueue('4910');
      const now = new Date();
      const [a, b] = await Promise.all([dispatcher.dispatch(now, POLICY), dispatcher.dispatch(now, POLICY)]);
      expect(a.delivered + b.delivered).toBe(12);
      expect(r.received).toHaveLength(12);
      expect(new Set(r.received.map((x) => x.eventId)).size).toBe(12);
    } finally {
      r.server.close();
    }
  });

  it('signs each POST of a round at its own sending time, not at the start of the round', async () => {
    // A backlog takes minutes to deliver: signed with the round's start, what is sent more than the
    // replay window (5 minutes) into the round would be refused by a receiver that checks it.
    const stamps: number[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const check = verifyWebhook(SECRET, body, req.headers['x-mitroa-signature'] as string);
        stamps.push(check.ok ? check.timestamp : NaN);
        // The first answer is held for 1.5 s of the round: the second POST leaves at least that later.
        setTimeout(() => res.writeHead(204).end(), stamps.length === 1 ? 1500 : 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, ['4911']);
      await enqueue('4911');
      await enqueue('4911');
      const result = await dispatcher.dispatch(new Date(), { ...POLICY, concurrency: 1 });
      expect(result.delivered).toBe(2);
      expect(stamps).toHaveLength(2);
      expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(1);
    } finally {
      server.close();
    }
  });

  it('the job worker (pg-boss) delivers a committed event without being called, woken by the commit', async () => {
    const r = await receiver(() => 200);
    const worker = t.app.get(JobWorker);
    try {
      await subscribe(r.url, ['4906']);
      await worker.start();
      const id = await enqueue('4906');
      while (!r.received.some((x) => (JSON.parse(x.body) as { aggregateId: string }).aggregateId === id))
        await new Promise((resolve) => setTimeout(resolve, 100));
      const [d] = await t.db.query<{ delivered_at: Date | null }>(
        `SELECT d.delivered_at FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE e.aggregate_id = $1`,
        [id],
      );
      expect(d).toBeDefined();
    } finally {
      await worker.stop();
      r.server.close();
    }
  });
});
