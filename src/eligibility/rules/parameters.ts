import type { ParameterValues } from '../contracts.js';

/** A dated parameter as the registry stores it: the value is a decimal string or a number. */
export interface DatedParameter {
  name: string;
  value: string | number;
  /** First day it applies, YYYY-MM-DD. */
  validFrom: string;
  /** Last day it applies (inclusive), or open-ended. */
  validTo?: string | null;
}

/**
 * The parameter values in force on a day (YYYY-MM-DD): for each name, the period that contains
 * the day. Periods of one name never overlap (the programme service refuses that), so at most one
 * applies; a name with no period containing the day is left out, and a rule reading it cannot tell.
 */
export function parametersAsOf(parameters: readonly DatedParameter[], date: string): ParameterValues {
  const values: ParameterValues = {};
  for (const p of parameters) {
    if (p.validFrom <= date && (p.validTo === null || p.validTo === undefined || date <= p.validTo))
      values[p.name] = typeof p.value === 'number' ? p.value : Number(p.value);
  }
  return values;
}
