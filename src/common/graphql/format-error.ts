import { Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { domainErrorOfDatabase } from '../database-errors.js';
import { DomainError } from '../domain-error.js';

/**
 * Maps errors to what GraphQL clients see (rule 4): a domain error gives its code, message and
 * field problems (a violated constraint of a known name counts as its domain error, see
 * database-errors.ts); Apollo's own errors (syntax, validation, limits) keep their code; anything else
 * becomes INTERNAL_SERVER_ERROR with no message or stack that could leak internals.
 */
const logger = new Logger('GraphQL');

const SUGGESTION = / ?Did you mean [^?]*\?/g;
// A value GraphQL quotes back ("got invalid value ...") is cut, so a 900 KB id is not echoed whole.
const LONG_QUOTED = /"((?:[^"\\]|\\.){80})(?:[^"\\]|\\.)+"/g;

/** GraphQL's own message, with long echoed values cut and, in production, no suggestions. */
function clean(message: string, production: boolean): string {
  const cut = message.replace(LONG_QUOTED, '"$1…"');
  return production ? cut.replace(SUGGESTION, '') : cut;
}

/**
 * The formatter of the service; in production no message suggests a field or enum value ("Did you
 * mean ROMA?"), whichever check produced it.
 */
export function graphqlErrorFormatter(
  production: boolean,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const result = formatGraphqlError(formatted, error);
    return { ...result, message: clean(result.message, production) };
  };
}

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
  // graphql-js's own verdict on the request, raised outside any resolver and wrapping nothing (e.g.
  // "Too many errors processing variables"): the client's input, not our failure.
  if (original instanceof GraphQLError && !original.originalError && !original.path) {
    return { message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  logger.error({ err: original, path: formatted.path }, 'unhandled GraphQL error');
  return {
    message: 'Something went wrong on our side.',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
