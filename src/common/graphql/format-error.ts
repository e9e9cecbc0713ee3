import { Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { domainErrorOfDatabase } from '../database-errors.js';
import { DomainError } from '../domain-error.js';

/**
 * Maps errors to what GraphQL clients see (rule 4): a domain error gives its code, message and
 * field problems (a violated constraint of a known name counts as its domain error, see
 * database-errors.ts); Apollo's own errors (syntax, validation, limits) keep their code; anything else
 * becomes INTERNAL_SERVER_ERROR with no message or stack that could leak internals.
 */
const logger = new Logger('GraphQL');

export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  const original = domainErrorOfDatabase(unwrapped) ?? unwrapped;
  if (original instanceof DomainError) {
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: original.code, ...(original.fields.length ? { fields: original.fields } : {}) },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error({ err: original, path: formatted.path }, 'unhandled GraphQL error');
  return {
    message: 'Something went wrong on our side.',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
