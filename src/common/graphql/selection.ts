import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the client selected `field` directly under the field being resolved (through fragments
 * too), e.g. `totalCount` of a connection: work nobody asked for is skipped (a `count(*)` over a
 * whole municipality). Directives (@include/@skip) are not evaluated: a field under one counts as
 * selected, which only costs the work it would otherwise have done.
 */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return selectsPath(info, [field]);
}

/**
 * Whether the client selected the field at `path` below the field being resolved, e.g.
 * `['edges', 'node', 'groups']` of a connection: a read can then bring that relation in the same
 * statement (issue 9). Same rules as selectsField.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const name of path) {
    const fields = sets.flatMap((set) => fieldsNamed(info, set, name, 0));
    if (fields.length === 0) return false;
    sets = fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  }
  return true;
}

function fieldsNamed(
  info: GraphQLResolveInfo,
  set: SelectionSetNode,
  name: string,
  depth: number,
): FieldNode[] {
  // Fragments cannot nest without bound in a valid document, but a cap costs nothing.
  if (depth > 10) return [];
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === name ? [s] : [];
    if (s.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(info, s.selectionSet, name, depth + 1);
    const fragment = info.fragments[s.name.value];
    return fragment ? fieldsNamed(info, fragment.selectionSet, name, depth + 1) : [];
  });
}
