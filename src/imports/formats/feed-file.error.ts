import { DomainError, type ErrorKind } from '../../common/domain-error.js';

export enum FeedFileErrorCode {
  /** Nothing but blank lines. */
  EMPTY_FILE = 'EMPTY_FILE',
  /** The format asked for (or detected) is not one the feed comes in. */
  UNSUPPORTED_FORMAT = 'UNSUPPORTED_FORMAT',
  /** The CSV header lacks a required column (or, for OPEKA, both person keys). */
  MISSING_COLUMNS = 'MISSING_COLUMNS',
  /** Two header cells name the same field. */
  DUPLICATE_COLUMN = 'DUPLICATE_COLUMN',
  /** The header line itself could not be read (an unclosed quote, a line over the size limit). */
  BAD_HEADER = 'BAD_HEADER',
}

/** A file that cannot be read at all (bad rows are RowProblems instead, and never stop a file). */
export class FeedFileError extends DomainError {
  readonly kind: ErrorKind = 'BAD_INPUT';
  constructor(
    readonly code: FeedFileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
