import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../auth/request-context.js';

/**
 * Writes a context's pending audit entries in one INSERT (one round trip per request, however many
 * people it read), then clears them.
 */
export async function flushAudit(ctx: RequestContext, em: EntityManager): Promise<void> {
  if (ctx.pendingAudit.length === 0) return;
  const entries = ctx.pendingAudit.splice(0);
  await em.query(
    `INSERT INTO audit_event (actor_id, actor_kind, actor_roles, request_id, action, subject_type, subject_id, purpose, outcome, reason, municipality_code)
     SELECT $1, $2, $3::text[], $4, e.action, e."subjectType", e."subjectId", e.purpose, e.outcome, e.reason, e."municipalityCode"
     FROM jsonb_to_recordset($5::jsonb) AS e(action text, "subjectType" text, "subjectId" text, purpose text, outcome text, reason text, "municipalityCode" text)`,
    [ctx.actor.id, ctx.actor.kind, ctx.actor.roles, ctx.requestId, JSON.stringify(entries)],
  );
}
