import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InputError, InputErrorCode, type FieldProblem } from './domain-error.js';

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
