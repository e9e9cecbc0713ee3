import { DomainError, type ErrorKind, type FieldProblem } from '../common/domain-error.js';

export enum ReferralErrorCode {
  /** The status cannot go from where it is to where it was asked to go (or not by this caller). */
  REFERRAL_TRANSITION_NOT_ALLOWED = 'REFERRAL_TRANSITION_NOT_ALLOWED',
  /** Sharing personal data with a provider needs a standing consent or a recorded legal basis. */
  CONSENT_REQUIRED = 'CONSENT_REQUIRED',
  /** The target of a referral does not exist or does not fit (a service of another provider). */
  UNKNOWN_TARGET = 'UNKNOWN_TARGET',
  /** A rejection needs its reason, a completion its outcome. */
  REASON_REQUIRED = 'REASON_REQUIRED',
  /** A hand-over names a person the caller's area already holds, or asks for a municipality not the caller's. */
  BAD_HANDOVER = 'BAD_HANDOVER',
  /** The person already has an open hand-over. */
  HANDOVER_PENDING = 'HANDOVER_PENDING',
  OUTSIDE_YOUR_AREA = 'OUTSIDE_YOUR_AREA',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  /**
   * A referral link that cannot be used: tampered, expired, revoked, unknown, or its referral no
   * longer answerable. One answer for all, so that a guess learns nothing (404, like a missing route).
   */
  REFERRAL_LINK_INVALID = 'REFERRAL_LINK_INVALID',
  /** No link can be made for this referral: not addressed to a provider, not answerable, or Art. 9. */
  REFERRAL_LINK_NOT_POSSIBLE = 'REFERRAL_LINK_NOT_POSSIBLE',
  /** A link may live at most REFERRAL_LINK_MAX_DAYS. */
  REFERRAL_LINK_TOO_LONG = 'REFERRAL_LINK_TOO_LONG',
}

const KIND: Record<ReferralErrorCode, ErrorKind> = {
  REFERRAL_TRANSITION_NOT_ALLOWED: 'CONFLICT',
  CONSENT_REQUIRED: 'CONFLICT',
  UNKNOWN_TARGET: 'BAD_INPUT',
  REASON_REQUIRED: 'BAD_INPUT',
  BAD_HANDOVER: 'BAD_INPUT',
  HANDOVER_PENDING: 'CONFLICT',
  OUTSIDE_YOUR_AREA: 'FORBIDDEN',
  VERSION_CONFLICT: 'CONFLICT',
  REFERRAL_LINK_INVALID: 'NOT_FOUND',
  REFERRAL_LINK_NOT_POSSIBLE: 'CONFLICT',
  REFERRAL_LINK_TOO_LONG: 'BAD_INPUT',
};

/** A referral that cannot be written or moved as asked. */
export class ReferralError extends DomainError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: ReferralErrorCode,
    message: string,
    fields: FieldProblem[] = [],
    /** For REFERRAL_TRANSITION_NOT_ALLOWED: the status it is in and the one asked for. */
    readonly transition?: { from: string; to: string },
  ) {
    super(message, fields);
    this.kind = KIND[code];
  }
}
