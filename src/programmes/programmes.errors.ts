import { DomainError, type ErrorKind, type FieldProblem } from '../common/domain-error.js';

export enum ProgrammeErrorCode {
  CODE_TAKEN = 'CODE_TAKEN',
  NEGATIVE_BUDGET = 'NEGATIVE_BUDGET',
  BAD_DATE_RANGE = 'BAD_DATE_RANGE',
  UNKNOWN_AREA = 'UNKNOWN_AREA',
  NO_COVERAGE = 'NO_COVERAGE',
  UNKNOWN_TARGET_GROUP = 'UNKNOWN_TARGET_GROUP',
  UNKNOWN_PROVIDER = 'UNKNOWN_PROVIDER',
  PARAMETER_PERIODS_OVERLAP = 'PARAMETER_PERIODS_OVERLAP',
  INVALID_RULE = 'INVALID_RULE',
  /** A programme with a rule needs test cases; cases need a rule; a case's facts or name are wrong. */
  INVALID_RULE_CASE = 'INVALID_RULE_CASE',
  /** A stored case does not get the outcome or amount it expects from the rule as saved. */
  RULE_CASE_FAILED = 'RULE_CASE_FAILED',
  OUTSIDE_YOUR_AREA = 'OUTSIDE_YOUR_AREA',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
}

const KIND: Record<ProgrammeErrorCode, ErrorKind> = {
  CODE_TAKEN: 'CONFLICT',
  NEGATIVE_BUDGET: 'BAD_INPUT',
  BAD_DATE_RANGE: 'BAD_INPUT',
  UNKNOWN_AREA: 'BAD_INPUT',
  NO_COVERAGE: 'BAD_INPUT',
  UNKNOWN_TARGET_GROUP: 'BAD_INPUT',
  UNKNOWN_PROVIDER: 'BAD_INPUT',
  PARAMETER_PERIODS_OVERLAP: 'BAD_INPUT',
  INVALID_RULE: 'BAD_INPUT',
  INVALID_RULE_CASE: 'BAD_INPUT',
  RULE_CASE_FAILED: 'BAD_INPUT',
  OUTSIDE_YOUR_AREA: 'FORBIDDEN',
  VERSION_CONFLICT: 'CONFLICT',
};

/** A programme that cannot be written as asked. */
export class ProgrammeError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: ProgrammeErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}

export enum EnrolmentErrorCode {
  ALREADY_ENROLLED = 'ALREADY_ENROLLED',
  TRANSITION_NOT_ALLOWED = 'TRANSITION_NOT_ALLOWED',
  BAD_DATE_RANGE = 'BAD_DATE_RANGE',
  PROGRAMME_NOT_OPEN = 'PROGRAMME_NOT_OPEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  PERSON_NOT_ACTIVE = 'PERSON_NOT_ACTIVE',
  OUTSIDE_PROGRAMME_COVERAGE = 'OUTSIDE_PROGRAMME_COVERAGE',
  OUTSIDE_PROGRAMME_PERIOD = 'OUTSIDE_PROGRAMME_PERIOD',
}

const ENROLMENT_KIND: Record<EnrolmentErrorCode, ErrorKind> = {
  ALREADY_ENROLLED: 'CONFLICT',
  TRANSITION_NOT_ALLOWED: 'CONFLICT',
  BAD_DATE_RANGE: 'BAD_INPUT',
  PROGRAMME_NOT_OPEN: 'CONFLICT',
  VERSION_CONFLICT: 'CONFLICT',
  PERSON_NOT_ACTIVE: 'CONFLICT',
  OUTSIDE_PROGRAMME_COVERAGE: 'BAD_INPUT',
  OUTSIDE_PROGRAMME_PERIOD: 'BAD_INPUT',
};

/** An enrolment change that is not allowed (a person out of area is a NotFoundError instead). */
export class EnrolmentError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: EnrolmentErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = ENROLMENT_KIND[code];
  }
}
