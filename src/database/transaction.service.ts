import { Inject, Injectable, Optional } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AuditBatch } from '../audit/audit-batch.js';
import { auditInsertSql } from '../audit/audit-writer.js';
import type { RequestContext } from '../auth/request-context.js';
import type { AreaScope } from '../auth/area-scope.js';
import { domainErrorOfDatabase } from '../common/database-errors.js';
import { ServiceUnavailableError } from '../common/domain-error.js';
import { CallerShare } from './caller-share.js';
import { isPoolTimeout } from './connection-budget.js';
import { oneQueryAtATime } from './one-query-at-a-time.js';
import { ReadReplica } from './read-replica.js';
import { PREPARED_STATEMENTS } from './query-rows.js';

export interface BeginOptions {
  /** A public directory read that may go to the read replica (@LagTolerant). */
  lagTolerant?: boolean;
  /** Nothing is written but audit rows: READ ONLY, audited by the group commit. */
  readOnly?: boolean;
  /**
   * Only the audit rows of a request that already had its turn (a refusal, a read's rows without
   * the group commit): not held back by the caller's share, so that a refusal is never lost.
   */
  auditOnly?: boolean;
}

/** runner.data key: the transaction was opened READ ONLY. */
const READ_ONLY = 'mitroa:readOnly';
/** runner.data key: gives the caller's slot back (caller-share.ts). */
const SHARE_SLOT = 'mitroa:shareSlot';

/** Why a request was refused, for the audit row written when no service recorded a more specific one. */
export interface Refusal {
  /** What was attempted: `graphql.<root fields>` or `rest.<METHOD> <route pattern>` (never the raw URL). */
  action: string;
  /** The error code the caller got. */
  reason: string;
}

/**
 * The value of the `mitroa.area` setting that row-level security reads (migration
 * 1764100000000-row-security): `*` for the whole country, else the caller's municipality codes as
 * an array literal; an empty array (provider staff, no area) sees no one.
 */
export function areaSetting(scope: AreaScope): string {
  return scope.level === 'national' ? '*' : `{${scope.municipalityCodes.join(',')}}`;
}

/**
 * The entry point owns the transaction (rule 3): GraphQL operations, REST requests, CLI commands
 * and jobs each open one here, and services use `ctx.em`. Inside it the connection runs as the
 * application role, which can append to the audit trail but never change it, with the caller's
 * area set for row-level security.
 *
 * A request holds exactly one pool connection from begin to end (rule 15): a refusal's audit rows
 * are written on the same connection after the rollback, never on a second one.
 */
