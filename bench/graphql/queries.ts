import { SPECIAL_CATEGORY_GROUP_CODES } from '../../src/auth/special-category.js';

/**
 * The benchmark's queries, each as the same question put to both servers in their own schema, and
 * how each answer is reduced to the rows it returned (ids, in order where the order is part of the
 * question) so that the two can be compared before any timing.
 */
export interface BenchQuery {
  name: string;
  title: string;
  mitroa: string;
  postgraphile: string;
  /** The variables of one request; Q1 cycles through sampled people. */
  variables(i: number): Record<string, unknown>;
  /** How many distinct requests there are (for the answer check). */
  distinct: number;
  rowsOfMitroa(data: unknown): unknown;
  rowsOfPostgraphile(data: unknown): unknown;
}

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const sorted = (ids: string[]): string[] => [...ids].sort();
/**
 * Recorded groups only: mitroa adds CHILD/ELDERLY derived from the birth date (no id) and, without
 * special_category (the bench's centre staff have none), leaves ROMA and DISABILITY out in its SQL.
 */
const visibleGroups = (groups: Json[], code: (g: Json) => string, id = (g: Json): string => g.id): string[] =>
  sorted(groups.filter((g) => id(g) && !SPECIAL_CATEGORY_GROUP_CODES.includes(code(g))).map(id));

export function benchQueries(municipality: string, amkas: string[]): BenchQuery[] {
  return [
    {
      // No data at all: what each server spends on a request before any read (HTTP, its GraphQL
      // engine and, for mitroa, authentication, rate limit and the request log).
      name: 'Q0',
      title: 'the empty query { __typename }: the cost of a request without a read',
      mitroa: '{ __typename }',
      postgraphile: '{ __typename }',
      variables: () => ({}),
      distinct: 1,
      rowsOfMitroa: (data) => (data as Json).__typename,
      rowsOfPostgraphile: (data) => (data as Json).__typename,
    },
    {
      name: 'Q1',
      title: 'a person by AMKA, with groups and household members',
      mitroa: `query Q1($amka: String!) {
  beneficiaryByIdentifier(amka: $amka) {
    id givenName surname birthDate
    groups { id group basis validFrom validTo }
    household {
      id
      members { personId relationship person { id givenName surname birthDate } }
    }
  }
}`,
      postgraphile: `query Q1($amka: String!) {
  peopleByAmka(amka: $amka) {
    nodes {
      rowId givenName surname birthDate
      personGroupsByPersonId { nodes { rowId groupCode basis validFrom validTo } }
      householdMembersByPersonId {
        nodes {
          householdByHouseholdId {
            rowId
            householdMembersByHouseholdId {
              nodes { personId relationship personByPersonId { rowId givenName surname birthDate } }
            }
          }
        }
      }
    }
  }
}`,
      variables: (i) => ({ amka: amkas[i % amkas.length] }),
      distinct: amkas.length,
      rowsOfMitroa: (data) => {
        const p = (data as Json).beneficiaryByIdentifier as Json | null;
        if (!p) return null;
        return {
          id: p.id,
          groups: visibleGroups(p.groups, (g) => g.group),
          household: p.household?.id ?? null,
          members: sorted(
            (p.household?.members ?? []).map((m: Json) => m.person?.id ?? `missing ${m.personId}`),
          ),
        };
      },
      rowsOfPostgraphile: (data) => {
        const p = (data as Json).peopleByAmka.nodes[0] as Json | undefined;
        if (!p) return null;
        const household = p.householdMembersByPersonId.nodes[0]?.householdByHouseholdId as Json | undefined;
        return {
          id: p.rowId,
          groups: visibleGroups(
            p.personGroupsByPersonId.nodes,
            (g) => g.groupCode,
            (g) => g.rowId,
          ),
          household: household?.rowId ?? null,
          members: sorted(
            (household?.householdMembersByHouseholdId.nodes ?? []).map((m: Json) => m.personByPersonId.rowId),
          ),
        };
      },
    },
    {
      name: 'Q2',
      title: 'first 50 people of a municipality, with groups (name order)',
      mitroa: `query Q2($municipality: String!) {
  beneficiaries(municipalityCode: $municipality, first: 50) {
    edges { node { id givenName surname birthDate groups { id group basis validFrom validTo } } }
  }
}`,
      postgraphile: `query Q2($municipality: String!) {
  allPeople(
    condition: { municipalityCode: $municipality, status: "ACTIVE" }
    orderBy: [SORT_KEY_ASC, ROW_ID_ASC]
    first: 50
  ) {
    nodes { rowId givenName surname birthDate personGroupsByPersonId { nodes { rowId groupCode basis validFrom validTo } } }
  }
}`,
      variables: () => ({ municipality }),
      distinct: 1,
      rowsOfMitroa: (data) =>
        (data as Json).beneficiaries.edges.map(({ node }: Json) => ({
          id: node.id,
          groups: visibleGroups(node.groups, (g) => g.group),
        })),
      rowsOfPostgraphile: (data) =>
        (data as Json).allPeople.nodes.map((p: Json) => ({
          id: p.rowId,
          groups: visibleGroups(
            p.personGroupsByPersonId.nodes,
            (g) => g.groupCode,
            (g) => g.rowId,
          ),
        })),
    },
    {
      name: 'Q3',
      title: 'providers serving a municipality, with services and opening hours',
      mitroa: `query Q3($municipality: String!) {
  providers(servingMunicipality: $municipality, first: 100) {
    edges {
      node {
        id name kindCode
        services { id name categoryCode targetGroups }
        locations { id address openingHours { id weekday opensAt closesAt } }
      }
    }
  }
}`,
      postgraphile: `query Q3($municipality: String!) {
  providersServing(municipality: $municipality) {
    nodes {
      rowId name kindCode
      providerServicesByProviderId { nodes { rowId name categoryCode targetGroups } }
      providerLocationsByProviderId {
        nodes { rowId address openingHoursByLocationId { nodes { rowId weekday opensAt closesAt } } }
      }
    }
  }
}`,
      variables: () => ({ municipality }),
      distinct: 1,
      // The same set: the order of the directory is not part of the question.
      rowsOfMitroa: (data) =>
        providerRows(
          (data as Json).providers.edges.map(({ node }: Json) => ({
            id: node.id,
            services: node.services.map((s: Json) => s.id),
            hours: node.locations.flatMap((l: Json) => l.openingHours.map((h: Json) => h.id)),
          })),
        ),
      rowsOfPostgraphile: (data) =>
        providerRows(
          (data as Json).providersServing.nodes.map((p: Json) => ({
            id: p.rowId,
            services: p.providerServicesByProviderId.nodes.map((s: Json) => s.rowId),
            hours: p.providerLocationsByProviderId.nodes.flatMap((l: Json) =>
              l.openingHoursByLocationId.nodes.map((h: Json) => h.rowId),
            ),
          })),
        ),
    },
  ];
}

function providerRows(rows: Array<{ id: string; services: string[]; hours: string[] }>) {
  return rows
    .map((r) => ({ id: r.id, services: sorted(r.services), hours: sorted(r.hours) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
