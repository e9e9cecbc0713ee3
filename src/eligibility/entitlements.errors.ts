import { DomainError, type ErrorKind, type FieldProblem } from '../common/domain-error.js';

export enum EntitlementErrorCode {
  UNKNOWN_FACT = 'UNKNOWN_FACT',
  WRONG_FACT_TYPE = 'WRONG_FACT_TYPE',
  FACT_FROM_MUNICIPALITY = 'FACT_FROM_MUNICIPALITY',
  SPECIAL_CATEGORY_FACT = 'SPECIAL_CATEGORY_FACT',
  UNKNOWN_MUNICIPALITY = 'UNKNOWN_MUNICIPALITY',
  MUNICIPALITY_REQUIRED = 'MUNICIPALITY_REQUIRED',
}

const KIND: Record<EntitlementErrorCode, ErrorKind> = {
  UNKNOWN_FACT: 'BAD_INPUT',
  WRONG_FACT_TYPE: 'BAD_INPUT',
  FACT_FROM_MUNICIPALITY: 'BAD_INPUT',
  SPECIAL_CATEGORY_FACT: 'FORBIDDEN',
  UNKNOWN_MUNICIPALITY: 'BAD_INPUT',
  MUNICIPALITY_REQUIRED: 'BAD_INPUT',
};

/** A question about entitlements that cannot be answered as asked. */
export class EntitlementError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: EntitlementErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}
