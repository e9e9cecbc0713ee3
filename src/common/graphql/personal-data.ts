import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { auditSubjects, PERSONAL_TYPES } from '../../audit/personal-data.js';
import { isAccessPurpose } from '../../audit/purpose.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { GqlContext } from './gql-context.js';

type Field = GraphQLField<unknown, GqlContext>;

/** How a field is guarded, kept in its `extensions.personalData` (the schema test reads it). */
export interface PersonalDataGuard {
  /** A Query/Mutation field that can return personal data: refused without a purpose, before it runs. */
  purpose?: boolean;
  /** A field whose type is personal: every object it returns is audited, unless the request already did. */
  audit?: boolean;
}

/**
 * Rule 18 made structural. Every Query or Mutation field whose result can reach a personal type
 * (through connections, unions, wrappers) needs a declared purpose before it runs, or is refused
 * with PURPOSE_REQUIRED (audited as denied); a `purpose` argument counts as declaring one. Every
 * field, anywhere, whose type is personal records an audit row per subject it returns, unless a
 * service already recorded an allowed access to that subject in this request. So a new operation
 * or relation cannot return a person without a purpose and an audit row, whatever its resolver
 * forgets. Applied as Nest's `transformSchema`, on the schema that is served.
 */
export function enforcePersonalData(schema: GraphQLSchema): GraphQLSchema {
  const reaching = typesReachingPersonalData(schema);
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields()) as Field[])
      if (reaching.has(getNamedType(field.type).name)) guardPurpose(field, root.name);
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as Field[])
      if (PERSONAL_TYPES[getNamedType(field.type).name]) guardAudit(field);
  }
  return schema;
}

/** Names of the types from which a personal type can be reached (personal types included). */
export function typesReachingPersonalData(schema: GraphQLSchema): Set<string> {
  const children = (type: GraphQLNamedType): string[] => {
    if (isObjectType(type)) return Object.values(type.getFields()).map((f) => getNamedType(f.type).name);
    if (isUnionType(type)) return type.getTypes().map((t) => t.name);
    return [];
  };
  const reaching = new Set(Object.keys(PERSONAL_TYPES));
  let grown = true;
  while (grown) {
    grown = false;
    for (const type of Object.values(schema.getTypeMap())) {
      if (reaching.has(type.name) || type.name.startsWith('__')) continue;
      if (children(type).some((c) => reaching.has(c))) {
        reaching.add(type.name);
        grown = true;
      }
    }
  }
  return reaching;
}

export function guardOf(field: { extensions: unknown }): PersonalDataGuard {
  return (field.extensions as { personalData?: PersonalDataGuard }).personalData ?? {};
}

function mark(field: Field, guard: PersonalDataGuard): void {
  // graphql-js builds fields as plain objects; the guard travels with them into the sorted schema.
  (field as { extensions: unknown }).extensions = {
    ...field.extensions,
    personalData: { ...guardOf(field), ...guard },
  };
}

function requestContext(context: GqlContext): RequestContext {
  const ctx = context.req.ctx;
  if (!ctx) throw new Error('no RequestContext: /graphql is not behind AuthMiddleware');
  return ctx;
}

function guardPurpose(field: Field, rootName: string): void {
  const resolve: GraphQLFieldResolver<unknown, GqlContext> = field.resolve ?? defaultFieldResolver;
  const action = `${rootName.toLowerCase()}.${field.name}`;
  field.resolve = (source, args: Record<string, unknown>, context: GqlContext, info) => {
    const ctx = requestContext(context);
    if (isAccessPurpose(args.purpose)) ctx.purpose = args.purpose;
    ctx.requirePurpose(action);
    return resolve(source, args, context, info);
  };
  mark(field, { purpose: true });
}

function guardAudit(field: Field): void {
  const resolve: GraphQLFieldResolver<unknown, GqlContext> = field.resolve ?? defaultFieldResolver;
  const subjectsOf = PERSONAL_TYPES[getNamedType(field.type).name]!;
  field.resolve = (source, args, context: GqlContext, info) => {
    const result: unknown = resolve(source, args, context, info);
    const audited = (value: unknown) => {
      auditSubjects(requestContext(context), value, subjectsOf);
      return value;
    };
    // A value already at hand (a relation read with its parent) is audited without a promise.
    return result instanceof Promise ? result.then(audited) : audited(result);
  };
  mark(field, { audit: true });
}
