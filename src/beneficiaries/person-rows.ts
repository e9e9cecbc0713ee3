import { queryRows } from '../database/query-rows.js';
import { municipalityPredicate } from '../auth/area-scope.js';
import type { RequestContext } from '../auth/request-context.js';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/validators.js';
import { todayInAthens } from '../common/athens-time.js';
import { Beneficiary, type Gender, type PersonStatus } from './beneficiary.model.js';

/**
 * Reading person rows with plain SQL: the area scope goes inside the WHERE clause (rule 2), dates
 * come back as ISO text, and rows are mapped to the API shape field by field (rule 8).
 */
export interface PersonRow {
  id: string;
  municipality_code: string;
  given_name: string;
  surname: string;
  father_name: string | null;
  mother_name: string | null;
  given_name_latin: string;
  surname_latin: string;
  birth_date: string;
  gender: string;
  afm: string | null;
  amka: string | null;
  paaypa: string | null;
  id_document_type: string | null;
  id_document_number: string | null;
  citizenship: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  status: string;
  closed_reason: string | null;
  merged_into: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Every column a person read returns, in one place: SELECT and RETURNING lists derive from it. */
const PERSON_COLUMN_NAMES = [
  'id',
  'municipality_code',
  'given_name',
  'surname',
  'father_name',
  'mother_name',
  'given_name_latin',
  'surname_latin',
  'birth_date',
  'gender',
  'afm',
  'amka',
  'paaypa',
  'id_document_type',
  'id_document_number',
  'citizenship',
  'phone',
  'email',
  'address',
  'status',
  'closed_reason',
  'merged_into',
  'version',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof PersonRow>;

/** birth_date as text because a birth date has no time zone. */
function personColumns(prefix: string): string {
  return PERSON_COLUMN_NAMES.map((c) =>
    c === 'birth_date' ? `${prefix}birth_date::text AS birth_date` : `${prefix}${c}`,
  ).join(', ');
}

/** The columns a person read selects, from `person p`. */
export const PERSON_COLUMNS = personColumns('p.');
/** The same for RETURNING of an INSERT into person (no alias). */
export const PERSON_RETURNING = personColumns('');

/** Columns a centre may change, with their API names (history shows API names). */
export const EDITABLE_COLUMNS = {
  given_name: 'givenName',
  surname: 'surname',
  father_name: 'fatherName',
  mother_name: 'motherName',
  given_name_latin: 'givenNameLatin',
  surname_latin: 'surnameLatin',
  birth_date: 'birthDate',
  gender: 'gender',
  afm: 'afm',
  amka: 'amka',
  paaypa: 'paaypa',
  id_document_type: 'idDocumentType',
  id_document_number: 'idDocumentNumber',
  citizenship: 'citizenship',
  phone: 'phone',
  email: 'email',
  address: 'address',
} as const;

export type EditableColumn = keyof typeof EDITABLE_COLUMNS;

/** Every column of the history snapshot with its API name (history and reads as of a date). */
export const API_NAME_OF_COLUMN: Record<string, string> = {
  ...EDITABLE_COLUMNS,
  municipality_code: 'municipalityCode',
  status: 'status',
  closed_reason: 'closedReason',
  merged_into: 'mergedIntoId',
};

export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function toBeneficiary(row: PersonRow, today = todayInAthens()): Beneficiary {
  const b = new Beneficiary();
  b.id = row.id;
  b.municipalityCode = row.municipality_code;
  b.givenName = row.given_name;
  b.surname = row.surname;
  b.fatherName = row.father_name;
  b.motherName = row.mother_name;
  b.givenNameLatin = row.given_name_latin;
  b.surnameLatin = row.surname_latin;
  b.birthDate = row.birth_date;
  b.age = ageOn(row.birth_date, today);
  b.gender = row.gender as Gender;
  b.afm = row.afm;
  b.amka = row.amka;
  b.paaypa = row.paaypa;
  b.idDocumentType = row.id_document_type;
  b.idDocumentNumber = row.id_document_number;
  b.citizenship = row.citizenship;
  b.phone = row.phone;
  b.email = row.email;
  b.address = row.address;
  b.status = row.status as PersonStatus;
  b.closedReason = row.closed_reason;
  b.mergedIntoId = row.merged_into;
  b.version = row.version;
  b.createdAt = new Date(row.created_at);
  b.updatedAt = new Date(row.updated_at);
  return b;
}

/** A SQL fragment limiting `column` to the caller's municipalities, appending its parameter to `params`. */
export function scopeSql(ctx: RequestContext, column: string, params: unknown[]): string {
  const predicate = municipalityPredicate(ctx.actor.scope, column, params.length + 1);
  params.push(...predicate.params);
  return predicate.sql;
}

/**
 * One person in the caller's area, optionally locked for a change. Outside the area and absent look
 * the same to the caller (NOT_FOUND); the refusal is audited as denied.
 */
export async function personInScope(
  ctx: RequestContext,
  id: string,
  action: string,
  options: { forUpdate?: boolean } = {},
): Promise<PersonRow> {
  if (!isUuid(id)) throw new NotFoundError('person', id);
  const params: unknown[] = [id];
  const scope = scopeSql(ctx, 'p.municipality_code', params);
  const rows: PersonRow[] = await ctx.em.query(
    `SELECT ${PERSON_COLUMNS} FROM person p WHERE p.id = $1 AND ${scope}${options.forUpdate ? ' FOR UPDATE' : ''}`,
    params,
  );
  const row = rows[0];
  if (!row) {
    ctx.audit({
      action,
      subjectType: 'person',
      subjectId: id,
      outcome: 'denied',
      reason: 'not found in area',
    });
    throw new NotFoundError('person', id);
  }
  return row;
}

/**
 * Appends a history row: who changed the person, the old values of what changed, and a snapshot of
 * the whole record after the change (reads as of a date). Every writer of a person calls this.
 */
export async function appendHistory(
  ctx: RequestContext,
  personId: string,
  change: string,
  oldValues: Record<string, unknown> | null,
): Promise<void> {
  const written = await queryRows<{ id: string }>(
    ctx.em,
    `INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
     SELECT p.id, $2, $3, $4::jsonb, to_jsonb(p) - 'name_key' - 'phonetic_key' FROM person p WHERE p.id = $1
     RETURNING id`,
    [personId, ctx.actor.id, change, oldValues ? JSON.stringify(oldValues) : null],
  );
  // A change without its history row must not commit (a person the caller cannot read has none).
  if (written.length !== 1) throw new Error(`no history row was written for a ${change} change`);
}
