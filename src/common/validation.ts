import {
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
} from '@nestjs/common';
import { InputError, InputErrorCode, type FieldProblem } from './domain-error.js';
import { InputGuardPipe } from './input-guard.js';

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
 * The global pipe of the service: the input guard (control characters, depth, prototype keys) runs
 * first, on the raw value, so class-transformer and class-validator never see what could break them.
 */
export class EdgePipe implements PipeTransform {
  private readonly guard = new InputGuardPipe();
  private readonly validation = createValidationPipe();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return this.validation.transform(this.guard.transform(value, metadata), metadata);
  }
}
