import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import { Role } from '../src/auth/roles.js';
import { TransactionService } from '../src/database/transaction.service.js';
import { JOB } from '../src/jobs/job-worker.js';
import { OutboxService } from '../src/outbox/outbox.service.js';
import { verifyWebhook } from '../src/outbox/webhook-signature.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 12, "several workers at once without doing anything twice": two real worker processes
 * (src/worker.ts, as `npm run worker` runs it) on one database, with the referral schedule every
 * minute (REFERRAL_SCHEDULE_CRON). Referrals wait to be flagged overdue, to be reminded and to
 * expire, and events wait to be delivered to three subscribers (everything; one provider's; one
 * municipality's). Once all is done and every scheduled job has run again after that, each referral
 * was flagged, reminded or expired exactly once, each event reached each subscriber it matches
 * exactly once (by X-Mitroa-Event-Id, signature verified), and the others never, and nothing is
 * pending. Nothing is timed: the test polls for conditions with a generous limit.
 */
const PER_GROUP = 12;
const DIRECT_EVENTS = 40;
const TOPICS = ['referral.sent', 'referral.updated', 'referral.reminder'];
const SECRET = {
  all: 'the-all-events-secret-of-32-characters',
  provider: 'the-provider-secret-of-32-characters!',
  area: 'the-municipality-secret-of-32-chars!!',
};
type Receiver = keyof typeof SECRET;

/** Polls `check` until it answers true; fails with `what` after `limitMs` (a limit, not a measurement). */
async function until(what: string, check: () => Promise<boolean>, limitMs = 300_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('two worker processes at once (issue 12)', () => {
  let t: TestApp;
  const workers: Array<{ child: ChildProcessWithoutNullStreams; output: string[] }> = [];
  let server: Server;
  /** Event ids received, per receiver, with how often. */
  const received: Record<Receiver, Map<string, number>> = {
    all: new Map(),
    provider: new Map(),
    area: new Map(),
  };
  const badSignatures: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const name = (req.url ?? '').slice(1) as Receiver;
        const body = Buffer.concat(chunks).toString();
        const check = verifyWebhook(SECRET[name] ?? '', body, req.headers['x-mitroa-signature'] as string);
        if (!(name in SECRET) || !check.ok) {
          badSignatures.push(`${req.url}: ${check.ok ? 'unknown receiver' : check.reason}`);
          res.writeHead(401).end();
          return;
        }
        const id = String(req.headers['x-mitroa-event-id']);
        received[name].set(id, (received[name].get(id) ?? 0) + 1);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await Promise.all(
      workers.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.on('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    server?.closeAllConnections();
    server?.close();
    await t?.close();
  });

  function startWorker(): Promise<void> {
    const child = spawn(process.execPath, ['--import', './test/support/register-ts.mjs', 'src/worker.ts'], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        DATABASE_URL: t.db.url,
        JWT_SECRET: 'a-worker-secret-of-at-least-32-characters',
        DATA_DIR: '.data/test',
        LOG_LEVEL: 'info',
        REFERRAL_SCHEDULE_CRON: '* * * * *',
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', // the test's receivers are on 127.0.0.1
      },
    });
    const worker = { child, output: [] as string[] };
    workers.push(worker);
    return new Promise((resolve, reject) => {
      const read = (c: Buffer) => {
        worker.output.push(c.toString());
        if (worker.output.join('').includes('worker running')) resolve();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('exit', (code, signal) =>
        reject(new Error(`a worker exited (${code ?? signal}): ${worker.output.join('').slice(-3000)}`)),
      );
    });
  }

  async function provider(admin: string, name: string, municipalityCode: string): Promise<string> {
    const res = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kindCode: 'NGO',
        name,
        municipalityCode,
        services: [{ name: 'Τρόφιμα', categoryCode: 'FOOD_AID' }],
      });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  }

  /** PER_GROUP SENT referrals of people of `municipality` to `providerId`, in the state `set` describes. */
  async function referrals(
    group: string,
    municipality: string,
    providerId: string,
    set: string,
  ): Promise<void> {
    await t.db.query(
      `WITH people AS (
         INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date, gender, name_key, phonetic_key)
         SELECT $1, 'Ελένη', 'Δοκιμή', 'Eleni', 'Dokimi', DATE '1970-01-01' + g, 'FEMALE', 'x', 'x'
           FROM generate_series(1, $3::int) g
         RETURNING id)
       INSERT INTO referral (person_id, kind, from_municipality_code, referred_by, provider_id, status, sent_at, notes,
                             due_on, overdue, reminders, last_reminded_at)
       SELECT id, 'PROVIDER', $1, 'test-staff', $2, 'SENT', now() - interval '40 days', $4, ${set}
         FROM people`,
      [municipality, providerId, PER_GROUP, group],
    );
  }

  const today = `(now() AT TIME ZONE 'Europe/Athens')::date`;

  it(
    'flags, reminds and expires each referral once and delivers each event once per subscriber',
    async () => {
      const admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-w');
      const spataProvider = await provider(admin, 'Παντοπωλείο Σπάτων (workers)', '4912');
      const alexandreiaProvider = await provider(admin, 'Παντοπωλείο Αλεξάνδρειας (workers)', '0802');
      for (const [municipality, providerId] of [
        ['4912', spataProvider],
        ['0802', alexandreiaProvider],
      ] as const) {
        // Due yesterday, not yet flagged: flagged, then reminded (once: the next is due in 48 hours).
        await referrals('to flag', municipality, providerId, `${today} - 1, false, 0, NULL::timestamptz`);
        // Flagged days ago, last reminded three days ago: one reminder now.
        await referrals(
          'to remind',
          municipality,
          providerId,
          `${today} - 5, true, 1, now() - interval '3 days'`,
        );
        // Due 31 days ago and just reminded: expires (after REFERRAL_EXPIRE_AFTER_DAYS, 30), nothing else.
        await referrals('to expire', municipality, providerId, `${today} - 31, true, 15, now()`);
        // Not yet due: left alone.
        await referrals('not due', municipality, providerId, `${today} + 3, false, 0, NULL::timestamptz`);
      }
      const url = (name: Receiver) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`;
      await t.db.query(
        `INSERT INTO webhook_subscription (name, url, secret, topics, provider_id, municipality_codes, created_by) VALUES
         ('everything', $1, $2, $7, NULL, NULL, 'test'),
         ('one provider', $3, $4, $7, $8, NULL, 'test'),
         ('one municipality', $5, $6, $7, NULL, '{0802}', 'test')`,
        [
          url('all'),
          SECRET.all,
          url('provider'),
          SECRET.provider,
          url('area'),
          SECRET.area,
          TOPICS,
          spataProvider,
        ],
      );
      // Events of changes made through the service, to be delivered alongside the schedule's.
      const outbox = t.app.get(OutboxService);
      const ctx = new RequestContext(randomUUID(), systemActor('test'));
      await t.app.get(TransactionService).run(ctx, async () => {
        for (let i = 0; i < DIRECT_EVENTS; i++)
          await outbox.enqueue(ctx.em, {
            topic: 'referral.sent',
            aggregateType: 'referral',
            aggregateId: randomUUID(),
            municipalityCode: i % 2 ? '4912' : '0802',
            providerId: i % 2 ? spataProvider : alexandreiaProvider,
            payload: { status: 'SENT' },
          });
      });

      await Promise.all([startWorker(), startWorker()]);

      const count = async (sql: string, params: unknown[] = []) =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) q`, params))[0]!.n;
      const groups = 2 * PER_GROUP;
      await until('the schedule to flag, remind and expire', async () => {
        const [state] = await t.db.query<Record<string, number>>(
          `SELECT count(*) FILTER (WHERE notes = 'to flag' AND overdue AND reminders = 1)::int AS flagged,
                count(*) FILTER (WHERE notes = 'to remind' AND reminders = 2)::int AS reminded,
                count(*) FILTER (WHERE notes = 'to expire' AND status = 'EXPIRED')::int AS expired
           FROM referral`,
        );
        return state!.flagged === groups && state!.reminded === groups && state!.expired === groups;
      });
      // Every scheduled job runs once more after that (any worker), finding nothing left to do.
      const done = new Date();
      await until('another run of each scheduled job', async () => {
        for (const name of [JOB.FLAG_OVERDUE, JOB.SEND_REMINDERS, JOB.EXPIRE_UNANSWERED])
          if (
            (await count(
              `SELECT 1 FROM pgboss.job WHERE name = $1 AND state = 'completed' AND started_on > $2`,
              [name, done],
            )) === 0
          )
            return false;
        return true;
      });
      await until('every delivery', async () => {
        const pending = await count(
          `SELECT 1 FROM outbox_event WHERE position IS NULL
         UNION ALL SELECT 1 FROM webhook_delivery WHERE delivered_at IS NULL`,
        );
        const fanned = await count(`SELECT 1 FROM webhook_delivery`);
        return pending === 0 && fanned > 0;
      });

      // Each referral changed once: one history row of its kind, one event per change.
      const history = await t.db.query<{ notes: string; event: string; to_status: string | null; n: number }>(
        `SELECT r.notes, h.event, h.to_status, count(*)::int AS n
         FROM referral r JOIN referral_history h ON h.referral_id = r.id
        GROUP BY r.id, r.notes, h.event, h.to_status
        ORDER BY 1, 2`,
      );
      expect(history.filter((h) => h.n !== 1)).toEqual([]);
      const rows = (notes: string) =>
        history.filter((h) => h.notes === notes).map((h) => `${h.event} ${h.to_status}`);
      expect(rows('to flag').sort()).toEqual(
        [...Array(groups).fill('OVERDUE null'), ...Array(groups).fill('REMINDER null')].sort(),
      );
      expect(rows('to remind')).toEqual(Array(groups).fill('REMINDER null'));
      expect(rows('to expire')).toEqual(Array(groups).fill('STATUS EXPIRED'));
      expect(rows('not due')).toEqual([]);
      expect(
        await count(
          `SELECT 1 FROM referral WHERE notes = 'not due' AND (status <> 'SENT' OR overdue OR reminders > 0)`,
        ),
      ).toBe(0);
      const events = await t.db.query<{
        id: string;
        topic: string;
        provider_id: string | null;
        municipality_code: string | null;
      }>(`SELECT id, topic, provider_id, municipality_code FROM outbox_event`);
      const byTopic = (topic: string) => events.filter((e) => e.topic === topic).length;
      expect(byTopic('referral.updated')).toBe(2 * groups); // flagged + expired
      expect(byTopic('referral.reminder')).toBe(2 * groups); // flagged, then reminded + reminded
      expect(byTopic('referral.sent')).toBe(DIRECT_EVENTS);

      // Each subscriber got exactly the events it matches, each once; the others never.
      const expected: Record<Receiver, string[]> = {
        all: events.map((e) => e.id),
        provider: events.filter((e) => e.provider_id === spataProvider).map((e) => e.id),
        area: events.filter((e) => e.municipality_code === '0802').map((e) => e.id),
      };
      expect(expected.provider.length).toBeGreaterThan(0);
      expect(expected.area.length).toBeGreaterThan(0);
      expect(expected.provider.length + expected.area.length).toBe(events.length);
      for (const name of Object.keys(expected) as Receiver[]) {
        expect([...received[name].keys()].sort()).toEqual([...expected[name]].sort());
        expect([...received[name].values()].filter((n) => n !== 1)).toEqual([]);
      }
      expect(badSignatures).toEqual([]);
      // Recorded delivered once each (one attempt), none dead, none waiting.
      expect(
        await t.db.query(
          `SELECT attempts, count(*)::int AS n FROM webhook_delivery
          WHERE delivered_at IS NOT NULL AND dead_at IS NULL GROUP BY attempts`,
        ),
      ).toEqual([{ attempts: 1, n: events.length * 2 }]);
      // Nothing left for the schedule (the WHERE clauses of its three statements), no job failed.
      expect(
        await count(
          `SELECT 1 FROM referral WHERE status = 'SENT' AND (
           (NOT overdue AND due_on < ${today})
           OR (overdue AND (last_reminded_at IS NULL OR last_reminded_at <= now() - interval '48 hours'))
           OR due_on + 30 < ${today})`,
        ),
      ).toBe(0);
      expect(await count(`SELECT 1 FROM pgboss.job WHERE state = 'failed'`)).toBe(0);
      // Both processes ran the whole time.
      for (const w of workers) expect(w.child.exitCode).toBeNull();
    },
    15 * 60_000,
  );
});
