import type { EntityManager, QueryRunner } from 'typeorm';
import { AccessErrorCode, ForbiddenError, InputError, InputErrorCode } from '../common/domain-error.js';
import { ACCESS_PURPOSES_LISTED, type AccessPurpose } from '../audit/purpose.js';
import type { Actor } from './actor.js';
import type { Permission } from './roles.js';

/** One audit trail entry before it is written; the actor and request id come from the context. */
export interface AuditEntry {
  action: string;
  subjectType?: string;
  subjectId?: string;
  purpose?: AccessPurpose;
  outcome: 'allowed' | 'denied';
  reason?: string;
  municipalityCode?: string;
  /** The people a bulk read returned (one row for the page; each person's trail still finds it). */
  personIds?: string[];
}

/**
 * Everything a service method needs to know about the call it serves (rule 2): who is calling,
 * what area they see, why they read personal data, and the transaction the entry point opened.
 * Audit entries are collected here and written in one statement when the transaction ends, even
 * when it rolls back (see TransactionService).
 */
export class RequestContext {
  readonly pendingAudit: AuditEntry[] = [];
  /** `type:id` of every subject this request recorded an allowed access to (pendingAudit is flushed). */
  private readonly auditedSubjects = new Set<string>();
  private queryRunner?: QueryRunner;

  constructor(
    readonly requestId: string,
    readonly actor: Actor,
    public purpose?: AccessPurpose,
  ) {}

  get em(): EntityManager {
    if (!this.queryRunner)
      throw new Error('RequestContext has no open transaction: the entry point must open one');
    return this.queryRunner.manager;
  }

  get inTransaction(): boolean {
    return this.queryRunner !== undefined;
  }

  bind(queryRunner: QueryRunner | undefined): void {
    this.queryRunner = queryRunner;
  }

  can(permission: Permission): boolean {
    return this.actor.permissions.has(permission);
  }

  /** Refuses the operation unless the caller holds `permission`; the refusal is audited. */
  require(permission: Permission, action: string, subject?: { type: string; id?: string }): void {
    if (this.can(permission)) return;
    this.audit({
      action,
      subjectType: subject?.type,
      subjectId: subject?.id,
      outcome: 'denied',
      reason: `missing ${permission}`,
    });
    throw new ForbiddenError(
      `You are not allowed to ${action.replace(/[._]/g, ' ')}: it needs the ${permission} permission.`,
    );
  }

  /** The declared purpose of a read of personal data; reading without one is refused. */
  requirePurpose(action: string): AccessPurpose {
    if (this.purpose) return this.purpose;
    this.audit({ action, outcome: 'denied', reason: 'no purpose declared' });
    throw new InputError(
      InputErrorCode.PURPOSE_REQUIRED,
      `Reading personal data needs a declared purpose: send the X-Purpose header or the purpose argument, one of ${ACCESS_PURPOSES_LISTED}.`,
      [{ field: 'purpose', reason: 'required for reads of personal data' }],
    );
  }

  /**
   * The declared purpose, which must be one of `allowed` (an export answers the person's own
   * request; the trail is read to review it). Any other is refused with PURPOSE_NOT_ALLOWED, audited.
   */
  requirePurposeOneOf(action: string, allowed: readonly AccessPurpose[]): AccessPurpose {
    const purpose = this.requirePurpose(action);
    if (allowed.includes(purpose)) return purpose;
    this.audit({ action, outcome: 'denied', reason: `purpose ${purpose} not allowed` });
    throw new InputError(
      InputErrorCode.PURPOSE_NOT_ALLOWED,
      `This read is allowed only for the purpose ${allowed.join(' or ')}, not ${purpose}.`,
      [{ field: 'purpose', reason: `must be ${allowed.join(' or ')}` }],
    );
  }

  audit(entry: AuditEntry): void {
    const withPurpose = { purpose: this.purpose, ...entry };
    this.pendingAudit.push(withPurpose);
    if (withPurpose.outcome === 'allowed' && withPurpose.subjectType && withPurpose.subjectId)
      this.auditedSubjects.add(`${withPurpose.subjectType}:${withPurpose.subjectId}`);
  }

  /**
   * One audit row for a bulk read of many subjects (an outreach list): the row names what was read
   * and how many, and the subjects count as recorded in this request, so the per-object audit of
   * their GraphQL types adds no row per person.
   */
  auditBulk(entry: AuditEntry, subjects: Array<{ type: string; id: string }>): void {
    const personIds = subjects.filter((s) => s.type === 'person').map((s) => s.id);
    this.audit(personIds.length ? { ...entry, personIds } : entry);
    for (const s of subjects) this.auditedSubjects.add(`${s.type}:${s.id}`);
  }

  /** Whether this request already recorded an allowed access to the subject (any action). */
  hasAudited(subjectType: string, subjectId: string): boolean {
    return this.auditedSubjects.has(`${subjectType}:${subjectId}`);
  }
}

export { AccessErrorCode };
