import type { FieldProblem } from '../common/domain-error.js';

/**
 * The shape of a programme's eligibility rule (its evaluation comes with the eligibility issue).
 * A rule is JSON:
 *
 *   Rule      := { "all": Rule[] } | { "any": Rule[] } | { "not": Rule } | Condition
 *   Condition := { "fact": Fact, "op": Op, "value"?: Value }
 *   Value     := a literal of the fact's type | { "param": "<parameter name of the programme>" }
 *
 * Facts are named and typed (FACTS below); each type allows some operators:
 *   number   eq ne lt lte gt gte (a number or a param), between ([low, high], each a number or a param), in (numbers)
 *   boolean  eq ne (true/false)
 *   string   eq ne (a string), in (strings)
 *   list     contains (a string), contains_any (strings)
 *   any      exists (no value)
 * `all` and `any` need at least one rule. A rule may nest at most MAX_DEPTH deep and hold at most
 * MAX_NODES nodes. Amounts and thresholds belong in the programme's dated parameters and are
 * referred to by `{ "param": name }`, so a new year's amount is a new parameter row, not a new rule.
 */
export type FactType = 'number' | 'boolean' | 'string' | 'list';

export const FACTS: Record<string, { type: FactType; description: string }> = {
  age: { type: 'number', description: 'Age in whole years on the date of the assessment' },
  municipality_code: { type: 'string', description: 'Municipality of residence (ELSTAT code)' },
  groups: { type: 'list', description: 'Target groups the person belongs to (ROMA, DISABILITY, ...)' },
  household_size: { type: 'number', description: 'Members of the household' },
  household_adults: { type: 'number', description: 'Adult members of the household' },
  household_minors: { type: 'number', description: 'Minor members of the household' },
  household_income_last_6_months: {
    type: 'number',
    description: 'Household income of the last 6 months, euro',
  },
  household_income_annual: {
    type: 'number',
    description: 'Declared household income of the last tax year, euro',
  },
  equivalised_income: { type: 'number', description: 'Equivalised household income, euro a year' },
  real_estate_value: { type: 'number', description: 'Taxable value of the household real estate, euro' },
  vehicle_value: { type: 'number', description: 'Value of the household vehicles, euro' },
  disability_percentage: { type: 'number', description: 'Certified disability percentage (ΚΕΠΑ)' },
  unemployed: { type: 'boolean', description: 'Registered unemployed at ΔΥΠΑ' },
  unemployment_months: { type: 'number', description: 'Months since unemployment registration' },
  insured: { type: 'boolean', description: 'Insured with e-ΕΦΚΑ' },
  receives_pension: { type: 'boolean', description: 'Receives any pension' },
  lives_alone: { type: 'boolean', description: 'Lives alone' },
  self_sufficient: { type: 'boolean', description: 'Can look after themselves' },
  has_active_lease: { type: 'boolean', description: 'Has an active registered lease' },
  legal_residence: { type: 'boolean', description: 'Resides legally and permanently in Greece' },
  receives_programme: { type: 'list', description: 'Codes of programmes the person is enrolled in' },
};

const OPS: Record<FactType, string[]> = {
  number: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  string: ['eq', 'ne', 'in', 'exists'],
  list: ['contains', 'contains_any', 'exists'],
};

export const MAX_DEPTH = 12;
export const MAX_NODES = 300;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Problems with a rule's shape, each with a JSON-pointer-like path (`eligibilityRule.all.1.value`).
 * `paramNames`, when given, are the programme's parameter names a `{ "param" }` may refer to.
 */
