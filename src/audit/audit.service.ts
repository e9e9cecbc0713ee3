import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, toConnection, type ConnectionShape } from '../common/pagination.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventView } from './audit.model.js';
import type { AuditFilterArgs } from './dto/audit-filter.dto.js';
import { AccessPurpose } from './purpose.js';

/** The trail says who looked at whom: it is read only to review it, or to answer a person's own request. */
export const AUDIT_READ_PURPOSES = [AccessPurpose.AUDIT_REVIEW, AccessPurpose.DATA_SUBJECT_REQUEST] as const;

/** Reading the audit trail (writing goes through RequestContext.audit). Newest first, keyset-paged. */
@Injectable()
export class AuditService {
  async list(ctx: RequestContext, filter: AuditFilterArgs): Promise<ConnectionShape<AuditEventView>> {
    ctx.require(Permission.AUDIT_READ, 'audit.read');
    const purpose = ctx.requirePurposeOneOf('audit.read', AUDIT_READ_PURPOSES);
    const limit = filter.first ?? DEFAULT_PAGE_SIZE;
    const qb = ctx.em.getRepository(AuditEvent).createQueryBuilder('a');
    // A person's trail includes the bulk reads (outreach lists) whose page held them.
    const bulk = filter.subjectId && (!filter.subjectType || filter.subjectType === 'person');
    const own = [
      filter.subjectType ? 'a.subject_type = :subjectType' : undefined,
      filter.subjectId ? 'a.subject_id = :subjectId' : undefined,
    ].filter(Boolean);
    const params = { subjectType: filter.subjectType, subjectId: filter.subjectId };
    if (bulk) qb.andWhere(`((${own.join(' AND ')}) OR a.person_ids @> ARRAY[:subjectId]::uuid[])`, params);
    else if (own.length) qb.andWhere(own.join(' AND '), params);
    if (filter.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.outcome) qb.andWhere('a.outcome = :outcome', { outcome: filter.outcome });
    if (filter.since) qb.andWhere('a.occurred_at >= :since', { since: filter.since });
    const totalCount = await qb.getCount();
    if (filter.after) {
      const [id] = decodeCursor(filter.after, ['bigint']);
      qb.andWhere('a.id < :afterId', { afterId: id });
    }
    const rows = await qb
      .orderBy('a.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    ctx.audit({
      action: 'audit.read',
      subjectType: filter.subjectType,
      subjectId: filter.subjectId,
      outcome: 'allowed',
      purpose,
    });
    return toConnection(rows.map(toView), limit, totalCount, (r) => [r.id], !!filter.after);
  }
}

function toView(e: AuditEvent): AuditEventView {
  return {
    id: e.id,
    occurredAt: e.occurredAt,
    actorId: e.actorId,
    actorKind: e.actorKind,
    actorRoles: e.actorRoles,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    purpose: e.purpose as AccessPurpose | null,
    outcome: e.outcome,
    reason: e.reason,
    requestId: e.requestId,
  };
}
