import {
  HeaderMap,
  type ApolloServerPlugin,
  type BaseContext,
  type GraphQLRequestContextDidResolveOperation,
} from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Cost of a field: its own cost plus its children, and for a paginated list its children times the
 * page size asked for (`first`, else the default page size), so `people(first: 100) { households(first: 100) }`
 * costs what it would really cost. A page above the cap is costed at the cap: validation refuses it
 * with a clearer message. A field's own cost is 1, or the `complexity` it declares
 * (`@ResolveField(..., { complexity })`): a field that does real work for each parent (evaluating
 * every programme's rules for a person) costs that work, or a page of people asking for it passes
 * as cheap while it holds a connection for seconds.
 */
export function pageAwareEstimator(defaultPageSize: number, maxPageSize: number): ComplexityEstimator {
  return ({ args, childComplexity, field }) => {
    const isConnection = field.type.toString().replace(/!$/, '').endsWith('Connection');
    const first =
      typeof args.first === 'number' ? Math.min(args.first, maxPageSize) : isConnection ? defaultPageSize : 1;
    const declared = field.extensions?.complexity;
    const own = typeof declared === 'number' && declared > 1 ? declared : 1;
    return own + childComplexity * Math.max(1, first);
  };
}

/** The estimated cost of a request's operation, or undefined when it has none to cost. */
export type OperationCost = (rc: GraphQLRequestContextDidResolveOperation<BaseContext>) => number | undefined;

/**
 * Costs operations with the page-aware estimator, once per request: the complexity limit and the
 * rate limit (rate-limit.ts) both ask, in hooks Apollo runs in parallel.
 */
export function operationCoster(
  getSchema: () => GraphQLSchema,
  page: { defaultSize: number; maxSize: number },
): OperationCost {
  const known = new WeakMap<object, number | undefined>();
  return (rc) => {
    if (known.has(rc.request)) return known.get(rc.request);
    let cost: number | undefined;
    // No operation to cost: Apollo refuses an unknown operationName (OPERATION_RESOLUTION_FAILURE),
    // validation a subscription.
    if (rc.operation && rc.operation.operation !== 'subscription') {
      try {
        cost = getComplexity({
          schema: getSchema(),
          query: rc.document,
          operationName: rc.request.operationName,
          variables: rc.request.variables ?? {},
          estimators: [pageAwareEstimator(page.defaultSize, page.maxSize)],
        });
      } catch (error) {
        // Variables that cannot be coerced: execution refuses them as BAD_USER_INPUT itself.
        if (!(error instanceof GraphQLError)) throw error;
      }
    }
    known.set(rc.request, cost);
    return cost;
  };
}

/**
 * Refuses an operation whose estimated cost exceeds the limit, before it runs. The cost is computed
 * once the operation is resolved, and the refusal is answered from `responseForOperation`: throwing
 * from `didResolveOperation` would race the transaction plugin's begin in the same hook (Apollo runs
 * those in parallel), while `responseForOperation` comes after it, so the refusal is rolled back and
 * audited like any other.
 */
export function complexityPlugin(costOf: OperationCost, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      let refusal: GraphQLFormattedError | undefined;
      return {
        async didResolveOperation(rc) {
          const cost = costOf(rc);
          if (cost !== undefined && cost > maxCost)
            refusal = {
              message: `The query is too costly: estimated cost ${cost}, the limit is ${maxCost}. Ask for fewer fields or smaller pages.`,
              extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost },
            };
        },
        async responseForOperation() {
          if (!refusal) return null;
          return {
            http: { status: 400, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { errors: [refusal] } },
          };
        },
      };
    },
  };
}
