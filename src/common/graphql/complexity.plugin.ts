import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Cost of a field: 1 plus its children, and for a paginated list its children times the page size
 * asked for (`first`, else the default page size), so `people(first: 100) { households(first: 100) }`
 * costs what it would really cost. A page above the cap is costed at the cap: validation refuses it
 * with a clearer message.
 */
export function pageAwareEstimator(defaultPageSize: number, maxPageSize: number): ComplexityEstimator {
  return ({ args, childComplexity, field }) => {
    const isConnection = field.type.toString().replace(/!$/, '').endsWith('Connection');
    const first =
      typeof args.first === 'number' ? Math.min(args.first, maxPageSize) : isConnection ? defaultPageSize : 1;
    return 1 + childComplexity * Math.max(1, first);
  };
}

/** Refuses an operation whose estimated cost exceeds the limit, before it runs. */
export function complexityPlugin(
  getSchema: () => GraphQLSchema,
  maxCost: number,
  page: { defaultSize: number; maxSize: number },
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          // No operation to cost: Apollo refuses an unknown operationName (OPERATION_RESOLUTION_FAILURE),
          // validation a subscription.
          if (!operation || operation.operation === 'subscription') return;
          let cost: number;
          try {
            cost = getComplexity({
              schema: getSchema(),
              query: document,
              operationName: request.operationName,
              variables: request.variables ?? {},
              estimators: [pageAwareEstimator(page.defaultSize, page.maxSize)],
            });
          } catch (error) {
            // Costing coerces the variables before Apollo does; a bad variable is the client's error.
            if (!(error instanceof GraphQLError)) throw error;
            throw new GraphQLError(error.message, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          if (cost > maxCost) {
            throw new GraphQLError(
              `The query is too costly: estimated cost ${cost}, the limit is ${maxCost}. Ask for fewer fields or smaller pages.`,
              { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
