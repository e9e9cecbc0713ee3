import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { RequestRateLimiter } from '../../auth/request-rate-limiter.js';
import type { OperationCost } from './complexity.plugin.js';
import type { GqlContext } from './gql-context.js';

/** What the transaction plugin asks before an operation opens its transaction. */
export interface Admission {
  /**
   * Runs before the operation's transaction opens, while the request holds no connection; refuses
   * with a DomainError (RATE_LIMITED, SERVICE_BUSY).
   */
  admit(rc: GraphQLRequestContextDidResolveOperation<GqlContext>): Promise<void>;
  /** A document refused before it became an operation (parse, validation) still spends a point. */
  refused(contextValue: GqlContext): Promise<void>;
}

/**
 * Charges a GraphQL operation its estimated cost in rate-limit points (RequestRateLimiter.pointsForCost):
 * `people(first: 100) { ... }` spends more than `regions { code }`. An operation refused as too
 * costly never runs and spends 1 point, as a refused document does.
 */
export function graphqlRateLimit(
  limiter: RequestRateLimiter,
  costOf: OperationCost,
  maxCost: number,
): Admission {
  return {
    async admit(rc) {
      const { req, res } = rc.contextValue;
      if (!req.ctx) return;
      const cost = costOf(rc);
      const points = cost === undefined || cost > maxCost ? 1 : limiter.pointsForCost(cost);
      await limiter.charge(req.ctx.actor, res, points);
    },
    async refused({ req, res }) {
      if (req.ctx) await limiter.charge(req.ctx.actor, res, 1);
    },
  };
}
