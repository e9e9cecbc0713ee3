import type { ApolloServerPlugin } from '@apollo/server';
import type { TransactionService } from '../../database/transaction.service.js';
import type { GqlContext } from './gql-context.js';

/**
 * Wraps each GraphQL operation, field resolvers included, in one transaction: a mutation with any
 * error rolls back as a whole; a query commits (it only writes audit rows). It opens when execution
 * starts, so an operation refused by validation or limits never touches the database.
 */
export function transactionPlugin(tx: TransactionService): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue }) {
          if (contextValue.req.ctx) await tx.begin(contextValue.req.ctx);
        },
        async willSendResponse({ contextValue, operation, response }) {
          const ctx = contextValue.req.ctx;
          if (!ctx?.inTransaction) return;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const failed = (body?.errors?.length ?? 0) > 0;
          try {
            await tx.end(ctx, !(failed && operation?.operation === 'mutation'));
          } catch {
            if (body) {
              body.data = null;
              body.errors = [
                {
                  message: 'The change could not be saved; nothing was written. Try again.',
                  extensions: { code: 'TRANSACTION_FAILED' },
                },
              ];
            }
          }
        },
      };
    },
  };
}
