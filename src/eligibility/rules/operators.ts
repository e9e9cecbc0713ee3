/**
 * The JSON Logic operators a programme rule may use (a whitelist: anything else is refused on
 * save), plus our own `param`, which reads a programme parameter valid on the date asked.
 * Both the checker and the compiler read this list, so they cannot disagree about what exists.
 */
export const RULE_OPERATORS = [
  'var',
  'param',
  'missing',
  'missing_some',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  '!',
  '!!',
  'if',
  '?:',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'in',
] as const;

export type RuleOperator = (typeof RULE_OPERATORS)[number];

export const RULE_OPERATOR_SET: ReadonlySet<string> = new Set(RULE_OPERATORS);

/** Limits in the spirit of the former grammar's: a rule is read by people and run a million times. */
export const MAX_CRITERIA = 40;
export const MAX_DEPTH = 12;
export const MAX_NODES = 300;

export const isOperation = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The arguments of an operation: JSON Logic lets a single argument stand without its list. */
export const argsOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** JSON Logic truthiness: an empty list is false, everything else as in JavaScript. */
export const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : !!v);
