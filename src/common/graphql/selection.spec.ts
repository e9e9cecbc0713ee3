import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo } from 'graphql';
import { selectsField, selectsPath } from './selection.js';

/** The resolve info of the first root field of `document`, as far as selectsField reads it. */
function infoOf(document: string): GraphQLResolveInfo {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const field = operation.selectionSet.selections[0] as FieldNode;
  return { fieldNodes: [field], fragments } as unknown as GraphQLResolveInfo;
}

describe('selectsField', () => {
  it('finds a field selected directly, in an inline fragment or in a named fragment', () => {
    expect(selectsField(infoOf('{ list { totalCount edges { cursor } } }'), 'totalCount')).toBe(true);
    expect(selectsField(infoOf('{ list { ... on C { totalCount } } }'), 'totalCount')).toBe(true);
    expect(selectsField(infoOf('{ list { ...F } } fragment F on C { totalCount }'), 'totalCount')).toBe(true);
  });

  it('does not find a field selected only deeper down or not at all', () => {
    expect(selectsField(infoOf('{ list { edges { node { totalCount } } } }'), 'totalCount')).toBe(false);
    expect(selectsField(infoOf('{ list { pageInfo { hasNextPage } } }'), 'totalCount')).toBe(false);
  });
});

describe('selectsPath', () => {
  it('follows a path of fields through fragments at every level', () => {
    const info = infoOf(
      `{ list { edges { ...E } } } fragment E on Edge { node { ... on P { groups { id } } } }`,
    );
    expect(selectsPath(info, ['edges', 'node', 'groups'])).toBe(true);
    expect(selectsPath(info, ['edges', 'node', 'household'])).toBe(false);
    expect(selectsPath(info, ['edges', 'cursor'])).toBe(false);
  });

  it('finds a path selected in any of several selections of the same field', () => {
    const info = infoOf('{ person { household { id } household { members { person { id } } } } }');
    expect(selectsPath(info, ['household', 'members', 'person'])).toBe(true);
  });
});
