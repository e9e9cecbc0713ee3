import { DomainError, type ErrorKind, type FieldProblem } from '../../common/domain-error.js';

export enum FactErrorCode {
  UNKNOWN_FACT = 'UNKNOWN_FACT',
  DERIVED_FACT = 'DERIVED_FACT',
  FEED_ONLY_BY_IMPORT = 'FEED_ONLY_BY_IMPORT',
  WRONG_VALUE_TYPE = 'WRONG_VALUE_TYPE',
  BAD_DATE_RANGE = 'BAD_DATE_RANGE',
}

const KIND: Record<FactErrorCode, ErrorKind> = {
  UNKNOWN_FACT: 'BAD_INPUT',
  DERIVED_FACT: 'BAD_INPUT',
  FEED_ONLY_BY_IMPORT: 'BAD_INPUT',
  WRONG_VALUE_TYPE: 'BAD_INPUT',
  BAD_DATE_RANGE: 'BAD_INPUT',
};

/** A fact that cannot be recorded as asked (a person out of area is a NotFoundError instead). */
export class FactError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: FactErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}
