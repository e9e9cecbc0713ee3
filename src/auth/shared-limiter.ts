import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../common/domain-error.js';
import { isPoolTimeout, SecondConnectionError } from '../database/connection-budget.js';

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
 */
export class SharedLimiter {
  private static readonly logger = new Logger('RateLimit');
  private readonly store: PostgresLimiter;
  private readonly fallback: RateLimiterMemory;
  private lastWarning = 0;

  constructor(
    pool: pg.Pool,
    readonly policy: string,
    readonly points: number,
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
    const ms = this.store.getInMemoryBlockMsBeforeExpire(this.store.getKey(key));
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  /** Spends `points` of `key`'s window. Throws ServiceUnavailableError when no connection is free. */
  async charge(key: string, points: number): Promise<LimitState> {
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
