import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../auth/request-context.js';
import { groupVisibleSql } from '../auth/special-category.js';
import { selectsPath } from '../common/graphql/selection.js';
import type { Beneficiary, GroupMembership, HouseholdView } from './beneficiary.model.js';
import { householdSelect, toHouseholdView, type HouseholdRow } from './household.service.js';
import { toGroupMembership, type GroupRow } from './person-records.service.js';
import { PERSON_COLUMNS, scopeSql, toBeneficiary, type PersonRow } from './person-rows.js';

/**
 * Relations a read of people brings in the same statement as the people (issue 9), chosen from
 * what the client selected: a person by AMKA with groups and household members is one statement,
 * not four. Each relation is read by the same SQL, with the same scope and special-category
 * filter, as the loader that would otherwise fetch it; the read rows prime that loader
 * (BeneficiaryLoaders.prime), so the field resolvers, and the audit of every personal object they
 * return, are unchanged.
 */
export interface PersonIncludes {
  groups: boolean;
  household: boolean;
  /** The people of the household (HouseholdMemberView.person). */
  householdPeople: boolean;
}

export const NO_INCLUDES: PersonIncludes = { groups: false, household: false, householdPeople: false };

/** What the client selected below the people at `path` (`[]`: the field itself; `['edges', 'node']`). */
export function personIncludes(info: GraphQLResolveInfo, path: readonly string[] = []): PersonIncludes {
  const household = selectsPath(info, [...path, 'household']);
  return {
    groups: selectsPath(info, [...path, 'groups']),
    household,
    householdPeople: household && selectsPath(info, [...path, 'household', 'members', 'person']),
  };
}

/** The relations as read with a person. */
export interface IncludedRelations {
  groups?: GroupMembership[];
  household?: HouseholdView | null;
  householdPeople?: Beneficiary[];
}

interface IncludedColumns {
  included_groups?: Array<Omit<GroupRow, 'person_id'>>;
  included_household?: HouseholdRow | null;
  included_household_people?: PersonRow[];
}

const INCLUDED = new WeakMap<Beneficiary, IncludedRelations>();

/** The relations read with `person`, if any (BeneficiaryLoaders.prime). */
export function includedWith(person: Beneficiary): IncludedRelations | undefined {
  return INCLUDED.get(person);
}

/**
 * `sql` (a read of person rows `p`) with a column per included relation, as JSON. `order` repeats
 * the read's ORDER BY over the outer rows (columns of the read, prefixed `b.`).
 */
export function withIncludes(
  ctx: RequestContext,
  sql: string,
  params: unknown[],
  include: PersonIncludes,
  adultAge: number,
  order?: string,
): string {
  const columns: string[] = [];
  if (include.groups)
    columns.push(`(SELECT coalesce(json_agg(json_build_object('id', g.id, 'group_code', g.group_code, 'basis', g.basis,
                     'valid_from', g.valid_from::text, 'valid_to', g.valid_to::text) ORDER BY g.valid_from, g.id), '[]')
         FROM person_group g
        WHERE g.person_id = b.id AND ${groupVisibleSql(ctx, 'g.group_code', params)}) AS included_groups`);
  const currentHousehold = `(SELECT hm.household_id FROM household_member hm WHERE hm.person_id = b.id AND hm.left_on IS NULL)`;
  if (include.household) {
    params.push(adultAge);
    columns.push(`(SELECT row_to_json(hh) FROM (${householdSelect(`h.id = ${currentHousehold}`, `$${params.length}`)}) hh)
        AS included_household`);
  }
  if (include.householdPeople)
    columns.push(`(SELECT coalesce(json_agg(row_to_json(hp)), '[]') FROM (
          SELECT ${PERSON_COLUMNS} FROM person p
           WHERE p.id IN (SELECT m.person_id FROM household_member m WHERE m.household_id = ${currentHousehold} AND m.left_on IS NULL)
             AND ${scopeSql(ctx, 'p.municipality_code', params)}) hp) AS included_household_people`);
  if (columns.length === 0) return sql;
  return `SELECT b.*, ${columns.join(', ')} FROM (${sql}) b${order ? ` ORDER BY ${order}` : ''}`;
}

/** `person` with the relations read in its row (withIncludes), for BeneficiaryLoaders.prime. */
export function attachIncluded(
  person: Beneficiary,
  row: PersonRow & IncludedColumns,
  today: string,
): Beneficiary {
  const included: IncludedRelations = {};
  if (row.included_groups)
    included.groups = row.included_groups.map((g) => toGroupMembership({ ...g, person_id: person.id }));
  if (row.included_household !== undefined)
    included.household = row.included_household ? toHouseholdView(row.included_household) : null;
  if (row.included_household_people)
    included.householdPeople = row.included_household_people.map((p) => toBeneficiary(p, today));
  if (Object.keys(included).length > 0) INCLUDED.set(person, included);
  return person;
}
