import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { InputError, InputErrorCode, type FieldProblem } from './domain-error.js';

/**
 * The first check on everything a client sends, whatever the operation: before class-validator,
 * before any service, so no value can reach SQL, a log or an audit write in a shape that breaks it.
 * It walks a value with an explicit stack (no recursion, so no stack overflow on a 100,000-deep
 * body) and refuses, naming the field path:
 *   - nesting deeper than MAX_INPUT_DEPTH, strings longer than MAX_STRING_LENGTH;
 *   - object keys that reach the prototype chain (`__proto__`, `constructor`, `prototype`);
 *   - in strings: NUL and every other C0/C1 control character and DEL, lone UTF-16 surrogates
 *     (PostgreSQL cannot store them), bidirectional embedding/override/isolate characters
 *     (U+202A-U+202E, U+2066-U+2069: text that displays differently from what it is).
 * Tab, line feed and carriage return are allowed only in the free-text fields of MULTILINE_FIELDS;
 * every other string is a single line.
 */
export const MAX_INPUT_DEPTH = 32;
export const MAX_STRING_LENGTH = 10_000;
/** A field path's last name that may hold several lines (descriptions, reasons, instructions). */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set([
  'description',
  'costDescription',
  'eligibility',
  'howToApply',
  'whereToApply',
  'reason',
]);

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
// C0 controls except \t \n \r, DEL, C1 controls, bidi embeddings/overrides/isolates, and any
// surrogate (the `u` flag matches a surrogate only when it is unpaired).
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\p{Cs}]/u;
const LINE_BREAK = /[\t\n\r]/;

/** Why a string may not be stored, or undefined when it may. */
export function stringProblem(value: string, multiline = false): string | undefined {
  if (value.length > MAX_STRING_LENGTH) return `is longer than ${MAX_STRING_LENGTH} characters`;
  const bad = FORBIDDEN_CHAR.exec(value);
  if (bad) return `contains the character U+${codeOf(bad[0])}, which is not allowed`;
  if (!multiline && LINE_BREAK.test(value)) return 'must be a single line (no tab or line break)';
  return undefined;
}

function codeOf(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Problems of a client's value, each with its field path (`locations.0.address`); `root` names a
 * value that is not an object (a single argument such as `id`). Stops at the first 20 problems.
 */
export function inputProblems(value: unknown, root = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<{ value: unknown; path: string; name: string; depth: number }> = [
    { value, path: root, name: root, depth: 0 },
  ];
  while (stack.length > 0 && problems.length < 20) {
    const { value: v, path, name, depth } = stack.pop()!;
    const field = path || 'input';
    if (typeof v === 'string') {
      const reason = stringProblem(v, MULTILINE_FIELDS.has(name));
      if (reason) problems.push({ field, reason });
      continue;
    }
    if (typeof v !== 'object' || v === null || v instanceof Date) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({ field, reason: `nests deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    const entries: Array<[string, unknown]> = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
    for (const [key, item] of entries) {
      const itemPath = path ? `${path}.${key}` : key;
      if (!Array.isArray(v)) {
        const keyReason = FORBIDDEN_KEYS.has(key) ? 'is a name that is not allowed' : stringProblem(key);
        if (keyReason) {
          problems.push({ field: itemPath, reason: `the key ${keyReason}` });
          continue;
        }
      }
      // Items of a list keep the name of their field, so `requiredDocuments.2` is single-line too.
      stack.push({ value: item, path: itemPath, name: Array.isArray(v) ? name : key, depth: depth + 1 });
    }
  }
  return problems;
}

/** Refuses a value with problems as BAD_USER_INPUT, listing each field. */
export function assertCleanInput(value: unknown, root = ''): void {
  const problems = inputProblems(value, root);
  if (problems.length === 0) return;
  throw new InputError(
    InputErrorCode.BAD_USER_INPUT,
    `The input is not valid: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
    problems,
  );
}

// GraphQL's parameter types (GqlParamtype): only ARGS (3) come from the client; ROOT, CONTEXT and
// INFO are the server's own. REST: body, query and param. `custom` is ours (the request context).
const CLIENT_PARAM_TYPES: ReadonlySet<unknown> = new Set(['body', 'query', 'param', 3]);

/** Whether a handler's parameter is something a client sent (and not the server's own value). */
export function isClientParam(metadata: ArgumentMetadata): boolean {
  return CLIENT_PARAM_TYPES.has(metadata.type);
}

/** The global pipe that applies the guard to every argument a client sends (REST and GraphQL). */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!isClientParam(metadata)) return value;
    const isObject = typeof value === 'object' && value !== null;
    assertCleanInput(value, isObject ? '' : (metadata.data ?? 'input'));
    return value;
  }
}
