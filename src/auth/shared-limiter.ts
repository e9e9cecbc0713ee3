import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../common/domain-error.js';
import {
  isPoolTimeout,
  outsideConnectionBudget,
  SecondConnectionError,
} from '../database/connection-budget.js';

export const RATE_LIMIT_WINDOW_SECONDS = 60;

/** Where a key stands after a charge, for the RateLimit headers and the 429. */
export interface LimitState {
  allowed: boolean;
  /** The policy's name in the RateLimit headers: `user`, `api-key`, `auth-failures`. */
  policy: string;
  limit: number;
  remaining: number;
  /** Seconds until the window ends, at least 1. */
  resetSeconds: number;
}

/** A key's count as this process knows it, when charges are written in batches (`flushMs` > 0). */
interface Tally {
  /** Points charged here and not yet added to the shared count. */
  pending: number;
  /** Points being added by the write under way (in neither `pending` nor `shared` until it returns). */
  writing: number;
  /** The shared count (every replica's points) at this process's last write. */
  shared: number;
  /** When the shared window ends (epoch ms); 0 before the first write. */
  windowEnd: number;
  /** Refused without a query until then (epoch ms): the key spent its points. */
  blockedUntil: number;
}

/** What RateLimiterPostgres does but does not declare. */
interface PostgresLimiter extends RateLimiterPostgres {
  getInMemoryBlockMsBeforeExpire(rlKey: string): number;
  clearExpired(expire: number): Promise<void>;
}

/**
 * Points per key in a fixed one-minute window, counted in PostgreSQL's rate_limit table (migration
 * 1764200000002) so that every replica adds to one count: rate-limiter-flexible's
 * RateLimiterPostgres, one upsert (a named prepared statement) per charge, on a pool connection
 * held for that statement only. Callers charge before a request opens its transaction, so a
 * request never holds two connections (rule 15).
 *
 * A key that reaches its limit is refused by this process without a query for the rest of its
 * window; another replica learns it at the key's next charge there, so a key gets at most one
 * charge past its limit per replica.
 *
 * When the counter cannot be reached:
 * - no free pool connection: 503 SERVICE_BUSY at once, the answer the request would get anyway (it
 *   needs a connection too), rather than waiting for the pool a second time;
 * - any other failure (database unreachable, statement error): fails open to a count in this
 *   process with the same limit, logged at most once a minute. An outage of the counter neither
 *   stops the service nor lifts every limit; with N replicas a key may spend up to N times its
 *   points until the table is back.
 *
 * With `flushMs` > 0 (the request limiter, RATE_LIMIT_FLUSH_MS) a charge that leaves the key well
 * under its limit is counted here and added to the shared count with every other key's in one
 * statement at most `flushMs` later, instead of one upsert per request; a charge that would reach
 * the limit by this process's count writes at once and is judged by the shared count. So a key
 * can overshoot by what other replicas counted but had not yet written (at most `flushMs` of its
 * traffic per replica), and a request under its limit costs no round trip.
 */