@Injectable()
export class TransactionService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ReadReplica) private readonly replica: ReadReplica = new ReadReplica(),
    @Optional() @Inject(AuditBatch) private readonly auditBatch?: AuditBatch,
  ) {
    this.share = new CallerShare(
      Math.min(config.DATABASE_CONNECTIONS_PER_CALLER, config.DATABASE_POOL_SIZE),
      config.DATABASE_POOL_TIMEOUT_MS,
    );
  }

  /** Each caller's share of the pool; jobs and the CLI (system actors) are not limited by it. */
  readonly share: CallerShare;

  /**
   * Opens the request's transaction on the primary, or on the read replica (when one is
   * configured) for a `lagTolerant` directory read. A request holds one or the other, never both.
   *
   * `readOnly` (a GraphQL query, a REST GET): the transaction is READ ONLY, so PostgreSQL refuses
   * any write in it, and its audit rows are written after it by the group commit (AuditBatch)
   * before the answer goes out.
   */
  async begin(ctx: RequestContext, options: BeginOptions = {}): Promise<void> {
    const source = (options.lagTolerant && this.replica.dataSource) || this.dataSource;
    const readOnly = Boolean(options.readOnly && this.auditBatch);
    const limited = !options.auditOnly && ctx.actor.kind !== 'system';
    const slot = limited ? await this.share.acquire(ctx.actor.id) : undefined;
    const runner = source.createQueryRunner();
    try {
      await runner.connect();
    } catch (error) {
      slot?.();
      await runner.release().catch(() => undefined);
      throw isPoolTimeout(error) ? new ServiceUnavailableError() : error;
    }
    oneQueryAtATime(runner);
    try {
      await this.open(runner, ctx, readOnly);
    } catch (error) {
      slot?.();
      await runner.release().catch(() => undefined);
      throw error;
    }
    runner.data = {
      ...runner.data,
      [SHARE_SLOT]: slot,
      [PREPARED_STATEMENTS]: this.config.DATABASE_PREPARED_STATEMENTS,
      [READ_ONLY]: readOnly,
    };
    ctx.bind(runner);
  }

  /**
   * Commits (or rolls back) and always writes the audit entries: a refusal is recorded even when
   * nothing else is. `refusal` adds a generic denied entry when the request failed and no service
   * recorded why.
   */
  async end(ctx: RequestContext, commit: boolean, refusal?: Refusal): Promise<void> {
    if (!ctx.inTransaction) return;
    const runner = ctx.em.queryRunner!;
    if (refusal) recordRefusal(ctx, refusal);
    if (runner.connection !== this.dataSource) return this.endOnReplica(ctx, runner);
    if (commit && (runner.data as Record<string, unknown>)[READ_ONLY]) return this.endReadOnly(ctx, runner);
    let broken: unknown;
    try {
      if (commit) {
        try {
          await this.commitWithAudit(runner, ctx);
        } catch (error) {
          if (runner.isTransactionActive) await runner.rollbackTransaction();
          if (ctx.pendingAudit.length === 0)
            recordRefusal(ctx, { action: 'transaction', reason: 'TRANSACTION_FAILED' });
          await this.auditAfterRollback(runner, ctx);
          throw error;
        }
      } else {
        await runner.rollbackTransaction();
        await this.auditAfterRollback(runner, ctx);
      }
    } catch (error) {
      broken = error;
      throw error;
    } finally {
      ctx.bind(undefined);
      // A connection whose transaction could not end cleanly is discarded, not returned to the pool.
      await releaseRunner(runner, broken).catch(() => undefined);
    }
  }

  /**
   * Writes the audit row of a request refused before any transaction was opened (a GraphQL
   * document that failed validation, say), on one short-lived connection.
   */
  async auditRefusal(ctx: RequestContext, refusal: Refusal): Promise<void> {
    if (ctx.inTransaction) return;
    recordRefusal(ctx, refusal);
    await this.begin(ctx, { auditOnly: true });
    await this.end(ctx, true);
  }

  async run<T>(
    ctx: RequestContext,
    work: () => Promise<T>,
    action = 'request',
    options: BeginOptions = {},
  ): Promise<T> {
    await this.begin(ctx, options);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.end(ctx, false, { action, reason: errorCode(error) });
      throw error;
    }
    await this.end(ctx, true);
    return result;
  }

  /**
   * BEGIN and the request's settings in one round trip: a simple-protocol query of two statements,
   * which cannot carry parameters, so the values go in as literals escaped by pg's own
   * escapeLiteral (the role is a validated identifier, the area a list of validated codes).
   */
  private async open(runner: QueryRunner, ctx: RequestContext, readOnly = false): Promise<void> {
    const role = this.config.DATABASE_APP_ROLE;
    const scope = ctx.actor.scope;
    // Provider staff see the referrals addressed to their provider (migration 1764400000000-referrals).
    const provider = scope.level === 'provider' ? scope.providerId : '';
    const area = `set_config('mitroa.area', ${pg.escapeLiteral(areaSetting(scope))}, true), set_config('mitroa.provider', ${pg.escapeLiteral(provider)}, true)`;
    await runner.query(
      `BEGIN${readOnly ? ' READ ONLY' : ''}; SELECT ${role ? `set_config('role', ${pg.escapeLiteral(role)}, true), ` : ''}${area}`,
    );
    transactionState(runner, true);
  }

  /**
   * The request's audit rows and COMMIT in one round trip (the rows as one escaped JSON literal,
   * see auditInsertSql); the commit stays synchronous, so an acknowledged read has its audit row on
   * disk. The entries stay pending until the commit succeeded, so a failure can still record them.
   */
  private async commitWithAudit(runner: QueryRunner, ctx: RequestContext): Promise<void> {
    const insert = auditInsertSql(ctx);
    if (!insert) {
      await runner.commitTransaction();
      return;
    }
    await runner.query(`${insert}; COMMIT`);
    transactionState(runner, false);
    ctx.pendingAudit.splice(0);
  }

  /**
   * A read-only transaction commits (it wrote nothing) and its connection goes back; then its
   * audit rows are committed by the group commit, and only then does the caller answer. If they
   * cannot be written, this throws and the caller withholds the data it read.
   */
  private async endReadOnly(ctx: RequestContext, runner: QueryRunner): Promise<void> {
    const broken = await endAndRelease(ctx, runner, true);
    if (broken) {
      if (ctx.pendingAudit.length === 0)
        recordRefusal(ctx, { action: 'transaction', reason: 'TRANSACTION_FAILED' });
      await this.writeAfter(ctx).catch(() => undefined);
      throw broken;
    }
    await this.writeAfter(ctx);
  }

  /**
   * A replica transaction only read: it ends and its connection goes back before any audit entry
   * is written on the primary, so the request never holds two.
   */
  private async endOnReplica(ctx: RequestContext, runner: QueryRunner): Promise<void> {
    const broken = await endAndRelease(ctx, runner, false);
    await this.writeAfter(ctx);
    if (broken) throw broken;
  }

  /** The pending audit entries of a request whose connection has gone back to the pool. */
  private async writeAfter(ctx: RequestContext): Promise<void> {
    if (ctx.pendingAudit.length === 0) return;
    if (this.auditBatch) return this.auditBatch.write(ctx);
    await this.begin(ctx, { auditOnly: true });
    await this.end(ctx, true);
  }

  /** After a rollback the same connection writes the pending audit entries in a transaction of their own. */
  private async auditAfterRollback(runner: QueryRunner, ctx: RequestContext): Promise<void> {
    if (ctx.pendingAudit.length === 0) return;
    await this.open(runner, ctx);
    try {
      await this.commitWithAudit(runner, ctx);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
  }
}

