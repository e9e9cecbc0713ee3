import { Injectable, Param, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { InputError, InputErrorCode } from './domain-error.js';
import { isUuid } from './validators.js';

/** Refuses a path id that is not a UUID with a typed BAD_USER_INPUT, before any service sees it. */
@Injectable()
export class UuidParamPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'id';
    if (typeof value !== 'string' || !isUuid(value))
      throw new InputError(InputErrorCode.BAD_USER_INPUT, `${field} must be a UUID.`, [
        { field, reason: 'must be a UUID (8-4-4-4-12 hex digits)' },
      ]);
    return value.toLowerCase();
  }
}

/** A REST path id (`/x/:id`): always a UUID (rule 18). */
export const IdParam = (name = 'id'): ParameterDecorator => Param(name, UuidParamPipe);
