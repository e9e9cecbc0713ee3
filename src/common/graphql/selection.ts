import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the client selected `field` directly under the field being resolved (through fragments
 * too), e.g. `totalCount` of a connection: work nobody asked for is skipped (a `count(*)` over a
 * whole municipality). Directives (@include/@skip) are not evaluated: a field under one counts as
 * selected, which only costs the work it would otherwise have done.
 */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return info.fieldNodes.some((node) => node.selectionSet && inSet(info, node.selectionSet, field, 0));
}

function inSet(info: GraphQLResolveInfo, set: SelectionSetNode, field: string, depth: number): boolean {
  // Fragments cannot nest without bound in a valid document, but a cap costs nothing.
  if (depth > 10) return true;
  return set.selections.some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === field;
    if (s.kind === Kind.INLINE_FRAGMENT) return inSet(info, s.selectionSet, field, depth + 1);
    const fragment = info.fragments[s.name.value];
    return fragment ? inSet(info, fragment.selectionSet, field, depth + 1) : false;
  });
}