function recordRefusal(ctx: RequestContext, refusal: Refusal): void {
  if (ctx.pendingAudit.some((e) => e.outcome === 'denied')) return;
  ctx.audit({ action: refusal.action, outcome: 'denied', reason: refusal.reason });
}

/** The code a client sees for an error: a domain error's code, an HTTP status, or INTERNAL. */
export function errorCode(thrown: unknown): string {
  const error = domainErrorOfDatabase(thrown) ?? thrown;
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; getStatus?: () => number };
    if (typeof e.getStatus === 'function') return `HTTP_${e.getStatus()}`;
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{2,60}$/.test(e.code)) return e.code;
  }
  return 'INTERNAL';
}

/**
 * Tells TypeORM's runner that a transaction began or ended by a statement it did not issue itself
 * (its startTransaction/commitTransaction send one round trip each), so that its own rollback and
 * release keep working.
 */
function transactionState(runner: QueryRunner, active: boolean): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = active;
  state.transactionDepth = active ? 1 : 0;
}

/**
 * Commits or rolls back a transaction that wrote nothing (read-only, or on the replica), unbinds it
 * from the request and gives the connection back (discarded if the end failed). Returns the error
 * of a failed end, for the caller to throw once the audit rows are written.
 */
async function endAndRelease(ctx: RequestContext, runner: QueryRunner, commit: boolean): Promise<unknown> {
  let broken: unknown;
  try {
    await (commit ? runner.commitTransaction() : runner.rollbackTransaction());
  } catch (error) {
    broken = error;
  } finally {
    ctx.bind(undefined);
    await releaseRunner(runner, broken).catch(() => undefined);
  }
  return broken;
}

/** Returns the connection to the pool, or has the pool discard it when `error` left it unusable. */
function releaseRunner(runner: QueryRunner, error?: unknown): Promise<void> {
  (runner.data as Record<string, (() => void) | undefined>)[SHARE_SLOT]?.();
  const postgres = runner as QueryRunner & { releasePostgresConnection?: (e?: Error) => Promise<void> };
  if (error instanceof Error && postgres.releasePostgresConnection)
    return postgres.releasePostgresConnection(error);
  return runner.release();
}
