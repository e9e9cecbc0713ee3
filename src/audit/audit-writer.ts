import pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { AuditEntry, RequestContext } from '../auth/request-context.js';
import { isUuid } from '../common/validators.js';

/**
 * Writes a context's pending audit entries in one INSERT (one round trip per request, however many
 * people it read), then clears them; on a failure they stay pending. Nothing a client sent can make
 * this fail (rule 18): every text is cut to a bounded length and stripped of what PostgreSQL cannot
 * store (NUL, lone surrogates).
 */
export async function flushAudit(ctx: RequestContext, em: EntityManager): Promise<void> {
  const insert = auditInsertSql(ctx);
  if (!insert) return;
  await em.query(insert);
  ctx.pendingAudit.splice(0);
}

/** A request's audit entries as the audit INSERT reads them: actor, request and entries. */
export interface AuditPayload {
  actorId: string;
  actorKind: string;
  actorRoles: readonly string[];
  requestId: string;
  entries: AuditEntry[];
}

/** The context's pending entries, made storable; undefined when nothing is pending. */
export function auditPayload(ctx: RequestContext): AuditPayload | undefined {
  if (ctx.pendingAudit.length === 0) return undefined;
  return {
    actorId: safeText(ctx.actor.id, 200),
    actorKind: ctx.actor.kind,
    actorRoles: ctx.actor.roles,
    requestId: safeText(ctx.requestId, 64),
    entries: onePerRead(ctx.pendingAudit).map(storable),
  };
}

/**
 * The audit INSERT of the pending entries, every value in one JSON literal escaped by pg's
 * escapeLiteral, so that a simple-protocol query can also commit in the same round trip
 * (TransactionService). Undefined when nothing is pending. The entries are not cleared here.
 */
export function auditInsertSql(ctx: RequestContext): string | undefined {
  const payload = auditPayload(ctx);
  return payload && auditInsertSqlOf([payload]);
}

/** One INSERT of the entries of several requests (AuditBatch writes many requests' reads at once). */
export function auditInsertSqlOf(payloads: readonly AuditPayload[]): string {
  return `WITH r AS (SELECT jsonb_array_elements(${pg.escapeLiteral(JSON.stringify(payloads))}::jsonb) AS j)
    INSERT INTO audit_event (actor_id, actor_kind, actor_roles, request_id, action, subject_type, subject_id, purpose, outcome, reason, municipality_code, person_ids)
    SELECT r.j->>'actorId', r.j->>'actorKind', ARRAY(SELECT jsonb_array_elements_text(r.j->'actorRoles')), r.j->>'requestId',
           e.action, e."subjectType", e."subjectId", e.purpose, e.outcome, e.reason, e."municipalityCode",
           CASE WHEN e."personIds" IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(e."personIds")::uuid) END
      FROM r, jsonb_to_recordset(r.j->'entries') AS e(action text, "subjectType" text, "subjectId" text, purpose text, outcome text, reason text, "municipalityCode" text, "personIds" jsonb)`;
}

/**
 * The allowed reads of several people that share everything but the person (a page of 50, a
 * household's members) as one entry naming them all in `personIds`: one audit row per read, not
 * per person, which a person's trail still finds (`person_ids`, GIN-indexed). A read of one person
 * keeps its own row with `subject_id`, as before.
 */
export function onePerRead(entries: readonly AuditEntry[]): AuditEntry[] {
  const groups = new Map<string, AuditEntry[]>();
  const out: Array<AuditEntry | AuditEntry[]> = [];
  for (const entry of entries) {
    if (
      entry.subjectType !== 'person' ||
      !entry.subjectId ||
      entry.personIds ||
      entry.outcome !== 'allowed'
    ) {
      out.push(entry);
      continue;
    }
    const key = JSON.stringify([entry.action, entry.purpose, entry.reason, entry.municipalityCode]);
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
      out.push(group);
    }
    group.push(entry);
  }
  return out.flatMap((item) => {
    if (!Array.isArray(item)) return [item];
    if (item.length === 1) return item;
    const { subjectId: _one, ...shared } = item[0]!;
    const ids = [...new Set(item.map((e) => e.subjectId!))];
    // At most PERSON_IDS_PER_ROW per row (storable keeps no more): several rows, never a lost id.
    const rows: AuditEntry[] = [];
    for (let i = 0; i < ids.length; i += PERSON_IDS_PER_ROW)
      rows.push({ ...shared, personIds: ids.slice(i, i + PERSON_IDS_PER_ROW) });
    return rows;
  });
}

const PERSON_IDS_PER_ROW = 1000;

const LIMITS: Partial<Record<keyof AuditEntry, number>> = {
  action: 120,
  subjectType: 60,
  subjectId: 80,
  reason: 300,
  municipalityCode: 8,
};

function storable(entry: AuditEntry): AuditEntry {
  const out = { ...entry };
  // Ids of people the service itself read from the database; anything else is not stored.
  if (out.personIds) out.personIds = out.personIds.filter(isUuid).slice(0, PERSON_IDS_PER_ROW);
  for (const [key, limit] of Object.entries(LIMITS) as Array<[keyof AuditEntry, number]>) {
    const value = out[key];
    if (typeof value === 'string') (out as Record<string, unknown>)[key] = safeText(value, limit);
  }
  return out;
}

/** `text` without NUL, other C0 controls or lone surrogates, cut to `limit` characters. */
export function safeText(text: string, limit: number): string {
  const cut = text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
  return (
    cut
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, '\ufffd')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}
