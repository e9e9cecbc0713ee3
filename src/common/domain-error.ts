/**
 * How a failure is shown to clients. Each module has one error class with its own code enum
 * (rule 4); the kind decides the HTTP status and is the only thing transports look at.
 */
export type ErrorKind =
  | 'BAD_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_COMPLEX'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  /** A body over its size limit (an uploaded import file, a JSON body over 1 MB). */
  | 'TOO_LARGE'
  /** A body of a media type the operation does not read (text/plain where JSON is expected). */
  | 'UNSUPPORTED_MEDIA_TYPE';

export const HTTP_STATUS_OF_KIND: Record<ErrorKind, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** A field-level problem in a client's input, as reported to the client. */
export interface FieldProblem {
  field: string;
  reason: string;
  line?: number;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export enum InputErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  PURPOSE_REQUIRED = 'PURPOSE_REQUIRED',
  /** A purpose was declared, but not one this read may serve. */
  PURPOSE_NOT_ALLOWED = 'PURPOSE_NOT_ALLOWED',
}

/** Input that failed validation at the edge (class-validator) or a service's own checks. */
export class InputError extends DomainError {
  readonly kind = 'BAD_INPUT' as const;
  constructor(
    readonly code: InputErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
  }
}

export enum RequestBodyErrorCode {
  /** The body is not valid JSON (refused by the body parser, before any route runs). */
  BAD_JSON = 'BAD_JSON',
  /** A body with no Content-Type, or one the operation does not read (common/request-body.ts). */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** A body over the body parser's limit (1 MB). */
  BODY_TOO_LARGE = 'BODY_TOO_LARGE',
}

const REQUEST_BODY_KIND: Record<RequestBodyErrorCode, ErrorKind> = {
  BAD_JSON: 'BAD_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  BODY_TOO_LARGE: 'TOO_LARGE',
};

/** A request body that cannot be read at all: the fields in it were never looked at. */
export class RequestBodyError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: RequestBodyErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = REQUEST_BODY_KIND[code];
  }
}

export enum AccessErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  FORBIDDEN = 'FORBIDDEN',
}

export class AuthenticationError extends DomainError {
  readonly kind = 'UNAUTHENTICATED' as const;
  constructor(
    readonly code: AccessErrorCode.UNAUTHENTICATED | AccessErrorCode.INVALID_CREDENTIALS,
    message: string,
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'FORBIDDEN' as const;
  readonly code = AccessErrorCode.FORBIDDEN;
}

/**
 * Thrown when an object does not exist or lies outside the caller's area: the two must look the
 * same to the caller, so this error never says which.
 */
export class NotFoundError extends DomainError {
  readonly kind = 'NOT_FOUND' as const;
  readonly code = 'NOT_FOUND';
  constructor(subjectType: string, id: string) {
    super(`No ${subjectType} ${id} was found in your area.`);
  }
}

/** One caller spent the points of its rate-limit window (see docs/security.md, "Rate limits"). */
export class RateLimitError extends DomainError {
  readonly kind = 'RATE_LIMITED' as const;
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests: the rate limit of this caller is spent; wait ${retryAfterSeconds} s and try again.`,
  ) {
    super(message);
  }
}

/**
 * The database has no free connection within the pool's wait (DATABASE_POOL_TIMEOUT_MS): the
 * request is refused at once with 503 so that callers back off and the service recovers by itself.
 */
export class ServiceUnavailableError extends DomainError {
  readonly kind = 'UNAVAILABLE' as const;
  readonly code = 'SERVICE_BUSY';
  readonly retryAfterSeconds = 1;
  constructor() {
    super('The service is busy: no database connection is free. Nothing was written; try again in a second.');
  }
}