export function checkRuleShape(
  rule: unknown,
  paramNames?: ReadonlySet<string>,
  root = 'eligibilityRule',
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let nodes = 0;
  const add = (field: string, reason: string): void => {
    problems.push({ field, reason });
  };

  const scalarOf = (type: FactType, value: unknown, path: string): void => {
    if (isObject(value) && 'param' in value) {
      if (Object.keys(value).length !== 1 || typeof value.param !== 'string')
        return add(path, 'a parameter reference is { "param": "<name>" } and nothing else');
      if (type !== 'number') return add(path, 'only number facts can be compared with a parameter');
      if (paramNames && !paramNames.has(value.param))
        add(path, `there is no parameter "${value.param}" in this programme`);
      return;
    }
    const ok =
      (type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
      (type === 'boolean' && typeof value === 'boolean') ||
      ((type === 'string' || type === 'list') && typeof value === 'string' && value.length > 0);
    if (!ok)
      add(
        path,
        `expected a ${type === 'list' ? 'string' : type}${type === 'number' ? ' or { "param": name }' : ''}`,
      );
  };

  const visit = (node: unknown, path: string, depth: number): void => {
    nodes++;
    if (nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) add(root, `a rule may hold at most ${MAX_NODES} nodes`);
      return;
    }
    if (depth > MAX_DEPTH) return add(path, `a rule may nest at most ${MAX_DEPTH} levels deep`);
    if (!isObject(node))
      return add(path, 'a rule is an object: { all }, { any }, { not } or { fact, op, value }');
    const keys = Object.keys(node);
    if ('all' in node || 'any' in node) {
      const key = 'all' in node ? 'all' : 'any';
      if (keys.length !== 1)
        return add(path, `{ "${key}": [...] } takes no other keys (found ${keys.join(', ')})`);
      const list = node[key];
      if (!Array.isArray(list) || list.length === 0)
        return add(`${path}.${key}`, `"${key}" needs a non-empty list of rules`);
      list.forEach((child, i) => visit(child, `${path}.${key}.${i}`, depth + 1));
      return;
    }
    if ('not' in node) {
      if (keys.length !== 1)
        return add(path, `{ "not": rule } takes no other keys (found ${keys.join(', ')})`);
      return visit(node.not, `${path}.not`, depth + 1);
    }
    if (!('fact' in node)) return add(path, 'a rule is { all }, { any }, { not } or { fact, op, value }');
    const extra = keys.filter((k) => !['fact', 'op', 'value'].includes(k));
    if (extra.length) add(path, `unknown keys ${extra.join(', ')} in a condition`);
    const fact = typeof node.fact === 'string' ? FACTS[node.fact] : undefined;
    if (!fact)
      return add(
        `${path}.fact`,
        `unknown fact ${JSON.stringify(node.fact)}; known: ${Object.keys(FACTS).join(', ')}`,
      );
    const op = node.op;
    if (typeof op !== 'string' || !OPS[fact.type].includes(op))
      return add(
        `${path}.op`,
        `a ${fact.type} fact (${String(node.fact)}) takes one of: ${OPS[fact.type].join(', ')}`,
      );
    const value = node.value;
    if (op === 'exists') {
      if ('value' in node) add(`${path}.value`, '"exists" takes no value');
      return;
    }
    if (!('value' in node)) return add(`${path}.value`, `"${op}" needs a value`);
    if (op === 'between') {
      if (!Array.isArray(value) || value.length !== 2)
        return add(`${path}.value`, '"between" needs [low, high]');
      value.forEach((v, i) => scalarOf('number', v, `${path}.value.${i}`));
      if (typeof value[0] === 'number' && typeof value[1] === 'number' && value[0] > value[1])
        add(`${path}.value`, '"between" needs low <= high');
      return;
    }
    if (op === 'in' || op === 'contains_any') {
      if (!Array.isArray(value) || value.length === 0)
        return add(`${path}.value`, `"${op}" needs a non-empty list of values`);
      const itemType = fact.type === 'list' ? 'string' : fact.type;
      value.forEach((v, i) => {
        if (isObject(v)) add(`${path}.value.${i}`, `"${op}" takes literal values`);
        else scalarOf(itemType, v, `${path}.value.${i}`);
      });
      return;
    }
    scalarOf(fact.type, value, `${path}.value`);
  };

  visit(rule, root, 1);
  return problems;
}
