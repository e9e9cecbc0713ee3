import type { RequestContext } from '../auth/request-context.js';
import { queryRows } from '../database/query-rows.js';
import { DomainError, InputError, InputErrorCode } from './domain-error.js';
import { isUuid } from './validators.js';

/**
 * Child rows a client may name by id inside a write of their parent (rule 16). The table and column
 * names come from here, never from input.
 */
const CHILD_TABLES = {
  provider_location: { parentColumn: 'provider_id', parentType: 'provider', noun: 'location' },
  provider_service: { parentColumn: 'provider_id', parentType: 'provider', noun: 'service' },
  person_group: { parentColumn: 'person_id', parentType: 'person', noun: 'group membership' },
  consent: { parentColumn: 'person_id', parentType: 'person', noun: 'consent' },
} as const;

export type ChildTable = keyof typeof CHILD_TABLES;

/**
 * A child id that is not one of the parent's. It answers like any object that does not exist
 * (the same words whether the id belongs to another parent or to nothing), and names the field.
 */
export class UnknownChildError extends DomainError {
  readonly kind = 'NOT_FOUND' as const;
  readonly code = 'UNKNOWN_CHILD_ID';
  constructor(field: string, noun: string, parentType: string, id: string) {
    super(`${field}: no ${noun} ${id} belongs to this ${parentType}; omit the id to add a new one.`, [
      { field, reason: `not a ${noun} of this ${parentType}` },
    ]);
  }
}

/** The parent being written: its id, and what the audit trail records a refusal under. */
export interface ParentWrite {
  id: string;
  action: string;
  municipalityCode?: string;
}

/**
 * Updates one child row by the id a client sent, only if it belongs to `parent`: the ownership is
 * proved by the UPDATE itself (`WHERE id = $1 AND <parent column> = $2`), so no earlier check can go
 * stale and an id of another parent is never adopted. No row: the refusal is audited under the
 * parent and UnknownChildError names `field`. Returns the updated row.
 */
export async function updateOwnedChild(
  ctx: RequestContext,
  table: ChildTable,
  parent: ParentWrite,
  child: { id: string; field: string },
  values: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const spec = CHILD_TABLES[table];
  const columns = Object.keys(values);
  const rows = isUuid(child.id)
    ? await queryRows<Record<string, unknown>>(
        ctx.em,
        `UPDATE ${table} SET ${columns.map((c, i) => `${c} = $${i + 3}`).join(', ')}
          WHERE id = $1 AND ${spec.parentColumn} = $2 RETURNING *`,
        [child.id, parent.id, ...columns.map((c) => values[c])],
      )
    : [];
  if (rows[0]) return rows[0];
  ctx.audit({
    action: parent.action,
    subjectType: spec.parentType,
    subjectId: parent.id,
    outcome: 'denied',
    reason: `${child.field} is not a ${spec.noun} of this ${spec.parentType}`,
    municipalityCode: parent.municipalityCode,
  });
  throw new UnknownChildError(child.field, spec.noun, spec.parentType, child.id);
}

/**
 * Ids in a collection a write is about to store. A create never adopts existing rows, so there any
 * id is refused; an update refuses an id given twice (it would write one row two ways).
 */
export function checkChildIds(
  ctx: RequestContext,
  action: string,
  creating: boolean,
  items: ReadonlyArray<{ id?: string }>,
  collection: string,
): void {
  const seen = new Set<string>();
  const problems = items.flatMap((item, i) => {
    if (!item.id) return [];
    const field = `${collection}.${i}.id`;
    if (creating) return [{ field, reason: 'a new record has no existing children: omit the id' }];
    if (seen.has(item.id)) return [{ field, reason: 'the same id is given twice' }];
    seen.add(item.id);
    return [];
  });
  if (!problems.length) return;
  ctx.audit({ action, outcome: 'denied', reason: problems.map((p) => `${p.field}: ${p.reason}`).join('; ') });
  throw new InputError(
    InputErrorCode.BAD_USER_INPUT,
    `The ${collection} ids are not valid here: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}.`,
    problems,
  );
}
