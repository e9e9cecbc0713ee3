import { DomainError, type ErrorKind } from '../common/domain-error.js';

export enum StatisticsErrorCode {
  /** No area of that level has that code. */
  UNKNOWN_AREA = 'UNKNOWN_AREA',
  /** The area lies outside the caller's own (another region, another centre's municipality, the country). */
  OUTSIDE_YOUR_AREA = 'OUTSIDE_YOUR_AREA',
  /** Not a fixed period (ALL, 2025, 2025-Q1, 2025-01). */
  BAD_PERIOD = 'BAD_PERIOD',
}

const KIND: Record<StatisticsErrorCode, ErrorKind> = {
  UNKNOWN_AREA: 'NOT_FOUND',
  OUTSIDE_YOUR_AREA: 'FORBIDDEN',
  BAD_PERIOD: 'BAD_INPUT',
};

/** Figures that cannot be given as asked. */
export class StatisticsError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: StatisticsErrorCode,
    message: string,
  ) {
    super(message, code === StatisticsErrorCode.BAD_PERIOD ? [{ field: 'period', reason: message }] : []);
    this.kind = KIND[code];
  }
}
