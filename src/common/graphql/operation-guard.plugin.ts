import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Refuses, as the client's error (400), a request whose operation cannot run: an `operationName`
 * that names no operation of the document, or a subscription (the service has none). Left to
 * graphql-js, both surfaced as a 500.
 */
export function operationGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, operation }) {
          if (!operation)
            throw new GraphQLError(
              request.operationName
                ? 'operationName names no operation of the document.'
                : 'The document holds several operations: send the operationName of one.',
              { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
            );
          if (operation.operation === 'subscription')
            throw new GraphQLError('This service has no subscriptions.', {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
        },
      };
    },
  };
}
