import {
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
} from '@nestjs/common';
import { getMetadataStorage, IS_ARRAY, ValidationTypes } from 'class-validator';
import { InputError, InputErrorCode, type FieldProblem } from './domain-error.js';
import { InputGuardPipe, isClientParam } from './input-guard.js';

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one ValidationPipe of the service: unknown fields are refused, every problem is listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // An absent optional argument arrives as undefined; it must not count as an unknown object.
    forbidUnknownValues: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new InputError(
        InputErrorCode.BAD_USER_INPUT,
        `The input is not valid: ${fields.map((f) => `${f.field}: ${f.reason}`).join('; ')}`,
        fields,
      );
    },
  });
}

/**
 * class-validator's @ValidateNested walks into a list inside a list and finds nothing to check, so
 * `coverage: [[]]` passes as a coverage entry with no fields and reaches the service as a list.
 * Every property validated as nested must hold an object of its class, or a list of such objects.
 * Checked here, once for every input class, so that a new input with nested objects cannot
 * reopen the hole.
 */
export function nestedShapeProblems(value: unknown, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path }];
  while (stack.length > 0 && problems.length < 20) {
    const { value: v, path: at } = stack.pop()!;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const target = (v as object).constructor;
    if (target === Object) continue;
    const nested = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(target, '', true, false)
        .filter((m) => m.type === ValidationTypes.NESTED_VALIDATION)
        .map((m) => m.propertyName),
    );
    for (const name of nested) {
      const field = at ? `${at}.${name}` : name;
      const held = (v as Record<string, unknown>)[name];
      if (held === undefined || held === null) continue;
      const items: Array<[string, unknown]> = Array.isArray(held)
        ? held.map((item, i) => [`${field}.${i}`, item])
        : [[field, held]];
      for (const [itemPath, item] of items) {
        if (typeof item !== 'object' || item === null || Array.isArray(item) || item.constructor === Object)
          problems.push({
            field: itemPath,
            reason: 'must be an object with the fields this input describes',
          });
        else stack.push({ value: item, path: itemPath });
      }
    }
  }
  return problems;
}

/**
 * A query parameter sent more than once (`?limit=1&limit=2`) arrives as a list; class-validator
 * would then report the list's type or range, not the repetition. Every query object is checked
 * here, before validation: a parameter its class declares (a validated property) that is not a
 * list (`@IsArray()` or `each: true`) may be sent once. An undeclared one is left to the whitelist.
 */
export function repeatedQueryProblems(value: unknown, metatype: unknown): FieldProblem[] {
  if (typeof value !== 'object' || value === null || typeof metatype !== 'function') return [];
  const repeated = Object.entries(value).filter(([, v]) => Array.isArray(v)) as Array<[string, unknown[]]>;
  if (repeated.length === 0) return [];
  const rules = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
  const declared = new Set(rules.map((m) => m.propertyName));
  const lists = new Set(rules.filter((m) => m.each || m.name === IS_ARRAY).map((m) => m.propertyName));
  return repeated
    .filter(([name]) => declared.has(name) && !lists.has(name))
    .map(([name, values]) => ({ field: name, reason: `sent ${values.length} times; send it once` }));
}

/**
 * The global pipe of the service: the input guard (control characters, depth, prototype keys) runs
 * first, on the raw value, so class-transformer and class-validator never see what could break them.
 */
export class EdgePipe implements PipeTransform {
  private readonly guard = new InputGuardPipe();
  private readonly validation = createValidationPipe();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A GraphQL parent object, the context or the info are the server's own values: validating
    // them (class-transformer copies the parent of every field resolved) only costs time.
    if (!isClientParam(metadata)) return value;
    if (metadata.type === 'query' && metadata.data === undefined) {
      const repeated = repeatedQueryProblems(value, metadata.metatype);
      if (repeated.length)
        throw new InputError(
          InputErrorCode.BAD_USER_INPUT,
          `The query is not valid: ${repeated.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          repeated,
        );
    }
    const valid: unknown = await this.validation.transform(this.guard.transform(value, metadata), metadata);
    const problems = nestedShapeProblems(valid);
    if (problems.length)
      throw new InputError(
        InputErrorCode.BAD_USER_INPUT,
        `The input is not valid: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
        problems,
      );
    return valid;
  }
}
