import type { Request, Response } from 'express';
import { DomainError, HTTP_STATUS_OF_KIND } from './domain-error.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: Array<{ field: string; reason: string; line?: number }>;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** An RFC 9457 problem document for a domain error. */
export function problemOf(error: DomainError, req: Request): ProblemDetails {
  const status = HTTP_STATUS_OF_KIND[error.kind];
  return {
    type: `/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: error.message,
    instance: req.originalUrl.split('?')[0],
    code: error.code,
    requestId: req.id ? String(req.id) : undefined,
    ...(error.fields.length ? { errors: error.fields } : {}),
  };
}

export function genericProblem(status: number, code: string, detail: string, req: Request): ProblemDetails {
  return {
    type: status >= 500 ? 'about:blank' : `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: req.originalUrl.split('?')[0],
    code,
    requestId: req.id ? String(req.id) : undefined,
  };
}

/**
 * Sends an error in the shape the caller's transport expects: a GraphQL error list on /graphql,
 * problem+json elsewhere. Used before Nest's own filters run (authentication).
 */
export function sendError(req: Request, res: Response, error: DomainError): void {
  const status = HTTP_STATUS_OF_KIND[error.kind];
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
  if (req.originalUrl.startsWith('/graphql')) {
    res.status(status).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    return;
  }
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify(problemOf(error, req)));
}
