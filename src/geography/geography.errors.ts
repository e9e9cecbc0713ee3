import { DomainError, type ErrorKind } from '../common/domain-error.js';

export enum GeographyErrorCode {
  UNKNOWN_MUNICIPALITY = 'UNKNOWN_MUNICIPALITY',
  UNKNOWN_REGION = 'UNKNOWN_REGION',
  UNKNOWN_REGIONAL_UNIT = 'UNKNOWN_REGIONAL_UNIT',
}

export class GeographyError extends DomainError {
  readonly kind: ErrorKind = 'NOT_FOUND';
  constructor(
    readonly code: GeographyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
