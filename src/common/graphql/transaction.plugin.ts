import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { TransactionService } from '../../database/transaction.service.js';
import { HTTP_STATUS_OF_KIND, RateLimitError, ServiceUnavailableError } from '../domain-error.js';
import type { GqlContext } from './gql-context.js';
import type { Admission } from './rate-limit.js';

/**
 * Wraps each GraphQL operation, field resolvers included, in one transaction on one connection: a
 * mutation with any error rolls back as a whole; a query commits (it only writes audit rows). It
 * opens once the operation is resolved, so a document refused by parsing, validation or limits
 * never holds a connection; such a refusal still leaves its audit row. A query's transaction is
 * READ ONLY and its audit rows are group-committed after it (AuditBatch), before the answer is sent. Before it opens, the
 * operation is charged to the caller's rate limit (`admission`, on a connection of its own, given
 * back first). When no connection is free the operation is refused at once with 503 SERVICE_BUSY.
 */
export function transactionPlugin(
  tx: TransactionService,
  admission?: Admission,
): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      // Apollo runs every plugin's didResolveOperation at once: when another one refuses the
      // operation, willSendResponse can come while begin is still under way, and must wait for it
      // so that the connection is released and the refusal recorded.
      let opening: Promise<void> | undefined;
      let admitting = false;
      return {
        async didResolveOperation(rc) {
          const { contextValue, operation, schema } = rc;
          const ctx = contextValue.req.ctx;
          if (!ctx) return;
          admitting = true;
          try {
            // The rate limit takes its connection and gives it back before begin takes the request's one.
            opening = (async () => {
              await admission?.admit(rc);
              await tx.begin(ctx, {
                lagTolerant: isLagTolerant(operation, schema),
                readOnly: operation?.operation === 'query',
              });
            })();
            await opening;
          } catch (error) {
            if (!(error instanceof ServiceUnavailableError || error instanceof RateLimitError)) throw error;
            rc.contextValue.res.setHeader('Retry-After', String(error.retryAfterSeconds));
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, http: { status: HTTP_STATUS_OF_KIND[error.kind] } },
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
            if (!admitting) await admission?.refused(contextValue).catch(() => undefined);
            // Refused before execution. With the pool exhausted there is no connection to record it
            // on; a rate-limit refusal is not recorded, or each one would cost the write it spares.
            if (refusal && reason !== 'SERVICE_BUSY' && reason !== 'RATE_LIMITED')
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
                  message:
                    operation?.operation === 'query'
                      ? 'The read could not be recorded in the audit trail, so its answer is withheld. Try again.'
                      : 'The change could not be saved; nothing was written. Try again.',
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
