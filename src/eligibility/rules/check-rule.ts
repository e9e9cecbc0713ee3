import type { FieldProblem } from '../../common/domain-error.js';
import { FACT_CATALOGUE, type FactType } from '../contracts.js';
import {
  MAX_CRITERIA,
  MAX_DEPTH,
  MAX_NODES,
  RULE_OPERATORS,
  RULE_OPERATOR_SET,
  argsOf,
  isOperation,
} from './operators.js';

/** What an expression yields; 'any' where JSON Logic mixes (an `and` of a number and a boolean). */
type ExprType = FactType | 'null' | 'any';

const CRITERION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_LABEL = 500;
const FACT_NAMES = Object.keys(FACT_CATALOGUE);

const article = (t: ExprType): string =>
  t === 'any' ? 'a value of mixed type' : t === 'null' ? 'null' : `a ${t === 'list' ? 'list' : t}`;

/**
 * Problems with a programme rule (ProgrammeRule, JSON Logic), each with the path of the part that
 * is wrong (`eligibilityRule.criteria.1.test.and.0`). Refused: anything but { criteria, amount };
 * criteria without id, el, en or test, ids used twice; an operator not in RULE_OPERATORS; a `var`
 * of a fact not in FACT_CATALOGUE; a `param` the programme does not have; types that do not fit
 * (a boolean fact compared with a number, arithmetic on a list, a test that is not true/false, an
 * amount that is not a number); rules deeper than MAX_DEPTH or larger than MAX_NODES.
 */
