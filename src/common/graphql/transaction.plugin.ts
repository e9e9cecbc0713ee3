import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { TransactionService } from '../../database/transaction.service.js';
import { ServiceUnavailableError } from '../domain-error.js';
import type { GqlContext } from './gql-context.js';

/**
 * Wraps each GraphQL operation, field resolvers included, in one transaction on one connection: a
 * mutation with any error rolls back as a whole; a query commits (it only writes audit rows). It
 * opens once the operation is resolved, so a document refused by parsing, validation or limits
 * never holds a connection; such a refusal still leaves its audit row. When no connection is free
 * the operation is refused at once with 503 SERVICE_BUSY.
 */
export function transactionPlugin(tx: TransactionService): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      // Apollo runs every plugin's didResolveOperation at once: when another one refuses the
      // operation, willSendResponse can come while begin is still under way, and must wait for it
      // so that the connection is released and the refusal recorded.
      let opening: Promise<void> | undefined;
      return {
        async didResolveOperation({ contextValue, operation, schema }) {
          const ctx = contextValue.req.ctx;
          if (!ctx) return;
          try {
            opening = tx.begin(ctx, { lagTolerant: isLagTolerant(operation, schema) });
            await opening;
          } catch (error) {
            if (!(error instanceof ServiceUnavailableError)) throw error;
            contextValue.res.setHeader('Retry-After', String(error.retryAfterSeconds));
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, http: { status: 503 } },
            });
          }
        },
        async willSendResponse({ contextValue, operation, response }) {
          const ctx = contextValue.req.ctx;
          if (!ctx) return;
          await opening?.catch(() => undefined);
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const firstError = body?.errors?.[0];
          const reason = firstError ? String(firstError.extensions?.code ?? 'GRAPHQL_ERROR') : undefined;
          const refusal = reason ? { action: actionOf(operation), reason } : undefined;
          if (!ctx.inTransaction) {
            // Refused before execution; with the pool exhausted there is no connection to record it on.
            if (refusal && reason !== 'SERVICE_BUSY')
              await tx.auditRefusal(ctx, refusal).catch(() => undefined);
            return;
          }
          try {
            await tx.end(ctx, !(refusal && operation?.operation === 'mutation'), refusal);
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

/** A query whose every root field is a @LagTolerant directory read (fragments at the root: no). */
function isLagTolerant(operation: OperationDefinitionNode | undefined, schema: GraphQLSchema): boolean {
  if (operation?.operation !== 'query') return false;
  const fields = schema.getQueryType()?.getFields() ?? {};
  return operation.selectionSet.selections.every(
    (s) =>
      s.kind === Kind.FIELD &&
      (s.name.value === '__typename' || fields[s.name.value]?.extensions?.lagTolerant === true),
  );
}

/** `graphql.<root fields>` of the operation, for the audit trail; never anything the client typed freely. */
function actionOf(operation: OperationDefinitionNode | undefined): string {
  if (!operation) return 'graphql.document';
  const fields = operation.selectionSet.selections
    .filter((s) => s.kind === Kind.FIELD)
    .map((s) => s.name.value)
    .filter((name) => !name.startsWith('__'));
  return `graphql.${fields.join(',') || operation.operation}`;
}
