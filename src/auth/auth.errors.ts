import { AccessErrorCode, AuthenticationError, DomainError } from '../common/domain-error.js';

/**
 * Why a credential was refused, for the log line of the 401 (never for the client: telling a caller
 * that a key id exists but its secret is wrong helps guessing).
 */
export enum AuthFailureReason {
  NO_CREDENTIAL = 'no_credential',
  MALFORMED_HEADER = 'malformed_header',
  TOKEN_INVALID = 'token_invalid',
  TOKEN_EXPIRED = 'token_expired',
  TOKEN_WITHOUT_EXPIRY = 'token_without_expiry',
  TOKEN_LIFETIME_TOO_LONG = 'token_lifetime_too_long',
  TOKEN_WITHOUT_SUBJECT = 'token_without_subject',
  BAD_ROLES = 'bad_roles',
  BAD_PERMISSIONS = 'bad_permissions',
  BAD_AREA_CLAIMS = 'bad_area_claims',
  UNKNOWN_AREA = 'unknown_area',
  API_KEY_MALFORMED = 'api_key_malformed',
  API_KEY_UNKNOWN = 'api_key_unknown',
  API_KEY_WRONG_SECRET = 'api_key_wrong_secret',
}

/** A 401 with the reason it is logged under. */
export class CredentialError extends AuthenticationError {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    code:
      | AccessErrorCode.UNAUTHENTICATED
      | AccessErrorCode.INVALID_CREDENTIALS = AccessErrorCode.INVALID_CREDENTIALS,
  ) {
    super(code, message);
  }
}

/** Too many failed authentications from one address: refused before any credential is looked up. */
export class AuthRateLimitError extends DomainError {
  readonly kind = 'RATE_LIMITED' as const;
  readonly code = 'AUTH_RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many failed authentications from your address: wait ${retryAfterSeconds} s, then try again with a valid credential.`,
    );
  }
}
