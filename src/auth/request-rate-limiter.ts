import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { DomainError, RateLimitError } from '../common/domain-error.js';
import { sendError } from '../common/http-errors.js';
import { AppConfig } from '../config/app-config.js';
import { poolOf } from '../database/data-source.js';
import type { Actor } from './actor.js';
import { RATE_LIMIT_WINDOW_SECONDS, SharedLimiter, type LimitState } from './shared-limiter.js';

/**
 * The request rate limit: points per caller per minute, shared across replicas (SharedLimiter). The
 * caller is the authenticated actor (a token's subject, an API key), never an address: requests are
 * authenticated first, and failed authentications have their own per-address limit
 * (FailedAuthLimiter). People and API keys have limits of their own (RATE_LIMIT_POINTS_PER_MINUTE,
 * RATE_LIMIT_API_KEY_POINTS_PER_MINUTE). A REST request costs 1 point; a GraphQL operation its
 * estimated cost per RATE_LIMIT_GRAPHQL_COST_PER_POINT (common/graphql/rate-limit.ts).
 */
@Injectable()
export class RequestRateLimiter implements OnModuleDestroy {
  private readonly people: SharedLimiter;
  private readonly apiKeys: SharedLimiter;
  private readonly costPerPoint: number;
  private readonly sweep: NodeJS.Timeout;

  constructor(dataSource: DataSource, @Inject(AppConfig) config: AppConfig) {
    const pool = poolOf(dataSource);
    const flushMs = config.RATE_LIMIT_FLUSH_MS;
    this.people = new SharedLimiter(pool, 'user', config.RATE_LIMIT_POINTS_PER_MINUTE, flushMs);
    this.apiKeys = new SharedLimiter(pool, 'api-key', config.RATE_LIMIT_API_KEY_POINTS_PER_MINUTE, flushMs);
    this.costPerPoint = config.RATE_LIMIT_GRAPHQL_COST_PER_POINT;
    // A counter whose window ended is dead weight (the key's next charge starts it afresh).
    this.sweep = setInterval(() => void this.people.clearExpired(Date.now()), 5 * 60_000).unref();
  }

  /** Points for a GraphQL operation of estimated cost `cost`: one per RATE_LIMIT_GRAPHQL_COST_PER_POINT, at least 1. */
  pointsForCost(cost: number): number {
    return Math.max(1, Math.ceil(cost / this.costPerPoint));
  }

  /**
   * Spends `points` of the caller's window and sets the RateLimit headers on `res`. Throws
   * RateLimitError when the window is spent, ServiceUnavailableError when no connection is free.
   * Call it before the request opens its transaction: it takes a pool connection for one statement.
   */
  async charge(actor: Actor, res: Response, points: number): Promise<void> {
    const state = await this.limiterOf(actor).charge(actor.id, points);
    setRateLimitHeaders(res, state);
    if (!state.allowed) throw new RateLimitError(state.resetSeconds);
  }

  /**
   * REST: every request under /api/v1 spends 1 point, before Nest's interceptor opens its transaction.
   * GraphQL (`gateOnly`): the cost is known only once the document is parsed, so the charge comes
   * later (transaction plugin); here a caller this process already knows to be over its limit is
   * refused without a query, before its document is even parsed.
   */
  middleware(gateOnly: boolean) {
    return (req: Request, res: Response, next: NextFunction): void => {
      const actor = req.ctx!.actor;
      const limiter = this.limiterOf(actor);
      const wait = limiter.blockedSeconds(actor.id);
      if (wait > 0) {
        const state = {
          allowed: false,
          policy: limiter.policy,
          limit: limiter.points,
          remaining: 0,
          resetSeconds: wait,
        };
        setRateLimitHeaders(res, state);
        return sendError(req, res, new RateLimitError(wait));
      }
      if (gateOnly) return next();
      this.charge(actor, res, 1).then(
        () => next(),
        (error: unknown) => (error instanceof DomainError ? sendError(req, res, error) : next(error)),
      );
    };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  private limiterOf(actor: Actor): SharedLimiter {
    return actor.kind === 'api_key' ? this.apiKeys : this.people;
  }
}

/**
 * The RateLimit and RateLimit-Policy fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-08,
 * as express-rate-limit's `draft-8`), and Retry-After when refused.
 */
function setRateLimitHeaders(res: Response, state: LimitState): void {
  if (res.headersSent) return;
  res.setHeader('RateLimit-Policy', `"${state.policy}";q=${state.limit};w=${RATE_LIMIT_WINDOW_SECONDS}`);
  res.setHeader('RateLimit', `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`);
  if (!state.allowed) res.setHeader('Retry-After', String(state.resetSeconds));
}
