import { DomainError, type ErrorKind, type FieldProblem } from '../common/domain-error.js';

export enum ImportErrorCode {
  /** The upload is larger than IMPORT_MAX_BYTES (413). */
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  EMPTY_FILE = 'EMPTY_FILE',
  /** Not multipart/form-data, no file part, or a field after the file. */
  BAD_UPLOAD = 'BAD_UPLOAD',
  /** A REGISTRY import without its area, or a fact feed given one. */
  BAD_AREA = 'BAD_AREA',
  /** The same file of the same feed is being imported by another job (import_job_file_uq). */
  FILE_ALREADY_IMPORTED = 'FILE_ALREADY_IMPORTED',
}

const KIND: Record<ImportErrorCode, ErrorKind> = {
  FILE_TOO_LARGE: 'TOO_LARGE',
  EMPTY_FILE: 'BAD_INPUT',
  BAD_UPLOAD: 'BAD_INPUT',
  BAD_AREA: 'BAD_INPUT',
  FILE_ALREADY_IMPORTED: 'CONFLICT',
};

/** An import that cannot be started as asked. Row-level problems are not errors: they are reported. */
export class ImportError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}
