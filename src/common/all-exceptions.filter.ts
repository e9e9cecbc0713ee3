import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { domainErrorOfDatabase } from './database-errors.js';
import { DomainError } from './domain-error.js';
import { genericProblem, sendError } from './http-errors.js';
import { requestBodyErrorOf } from './request-body.js';

/**
 * The one place REST errors are shaped (rule 4): domain errors (and violations of known database
 * constraints, see database-errors.ts, and the body parsers' refusals, see request-body.ts) map to
 * their status and code, Nest's other HTTP errors (unknown route) keep their status, anything else
 * is a 500 that reveals nothing but the request id. GraphQL errors pass through to Apollo's
 * formatError; a domain error met before GraphQL runs (bad JSON posted to /graphql) is answered in
 * GraphQL's shape.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(thrown: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return thrown;
    // A violated constraint of a known name is the domain error it stands for (database-errors.ts).
    const exception = domainErrorOfDatabase(thrown) ?? requestBodyErrorOf(thrown) ?? thrown;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (exception instanceof DomainError) return sendError(req, res, exception);
    let problem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body && 'message' in body
          ? String((body as { message: unknown }).message)
          : exception.message;
      problem = genericProblem(
        status,
        status === 404 ? 'ROUTE_NOT_FOUND' : `HTTP_${status}`,
        status >= 500 ? 'The request could not be completed.' : message,
        req,
      );
    } else {
      this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
      problem = genericProblem(
        500,
        'INTERNAL',
        `Something went wrong on our side. Quote request id ${String(req.id ?? '')} when reporting it.`,
        req,
      );
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    return undefined;
  }
}