export class SharedLimiter {
  private static readonly logger = new Logger('RateLimit');
  private readonly store: PostgresLimiter;
  private readonly fallback: RateLimiterMemory;
  private lastWarning = 0;
  private readonly tallies = new Map<string, Tally>();
  /** The write under way (one at a time), and whether another is scheduled. */
  private writeChain: Promise<void> = Promise.resolve();
  private scheduled?: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    readonly policy: string,
    readonly points: number,
    private readonly flushMs = 0,
  ) {
    const options = { keyPrefix: policy, points, duration: RATE_LIMIT_WINDOW_SECONDS };
    this.store = new RateLimiterPostgres({
      ...options,
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limit',
      tableCreated: true,
      clearExpiredByTimeout: false,
      inMemoryBlockOnConsumed: points,
    } as ConstructorParameters<typeof RateLimiterPostgres>[0]) as PostgresLimiter;
    this.fallback = new RateLimiterMemory(options);
  }

  /** Seconds this process already knows `key` must wait, found without a query; 0 when it may try. */
  blockedSeconds(key: string): number {
    if (this.flushMs > 0) {
      const wait = (this.tallies.get(key)?.blockedUntil ?? 0) - Date.now();
      return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
    }
    const ms = this.store.getInMemoryBlockMsBeforeExpire(this.store.getKey(key));
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  /** Spends `points` of `key`'s window. Throws ServiceUnavailableError when no connection is free. */
  async charge(key: string, points: number): Promise<LimitState> {
    if (this.flushMs > 0) return this.chargeInBatch(key, points);
    try {
      return this.stateOf(await this.store.consume(key, points), true);
    } catch (thrown) {
      if (thrown instanceof RateLimiterRes) return this.stateOf(thrown, false);
      if (isPoolTimeout(thrown)) throw new ServiceUnavailableError();
      if (thrown instanceof SecondConnectionError) throw thrown;
      this.warn(thrown);
      try {
        return this.stateOf(await this.fallback.consume(key, points), true);
      } catch (refused) {
        if (refused instanceof RateLimiterRes) return this.stateOf(refused, false);
        throw refused;
      }
    }
  }

  /** Counts here while well under the limit; near it, writes everything pending and judges by the shared count. */
  private async chargeInBatch(key: string, points: number): Promise<LimitState> {
    const now = Date.now();
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { pending: 0, writing: 0, shared: 0, windowEnd: 0, blockedUntil: 0 };
      this.tallies.set(key, tally);
    } else if (tally.windowEnd > 0 && tally.windowEnd <= now) {
      // The shared window ended: the next write starts the key's count afresh.
      Object.assign(tally, { shared: 0, windowEnd: 0, blockedUntil: 0 });
    }
    tally.pending += points;
    const spentOf = (t: Tally) => t.shared + t.writing + t.pending;
    if (spentOf(tally) >= this.points) await this.write();
    else this.schedule();
    const spent = spentOf(tally);
    const allowed = spent <= this.points;
    const windowEnd = tally.windowEnd || now + RATE_LIMIT_WINDOW_SECONDS * 1000;
    if (!allowed) tally.blockedUntil = windowEnd;
    return {
      allowed,
      policy: this.policy,
      limit: this.points,
      remaining: Math.max(0, this.points - spent),
      resetSeconds: Math.max(1, Math.ceil((windowEnd - Date.now()) / 1000)),
    };
  }

  private schedule(): void {
    if (this.scheduled) return;
    // Outside the request's connection budget: the write takes a connection of its own, later.
    this.scheduled = outsideConnectionBudget(() =>
      setTimeout(() => {
        this.scheduled = undefined;
        void this.write();
      }, this.flushMs).unref(),
    );
  }

  /** Adds every key's pending points to the shared count in one statement (one write at a time). */
  private write(): Promise<void> {
    this.writeChain = this.writeChain.then(() => this.writePending());
    return this.writeChain;
  }

  private async writePending(): Promise<void> {
    const now = Date.now();
    for (const [key, t] of this.tallies)
      if (t.pending === 0 && t.writing === 0 && t.windowEnd > 0 && t.windowEnd <= now)
        this.tallies.delete(key);
    const batch = [...this.tallies]
      .filter(([, t]) => t.pending > 0)
      .map(([key, t]) => ({ key, t, points: t.pending }));
    if (batch.length === 0) return;
    for (const b of batch) {
      b.t.pending -= b.points;
      b.t.writing += b.points;
    }
    try {
      const { rows } = await this.pool.query<{ key: string; points: number; expire: string }>({
        name: 'mitroa-rate-limit-batch',
        text: `INSERT INTO rate_limit AS r (key, points, expire)
               SELECT k, p, $3::bigint FROM unnest($1::text[], $2::int[]) AS t(k, p)
               ON CONFLICT (key) DO UPDATE SET
                 points = CASE WHEN r.expire <= $4 THEN excluded.points ELSE r.points + excluded.points END,
                 expire = CASE WHEN r.expire <= $4 THEN excluded.expire ELSE r.expire END
               RETURNING key, points, expire`,
        values: [
          batch.map((b) => this.store.getKey(b.key)),
          batch.map((b) => b.points),
          now + RATE_LIMIT_WINDOW_SECONDS * 1000,
          now,
        ],
      });
      const byKey = new Map(rows.map((r) => [r.key, r]));
      for (const b of batch) {
        const row = byKey.get(this.store.getKey(b.key));
        b.t.writing -= b.points;
        if (!row) continue;
        b.t.shared = row.points;
        b.t.windowEnd = Number(row.expire);
      }
    } catch (error) {
      // Still counted here, against the same limit, and written with the next batch.
      for (const b of batch) {
        b.t.writing -= b.points;
        b.t.pending += b.points;
      }
      if (isPoolTimeout(error) || error instanceof SecondConnectionError) return;
      this.warn(error);
    }
  }

  /** Deletes the counters of windows that ended before `before` (epoch ms): any key's, not only this policy's. */
  clearExpired(before: number): Promise<void> {
    return this.store.clearExpired(before);
  }

  private stateOf(res: RateLimiterRes, allowed: boolean): LimitState {
    return {
      allowed,
      policy: this.policy,
      limit: this.points,
      remaining: res.remainingPoints,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    SharedLimiter.logger.warn(
      { err: error, policy: this.policy },
      'rate-limit counter unreachable: counting in this process until it is back',
    );
  }
}