export function checkRule(
  rule: unknown,
  parameterNames: ReadonlySet<string>,
  root = 'eligibilityRule',
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, reason: string): void => {
    problems.push({ field, reason });
  };
  let nodes = 0;
  let tooLarge = false;

  /** Type of an expression; ANY after a problem, so one mistake is reported once. */
  const visit = (node: unknown, path: string, depth: number): ExprType => {
    nodes++;
    if (nodes > MAX_NODES) {
      if (!tooLarge) add(root, `a rule may hold at most ${MAX_NODES} nodes (values and operations)`);
      tooLarge = true;
      return 'any';
    }
    if (depth > MAX_DEPTH) {
      add(path, `an expression may nest at most ${MAX_DEPTH} levels deep`);
      return 'any';
    }
    if (node === null) return 'null';
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) add(path, 'numbers must be finite');
      return 'number';
    }
    if (typeof node === 'boolean') return 'boolean';
    if (typeof node === 'string') return 'string';
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        const t = visit(item, `${path}.${i}`, depth + 1);
        if (t === 'list') add(`${path}.${i}`, 'a list cannot hold lists');
        else if (t === 'boolean') add(`${path}.${i}`, 'a list holds strings or numbers');
      });
      return 'list';
    }
    if (!isOperation(node)) {
      add(path, 'expected a value or an operation such as { "<=": [a, b] }');
      return 'any';
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      add(path, `an operation has exactly one operator (found ${keys.length ? keys.join(', ') : 'none'})`);
      return 'any';
    }
    const op = keys[0]!;
    if (!RULE_OPERATOR_SET.has(op)) {
      add(path, `unknown operator "${op}"; allowed: ${RULE_OPERATORS.join(' ')}`);
      return 'any';
    }
    const raw = node[op];
    const args = argsOf(raw);
    const argPath = (i: number): string => (Array.isArray(raw) ? `${path}.${op}.${i}` : `${path}.${op}`);
    const count = (min: number, max: number): boolean => {
      if (args.length >= min && args.length <= max) return true;
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      add(
        `${path}.${op}`,
        `"${op}" takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`,
      );
      return false;
    };
    const describe = (i: number): string => {
      const a = args[i];
      if (isOperation(a) && 'var' in a) return `fact ${String(argsOf(a.var)[0])}`;
      if (isOperation(a) && 'param' in a) return `parameter ${String(argsOf(a.param)[0])}`;
      if (isOperation(a)) return `the result of "${Object.keys(a)[0]}"`;
      return JSON.stringify(a);
    };
    const types = (): ExprType[] => args.map((a, i) => visit(a, argPath(i), depth + 1));
    const numbers = (what: string): void => {
      types().forEach((t, i) => {
        if (t !== 'number' && t !== 'any')
          add(argPath(i), `${what} needs numbers; ${describe(i)} is ${article(t)}`);
      });
    };
    const common = (ts: ExprType[]): ExprType => (ts.length && ts.every((t) => t === ts[0]) ? ts[0]! : 'any');

    switch (op) {
      case 'var': {
        if (!count(1, 2)) return 'any';
        const name = args[0];
        if (typeof name !== 'string' || !(name in FACT_CATALOGUE)) {
          add(argPath(0), `unknown fact ${JSON.stringify(name)}; known: ${FACT_NAMES.join(', ')}`);
          return 'any';
        }
        const type = FACT_CATALOGUE[name as keyof typeof FACT_CATALOGUE].type;
        if (args.length === 2) {
          const t = visit(args[1], argPath(1), depth + 1);
          if (t !== type && t !== 'any' && t !== 'null')
            add(argPath(1), `the default of ${name} must be ${article(type)}, not ${article(t)}`);
        }
        return type;
      }
      case 'param': {
        if (!count(1, 1)) return 'any';
        const name = args[0];
        if (typeof name !== 'string') add(argPath(0), '"param" takes the name of a parameter');
        else if (!parameterNames.has(name))
          add(
            argPath(0),
            `there is no parameter "${name}" in this programme (${parameterNames.size ? `parameters: ${[...parameterNames].join(', ')}` : 'it has no parameters'})`,
          );
        return 'number';
      }
      case 'missing':
        args.forEach((a, i) => {
          if (typeof a !== 'string' || !(a in FACT_CATALOGUE))
            add(argPath(i), `unknown fact ${JSON.stringify(a)}; known: ${FACT_NAMES.join(', ')}`);
        });
        return 'list';
      case 'missing_some': {
        if (!count(2, 2)) return 'any';
        if (typeof args[0] !== 'number' || !Number.isInteger(args[0]) || args[0] < 1)
          add(argPath(0), '"missing_some" takes [how many are needed, [facts]]');
        if (!Array.isArray(args[1])) add(argPath(1), '"missing_some" takes [how many are needed, [facts]]');
        else
          args[1].forEach((a, i) => {
            if (typeof a !== 'string' || !(a in FACT_CATALOGUE))
              add(`${argPath(1)}.${i}`, `unknown fact ${JSON.stringify(a)}; known: ${FACT_NAMES.join(', ')}`);
          });
        return 'list';
      }
      case '==':
      case '===':
      case '!=':
      case '!==': {
        if (!count(2, 2)) return 'any';
        const [a, b] = types() as [ExprType, ExprType];
        if (a === 'list' || b === 'list')
          add(`${path}.${op}`, `"${op}" cannot compare lists; use "in" to ask whether a list holds a value`);
        else if (a !== b && a !== 'any' && b !== 'any' && a !== 'null' && b !== 'null')
          add(
            `${path}.${op}`,
            `"${op}" compares values of one type: ${describe(0)} is ${article(a)}, ${describe(1)} is ${article(b)}`,
          );
        return 'boolean';
      }
      case '<':
      case '<=':
        if (!count(2, 3)) return 'any';
        numbers(`"${op}"`);
        return 'boolean';
      case '>':
      case '>=':
        if (!count(2, 2)) return 'any';
        numbers(`"${op}"`);
        return 'boolean';
      case 'and':
      case 'or':
        if (!count(1, Infinity)) return 'any';
        return common(types());
      case '!':
      case '!!':
        if (!count(1, 1)) return 'any';
        types();
        return 'boolean';
      case 'if':
      case '?:': {
        if (!count(3, Infinity)) return 'any';
        const ts = types();
        if (ts.length % 2 === 0) {
          add(
            `${path}.${op}`,
            `"${op}" takes [condition, then, ..., else]: give the value when no condition holds`,
          );
          return 'any';
        }
        return common(ts.filter((_t, i) => i % 2 === 1 || i === ts.length - 1));
      }
      case '+':
      case '*':
      case 'min':
      case 'max':
        if (!count(1, Infinity)) return 'any';
        numbers(`"${op}"`);
        return 'number';
      case '-':
        if (!count(1, 2)) return 'any';
        numbers('"-"');
        return 'number';
      case '/':
      case '%':
        if (!count(2, 2)) return 'any';
        numbers(`"${op}"`);
        return 'number';
      case 'in': {
        if (!count(2, 2)) return 'any';
        const [needle, haystack] = types() as [ExprType, ExprType];
        if (haystack !== 'list' && haystack !== 'string' && haystack !== 'any')
          add(argPath(1), `"in" looks in a list or a string; ${describe(1)} is ${article(haystack)}`);
        else if (needle !== 'string' && needle !== 'number' && needle !== 'any')
          add(argPath(0), `"in" looks for a string or a number; ${describe(0)} is ${article(needle)}`);
        else if (haystack === 'string' && needle === 'number')
          add(argPath(0), '"in" looks for a string within a string');
        return 'boolean';
      }
    }
    return 'any';
  };

  if (!isOperation(rule)) {
    add(root, 'a rule is { "criteria": [{ "id", "el", "en", "test" }, ...], "amount"?: expression }');
    return problems;
  }
  const extra = Object.keys(rule).filter((k) => k !== 'criteria' && k !== 'amount');
  if (extra.length) add(root, `unknown keys ${extra.join(', ')}; a rule has criteria and an optional amount`);
  const criteria = rule.criteria;
  if (!Array.isArray(criteria) || criteria.length === 0) {
    add(`${root}.criteria`, 'a rule needs a non-empty list of criteria');
  } else if (criteria.length > MAX_CRITERIA) {
    add(`${root}.criteria`, `a rule may have at most ${MAX_CRITERIA} criteria`);
  } else {
    const seen = new Map<string, number>();
    criteria.forEach((c, i) => {
      const at = `${root}.criteria.${i}`;
      if (!isOperation(c)) return add(at, 'a criterion is { "id", "el", "en", "test" }');
      const unknown = Object.keys(c).filter((k) => !['id', 'el', 'en', 'test'].includes(k));
      if (unknown.length) add(at, `unknown keys ${unknown.join(', ')} in a criterion`);
      if (typeof c.id !== 'string' || !CRITERION_ID.test(c.id))
        add(`${at}.id`, 'an id is 1 to 64 letters, digits, _ . or -, e.g. "income"');
      else if (seen.has(c.id)) add(`${at}.id`, `id "${c.id}" is also the id of criteria.${seen.get(c.id)}`);
      else seen.set(c.id, i);
      for (const language of ['el', 'en'] as const) {
        const label = c[language];
        if (typeof label !== 'string' || !label.trim() || label.length > MAX_LABEL)
          add(
            `${at}.${language}`,
            `the criterion in ${language === 'el' ? 'Greek' : 'English'} is 1 to ${MAX_LABEL} characters`,
          );
      }
      if (!('test' in c)) return add(`${at}.test`, 'a criterion needs a test');
      const before = problems.length;
      const t = visit(c.test, `${at}.test`, 1);
      if (problems.length === before && t !== 'boolean' && t !== 'any')
        add(`${at}.test`, `a test must be true or false, not ${article(t)}`);
    });
  }
  if ('amount' in rule && rule.amount !== null && rule.amount !== undefined) {
    const before = problems.length;
    const t = visit(rule.amount, `${root}.amount`, 1);
    if (problems.length === before && t !== 'number')
      add(`${root}.amount`, `the amount must be a number (euro), not ${article(t)}`);
  }
  return problems;
}
