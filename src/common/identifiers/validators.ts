import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isValidAfm } from './afm.js';
import { checkAmka } from './amka.js';

/** class-validator decorator: a valid AFM (9 digits, check digit as in DOMAIN.md). */
export function IsAfm(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAfm',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidAfm(value),
        defaultMessage: () =>
          'is not a valid AFM: it must be 9 digits whose last is the check digit of the first 8',
      },
    });
}

/** class-validator decorator: a valid AMKA (11 digits, DDMMYY birth date, Luhn check digit). */
export function IsAmka(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAmka',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkAmka(value).valid,
        defaultMessage: (args) => {
          const check = typeof args?.value === 'string' ? checkAmka(args.value) : undefined;
          return check && !check.valid ? `is not a valid AMKA: ${check.message}` : 'is not a valid AMKA';
        },
      },
    });
}
