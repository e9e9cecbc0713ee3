import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { describeError } from '../common/describe-error.js';
import { AppConfig } from '../config/app-config.js';
import { ImportRunner } from '../imports/import-runner.js';
import { ImportSchedule } from '../imports/import-schedule.js';
import type { ReferralSchedule } from '../outbox/contracts.js';
import { WebhookDispatcher } from '../outbox/webhook-dispatcher.js';
import { StatisticsService } from '../statistics/statistics.service.js';
import { EsfIndicatorsService } from '../statistics/esf-indicators.service.js';
import { LikelyEligibleService } from '../statistics/likely-eligible.service.js';

/** Provide it (useExisting: ReferralsService) to have the worker run the referral schedule. */
export const REFERRAL_SCHEDULE = Symbol('REFERRAL_SCHEDULE');

export const JOB = {
  DISPATCH: 'outbox-dispatch',
  FLAG_OVERDUE: 'referral-flag-overdue',
  SEND_REMINDERS: 'referral-send-reminders',
  EXPIRE_UNANSWERED: 'referral-expire-unanswered',
  STATISTICS_REFRESH: 'statistics-refresh',
  LIKELY_ELIGIBLE_REFRESH: 'statistics-likely-eligible',
  IMPORT_RUN: 'import-run',
  IMPORT_SWEEP: 'import-sweep',
  IMPORT_PURGE: 'import-purge',
} as const;

/** Every minute as a fallback: normally a commit's NOTIFY wakes the dispatcher at once. */
const DISPATCH_CRON = '* * * * *';
/**
 * Figures are fresh within a minute (docs/statistics.md): the job runs every minute and refreshes
 * at once and again half a minute after it started, so a change waits at most about half a minute
 * (plus pg-boss's few seconds) for a refresh to start.
 */
const STATISTICS_CRON = '* * * * *';
/**
 * Likely eligible but not enrolled evaluates every person's rules (about a minute per 200,000
 * people on a loaded machine, docs/statistics.md): nightly, at 02:30 UTC, after the day's imports.
 */
const LIKELY_ELIGIBLE_CRON = '30 2 * * *';
const STATISTICS_SECOND_RUN_MS = 30_000;
/** Imports: a sweep every minute in case a wake-up was lost or a worker died; the purge nightly. */
const IMPORT_SWEEP_CRON = '* * * * *';
const IMPORT_PURGE_CRON = '17 3 * * *';

