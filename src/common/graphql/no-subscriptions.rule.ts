import { GraphQLError, type ValidationContext, type ASTVisitor } from 'graphql';

/**
 * The service has no subscriptions: a subscription operation is refused while the document is
 * validated (400 GRAPHQL_VALIDATION_FAILED), where graphql-js would only fail it at execution (a
 * 500). graphql-js 17 has this rule built in (KnownOperationTypes).
 */
export function NoSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription' && !context.getSchema().getSubscriptionType())
        context.reportError(new GraphQLError('This service has no subscriptions.', { nodes: node }));
    },
  };
}
