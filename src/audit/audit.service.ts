import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { keysetPage } from '../common/keyset-page.js';
import type { ConnectionShape } from '../common/pagination.js';
import { SqlParams } from '../common/sql.js';
import type { AuditEventView } from './audit.model.js';
import type { AuditFilterArgs } from './dto/audit-filter.dto.js';
import { AccessPurpose } from './purpose.js';

/** The trail says who looked at whom: it is read only to review it, or to answer a person's own request. */
export const AUDIT_READ_PURPOSES = [AccessPurpose.AUDIT_REVIEW, AccessPurpose.DATA_SUBJECT_REQUEST] as const;

/** Reading the audit trail (writing goes through RequestContext.audit). Newest first, keyset-paged. */
@Injectable()
export class AuditService {
  /**
   * `count`: the total is counted only when the client asked for it (GraphQL `totalCount`; the
   * REST page always shows `total`): counting a long trail is the expensive part of a page.
   */
  async list(
    ctx: RequestContext,
    filter: AuditFilterArgs,
    options: { count: boolean } = { count: true },
  ): Promise<ConnectionShape<AuditEventView>> {
    ctx.require(Permission.AUDIT_READ, 'audit.read');
    const purpose = ctx.requirePurposeOneOf('audit.read', AUDIT_READ_PURPOSES);
    const q = new SqlParams();
    const where: string[] = [];
    const own = [
      filter.subjectType ? `a.subject_type = ${q.p(filter.subjectType)}` : undefined,
      filter.subjectId ? `a.subject_id = ${q.p(filter.subjectId)}` : undefined,
    ].filter(Boolean);
    // A person's trail includes the bulk reads (outreach lists) whose page held them.
    const bulk = filter.subjectId && (!filter.subjectType || filter.subjectType === 'person');
    if (bulk)
      where.push(`((${own.join(' AND ')}) OR a.person_ids @> ARRAY[${q.p(filter.subjectId)}]::uuid[])`);
    else if (own.length) where.push(own.join(' AND '));
    if (filter.actorId) where.push(`a.actor_id = ${q.p(filter.actorId)}`);
    if (filter.outcome) where.push(`a.outcome = ${q.p(filter.outcome)}`);
    if (filter.since) where.push(`a.occurred_at >= ${q.p(filter.since)}`);
    const page = await keysetPage<AuditRow>(ctx.em, {
      q,
      columns: `a.id::text AS id, a.occurred_at, a.actor_id, a.actor_kind, a.actor_roles, a.action,
        a.subject_type, a.subject_id, a.purpose, a.outcome, a.reason, a.request_id`,
      from: 'audit_event a',
      where,
      keys: [{ sql: 'a.id', part: 'bigint' }],
      direction: 'DESC',
      first: filter.first,
      after: filter.after,
      count: options.count,
    });
    ctx.audit({
      action: 'audit.read',
      subjectType: filter.subjectType,
      subjectId: filter.subjectId,
      outcome: 'allowed',
      purpose,
    });
    return page.connection(toView);
  }
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_id: string;
  actor_kind: string;
  actor_roles: string[];
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  outcome: 'allowed' | 'denied';
  reason: string | null;
  request_id: string | null;
}

function toView(row: AuditRow): AuditEventView {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    actorKind: row.actor_kind,
    actorRoles: row.actor_roles,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    purpose: row.purpose as AccessPurpose | null,
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
  };
}