/** Runs `setUp` holding a database-wide advisory lock (released with the connection if we die). */
async function oneAtATime(url: string, setUp: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('mitroa:job-worker-setup'))`);
    await setUp();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The job worker (rule 23): pg-boss queues in the service's own database (schema `pgboss`, made by
 * migration 1764400000100). Any number of workers may run, in the service or alone (`npm run
 * worker`): pg-boss hands each job to one of them (SKIP LOCKED), a `stately` queue keeps at most one
 * dispatch queued and one running, and the dispatcher itself claims deliveries with SKIP LOCKED.
 */
@Injectable()
export class JobWorker implements BeforeApplicationShutdown {
  private boss?: PgBoss;
  private listener?: pg.Client;
  private readonly log = new Logger('JobWorker');
  private stopping = false;
  private readonly wakeFromPause = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(WebhookDispatcher) private readonly dispatcher: WebhookDispatcher,
    @Optional() @Inject(REFERRAL_SCHEDULE) private readonly referrals?: ReferralSchedule,
    @Optional() @Inject(StatisticsService) private readonly statistics?: StatisticsService,
    @Optional() @Inject(ImportRunner) private readonly imports?: ImportRunner,
    @Optional() @Inject(ImportSchedule) private readonly importSchedule?: ImportSchedule,
    @Optional() @Inject(EsfIndicatorsService) private readonly esf?: EsfIndicatorsService,
    @Optional() @Inject(LikelyEligibleService) private readonly likelyEligible?: LikelyEligibleService,
  ) {}

  /** Starts pg-boss, registers the schedules and handlers, and listens for new outbox events. */
  async start(): Promise<void> {
    const url = (this.dataSource.options as { url: string }).url;
    // Schedules are looked at every 5 s (pg-boss's default, 30 s, could start a minute's job 30 s late).
    const boss = new PgBoss({
      connectionString: url,
      schema: 'pgboss',
      migrate: true,
      max: 4,
      cronMonitorIntervalSeconds: 5,
      cronWorkerIntervalSeconds: 1,
    });
    this.stopping = false;
    boss.on('error', (error) => this.log.error(`job queue: ${describeError(error)}`));
    // Workers starting at once would create pg-boss queues (partition tables) concurrently and
    // deadlock; they set up one after another instead.
    await oneAtATime(url, () => this.setUp(boss));
    await this.listen(url);
  }

  /** Starts pg-boss and registers the schedules and handlers. */
  private async setUp(boss: PgBoss): Promise<void> {
    await boss.start();
    this.boss = boss;
    await boss.createQueue(JOB.DISPATCH, { name: JOB.DISPATCH, policy: 'stately' });
    await boss.schedule(JOB.DISPATCH, DISPATCH_CRON);
    await boss.work(JOB.DISPATCH, { pollingIntervalSeconds: 1 }, async () => {
      const result = await this.dispatcher.dispatch(new Date());
      if (result.published || result.delivered || result.failed || result.dead)
        this.log.log(`outbox: ${JSON.stringify(result)}`);
    });
    if (this.referrals) {
      const schedule = this.referrals;
      const jobs: Array<[string, (now: Date) => Promise<number>]> = [
        [JOB.FLAG_OVERDUE, (now) => schedule.flagOverdue(now)],
        [JOB.SEND_REMINDERS, (now) => schedule.sendReminders(now)],
        [JOB.EXPIRE_UNANSWERED, (now) => schedule.expireUnanswered(now)],
      ];
      for (const [name, run] of jobs) {
        await boss.createQueue(name, { name, policy: 'singleton' });
        await boss.schedule(name, this.config.REFERRAL_SCHEDULE_CRON);
        await boss.work(name, async () => {
          const n = await run(new Date());
          if (n) this.log.log(`${name}: ${n} referrals`);
        });
      }
    }
    if (this.likelyEligible) {
      const likelyEligible = this.likelyEligible;
      await boss.createQueue(JOB.LIKELY_ELIGIBLE_REFRESH, {
        name: JOB.LIKELY_ELIGIBLE_REFRESH,
        policy: 'singleton',
      });
      await boss.schedule(JOB.LIKELY_ELIGIBLE_REFRESH, LIKELY_ELIGIBLE_CRON);
      await boss.work(JOB.LIKELY_ELIGIBLE_REFRESH, async () => {
        this.log.log(`likely eligible counted: ${JSON.stringify(await likelyEligible.refresh())}`);
      });
    }
    if (this.statistics) {
      const statistics = this.statistics;
      // singleton: one refresh at a time across workers; the refresh's advisory lock covers the rest.
      await boss.createQueue(JOB.STATISTICS_REFRESH, { name: JOB.STATISTICS_REFRESH, policy: 'singleton' });
      await boss.schedule(JOB.STATISTICS_REFRESH, STATISTICS_CRON);
      await boss.work(JOB.STATISTICS_REFRESH, async () => {
        const started = Date.now();
        const results = await statistics.refresh();
        // A step of its own after the registry's tables, once a minute (docs/statistics.md, "ESF+ participant indicators").
        if (this.esf) results.push(await this.esf.refresh());
        this.log.debug?.(`statistics refreshed: ${JSON.stringify(results)}`);
        if (await this.pause(STATISTICS_SECOND_RUN_MS - (Date.now() - started)))
          this.log.debug?.(`statistics refreshed: ${JSON.stringify(await statistics.refresh())}`);
      });
    }
    if (this.imports && this.importSchedule) await this.startImports(boss, this.imports, this.importSchedule);
  }

  private async listen(url: string): Promise<void> {
    // A commit that wrote outbox events notifies; wake a dispatch (deduplicated by the queue). An
    // import queued or finished notifies mitroa_import: hand the next imports to the queue.
    const listener = new pg.Client({ connectionString: url });
    listener.on('error', (error) => this.log.error(`outbox listener: ${describeError(error)}`));
    await listener.connect();
    listener.on(
      'notification',
      (n) => void (n.channel === 'mitroa_import' ? this.sweepImports() : this.wake()),
    );
    await listener.query('LISTEN mitroa_outbox; LISTEN mitroa_import');
    this.listener = listener;
    await this.wake();
    await this.sweepImports();
  }

  /**
   * Imports (docs/imports.md, "Pipeline"): `import-run` jobs carry an import job's id, at most one
   * queued per import (policy short, singletonKey = the id). One import per feed runs at a time by
   * the run's own advisory lock on its feed, not by a pg-boss singleton: a killed worker's pg-boss job
   * stays active until it expires, while its lock goes with its connection, so the next sweep resumes
   * the import at once. A run that finds its feed busy ends; the import is swept again when the
   * running one finishes (it notifies) or within a minute.
   */
  private async startImports(boss: PgBoss, runner: ImportRunner, schedule: ImportSchedule): Promise<void> {
    await boss.createQueue(JOB.IMPORT_RUN, {
      name: JOB.IMPORT_RUN,
      policy: 'short',
      retryLimit: 0,
      expireInSeconds: 6 * 3600,
    });
    await boss.work<{ importId: string }>(JOB.IMPORT_RUN, { pollingIntervalSeconds: 1 }, async ([job]) => {
      if (!job) return;
      const outcome = await runner.run(job.data.importId);
      this.log.log(`import ${job.data.importId}: ${outcome}`);
    });
    await boss.createQueue(JOB.IMPORT_SWEEP, { name: JOB.IMPORT_SWEEP, policy: 'stately' });
    await boss.schedule(JOB.IMPORT_SWEEP, IMPORT_SWEEP_CRON);
    await boss.work(JOB.IMPORT_SWEEP, async () => this.sweepImports());
    await boss.createQueue(JOB.IMPORT_PURGE, { name: JOB.IMPORT_PURGE, policy: 'singleton' });
    await boss.schedule(JOB.IMPORT_PURGE, IMPORT_PURGE_CRON);
    await boss.work(JOB.IMPORT_PURGE, async () => {
      const purged = await schedule.purge(new Date());
      if (purged.problems || purged.files) this.log.log(`import retention: ${JSON.stringify(purged)}`);
    });
  }

  /** Hands the oldest unfinished import of each feed to the queue. */
  async sweepImports(): Promise<void> {
    if (!this.boss || !this.importSchedule) return;
    try {
      for (const pending of await this.importSchedule.pending())
        await this.boss.send(JOB.IMPORT_RUN, { importId: pending.id }, { singletonKey: pending.id });
    } catch (error) {
      this.log.error(`import sweep: ${describeError(error)}`);
    }
  }

  /** Queues a dispatch now (at most one waits; see the stately policy). */
  async wake(): Promise<void> {
    await this.boss?.send(JOB.DISPATCH, {}).catch((error: unknown) => this.log.error(describeError(error)));
  }

  /** Waits `ms` unless the worker stops meanwhile; true when it waited the whole time. */
  private pause(ms: number): Promise<boolean> {
    if (ms <= 0 || this.stopping) return Promise.resolve(!this.stopping);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeFromPause.delete(wake);
        resolve(!this.stopping);
      }, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
      this.wakeFromPause.add(wake);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeFromPause) wake();
    this.wakeFromPause.clear();
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    await this.boss?.stop({ graceful: true, timeout: 10_000 });
    this.boss = undefined;
  }

  /**
   * Before the HTTP server and the pools close (Nest calls every beforeApplicationShutdown first):
   * running jobs finish and record their outcome while the database is still there.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
