import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { InputError, InputErrorCode } from './domain-error.js';
import { stringProblem } from './input-guard.js';
import { isRealDay, isUuid } from './validators.js';

/** Every list is capped (rule 6): a page holds at most this many items, whatever the client asks. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field({ nullable: true, description: 'The endCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type for `T` (code-first): `XConnection { edges { cursor node } pageInfo totalCount }`. */
export function Connection<T>(node: Type<T>, name = node.name): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'Items matching the query in all pages' })
    totalCount: number;
  }
  return ConnectionType;
}

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The type of each value of a keyset cursor, as the query will cast it: a cursor is client input
 * (base64 of JSON), so every value is checked before it reaches SQL.
 */
export type CursorPart = 'uuid' | 'bigint' | 'decimal' | 'number' | 'text' | 'timestamp';
type CursorValue<P extends CursorPart> = P extends 'number' ? number : string;
export type CursorValues<T extends readonly CursorPart[]> = { [K in keyof T]: CursorValue<T[K]> };

const BIGINT = /^-?\d{1,18}$/;
const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;
// A timestamp as PostgreSQL prints it (`::text`) or as ISO 8601.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;

function fits(part: CursorPart, value: unknown): boolean {
  switch (part) {
    case 'uuid':
      return typeof value === 'string' && isUuid(value);
    case 'bigint':
      return (typeof value === 'string' && BIGINT.test(value)) || Number.isSafeInteger(value);
    case 'decimal':
      return typeof value === 'string' && DECIMAL.test(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'text':
      return typeof value === 'string' && stringProblem(value) === undefined;
    case 'timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value) && isRealDay(value.slice(0, 10));
  }
}

function badCursor(): never {
  throw new InputError(
    InputErrorCode.BAD_USER_INPUT,
    'The cursor is not valid: use the endCursor of the previous page.',
    [{ field: 'after', reason: 'not a cursor from this list' }],
  );
}

/**
 * The keyset values in a cursor, each checked against its part; a cursor that was not made by us
 * (or by another list) is refused clearly instead of failing in SQL.
 */
export function decodeCursor<const T extends readonly CursorPart[]>(
  cursor: string,
  parts: T,
): CursorValues<T> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    badCursor();
  }
  if (!Array.isArray(key) || key.length !== parts.length || !parts.every((p, i) => fits(p, key[i])))
    badCursor();
  return key.map((v, i) => (parts[i] === 'bigint' ? String(v) : v)) as CursorValues<T>;
}

/**
 * Builds a connection from rows fetched with `limit + 1` (rule 6: one extra row tells whether there
 * is a next page).
 */
export function toConnection<T>(
  rows: T[],
  limit: number,
  totalCount: number,
  keyOf: (row: T) => unknown[],
  hasPrevious: boolean,
): ConnectionShape<T>;
/** The same, for rows whose keys are not on the node the client sees: `toNode` maps each row of the page. */
export function toConnection<R, N>(
  rows: R[],
  limit: number,
  totalCount: number,
  keyOf: (row: R) => unknown[],
  hasPrevious: boolean,
  toNode: (row: R) => N,
): ConnectionShape<N>;
export function toConnection<R, N>(
  rows: R[],
  limit: number,
  totalCount: number,
  keyOf: (row: R) => unknown[],
  hasPrevious: boolean,
  toNode?: (row: R) => N,
): ConnectionShape<R | N> {
  const page = rows.slice(0, limit);
  const edges = page.map((row) => ({ node: toNode ? toNode(row) : row, cursor: encodeCursor(keyOf(row)) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Pages a list already in memory (reference data) with the same cursors as a keyset query. */
export function paginateInMemory<T>(
  items: T[],
  args: PageArgs,
  keyOf: (item: T) => string,
): ConnectionShape<T> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  let start = 0;
  if (args.after) {
    const [key] = decodeCursor(args.after, ['text']);
    start = items.findIndex((i) => keyOf(i) === key) + 1;
    if (start === 0) decodeCursor('', ['text']);
  }
  return toConnection(
    items.slice(start, start + limit + 1),
    limit,
    items.length,
    (i) => [keyOf(i)],
    start > 0,
  );
}

/** Paging of a REST list: `?limit=&cursor=`, answered as `{ items, total, nextCursor }`. */
export class RestPageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface RestPage<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

export function pageArgsOf(query: RestPageQuery): PageArgs {
  return { first: query.limit, after: query.cursor };
}

export function toRestPage<T>(connection: ConnectionShape<T>): RestPage<T> {
  return {
    items: connection.edges.map((e) => e.node),
    total: connection.totalCount,
    nextCursor: connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
  };
}
