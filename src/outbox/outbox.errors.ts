import { DomainError, type ErrorKind, type FieldProblem } from '../common/domain-error.js';

export enum OutboxErrorCode {
  SUBSCRIPTION_NAME_TAKEN = 'SUBSCRIPTION_NAME_TAKEN',
  UNKNOWN_AREA = 'UNKNOWN_AREA',
  ONE_AREA_ONLY = 'ONE_AREA_ONLY',
  BAD_CURSOR = 'BAD_CURSOR',
  DELIVERY_NOT_DEAD = 'DELIVERY_NOT_DEAD',
  WEBHOOK_URL_NOT_ALLOWED = 'WEBHOOK_URL_NOT_ALLOWED',
}

const KIND: Record<OutboxErrorCode, ErrorKind> = {
  SUBSCRIPTION_NAME_TAKEN: 'CONFLICT',
  UNKNOWN_AREA: 'BAD_INPUT',
  ONE_AREA_ONLY: 'BAD_INPUT',
  BAD_CURSOR: 'BAD_INPUT',
  DELIVERY_NOT_DEAD: 'CONFLICT',
  WEBHOOK_URL_NOT_ALLOWED: 'BAD_INPUT',
};

/** A webhook subscription, delivery or event read that cannot be done as asked. */
export class OutboxError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: OutboxErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}
