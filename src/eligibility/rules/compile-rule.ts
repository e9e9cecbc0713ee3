import {
  CriterionStatus,
  EligibilityOutcome,
  FACT_CATALOGUE,
  type CriterionResult,
  type FactName,
  type FactSupplier,
  type ParameterValues,
  type PersonFacts,
  type ProgrammeRule,
  type RuleEvaluation,
} from '../contracts.js';
import { formatSuppliers, formatValue, type Language, type ValueUnit } from './format.js';
import { generate } from './generate.js';
import { argsOf, isOperation, truthy } from './operators.js';

/**
 * Compiles a programme rule (JSON Logic, see docs/entitlements.md "Rules") once into plain
 * JavaScript functions (generate.ts; closures for the rarer operators and the explanations), so
 * that evaluating it for a person allocates nothing but the result.
 *
 * Evaluation is three-valued: reading a fact the person lacks (or a parameter with no value on the
 * date) yields UNKNOWN, which spreads through every operator unless the operator is decided
 * without it (`and` with a false operand, `or` with a true one, `var` with a default). A criterion
 * whose test is UNKNOWN cannot be told yet; the rule is NOT_ELIGIBLE if any criterion is not met,
 * else CANNOT_TELL if any cannot be told, else ELIGIBLE.
 *
 * The rule must have passed checkRule: the compiler trusts its shape and types.
 */

/** A value that depends on a missing fact or parameter. */
export const UNKNOWN: unique symbol = Symbol('unknown');

type Fn = (f: PersonFacts, p: ParameterValues) => unknown;

export interface EvaluateOptions {
  /** false: criteria carry no explanation (an empty string); for bulk runs that only count. */
  explain?: boolean;
}

export interface CompiledRule {
  readonly rule: ProgrammeRule;
  /** Every fact the rule reads, for the facts view to fetch only those. */
  readonly facts: readonly FactName[];
  /** Every parameter the rule reads. */
  readonly parameters: readonly string[];
  /** Outcome, criteria with explanations in the language asked, and the amount when eligible. */
  evaluate(
    facts: PersonFacts,
    params: ParameterValues,
    language: Language,
    options?: EvaluateOptions,
  ): RuleEvaluation;
  /** The outcome alone, allocating nothing. */
  outcome(facts: PersonFacts, params: ParameterValues): EligibilityOutcome;
  /** The raw JSON Logic value of criterion `index`'s test, or UNKNOWN (for tests and tools). */
  testValue(index: number, facts: PersonFacts, params: ParameterValues): unknown;
  /** The raw value of the amount expression (undefined without one), or UNKNOWN. */
  amountValue(facts: PersonFacts, params: ParameterValues): unknown;
}

const constant =
  (v: unknown): Fn =>
  () =>
    v;

const isLiteral = (node: unknown): boolean =>
  !isOperation(node) && (!Array.isArray(node) || node.every(isLiteral));

function compileNode(node: unknown): Fn {
  if (Array.isArray(node)) {
    if (node.every(isLiteral)) return constant(node);
    const items = node.map(compileNode);
    return (f, p) => {
      const out: unknown[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const v = items[i]!(f, p);
        if (v === UNKNOWN) return UNKNOWN;
        out[i] = v;
      }
      return out;
    };
  }
  if (!isOperation(node)) return constant(node);
  const op = Object.keys(node)[0]!;
  const raw = node[op];
  const args = argsOf(raw);
  switch (op) {
    case 'var': {
      const name = String(args[0]) as FactName;
      if (args.length > 1) {
        const fallback = compileNode(args[1]);
        return (f, p) => {
          const v = f[name];
          return v === undefined || v.value === null ? fallback(f, p) : v.value;
        };
      }
      return (f) => {
        const v = f[name];
        return v === undefined || v.value === null ? UNKNOWN : v.value;
      };
    }
    case 'param': {
      const name = String(args[0]);
      return (_f, p) => {
        const v = p[name];
        return v === undefined ? UNKNOWN : v;
      };
    }
    case 'missing': {
      const names = args.map(String) as FactName[];
      return (f) => names.filter((n) => f[n] === undefined);
    }
    case 'missing_some': {
      const need = Number(args[0]);
      const names = argsOf(args[1]).map(String) as FactName[];
      return (f) => {
        const missing = names.filter((n) => f[n] === undefined);
        return names.length - missing.length >= need ? [] : missing;
      };
    }
    case 'and':
    case 'or': {
      const fs = args.map(compileNode);
      const wanted = op === 'or';
      return (f, p) => {
        let unknown = false;
        let last: unknown = null;
        for (let i = 0; i < fs.length; i++) {
          const v = fs[i]!(f, p);
          if (v === UNKNOWN) unknown = true;
          else if (truthy(v) === wanted) return v;
          else last = v;
        }
        return unknown ? UNKNOWN : last;
      };
    }
    case '!':
    case '!!': {
      const a = compileNode(args[0]);
      const negate = op === '!';
      return (f, p) => {
        const v = a(f, p);
        return v === UNKNOWN ? UNKNOWN : truthy(v) !== negate;
      };
    }
    case 'if':
    case '?:': {
      const fs = args.map(compileNode);
      return (f, p) => {
        let i = 0;
        for (; i + 1 < fs.length; i += 2) {
          const c = fs[i]!(f, p);
          if (c === UNKNOWN) return UNKNOWN;
          if (truthy(c)) return fs[i + 1]!(f, p);
        }
        return i < fs.length ? fs[i]!(f, p) : null;
      };
    }
    case 'in': {
      const a = compileNode(args[0]);
      const b = compileNode(args[1]);
      return (f, p) => {
        const x = a(f, p);
        if (x === UNKNOWN) return UNKNOWN;
        const y = b(f, p);
        if (y === UNKNOWN) return UNKNOWN;
        if (!y || typeof (y as { indexOf?: unknown }).indexOf !== 'function') return false;
        return (y as string[]).indexOf(x as string) !== -1;
      };
    }
    case '-': {
      const a = compileNode(args[0]);
      if (args.length === 1)
        return (f, p) => {
          const x = a(f, p);
          return x === UNKNOWN ? UNKNOWN : -(x as number);
        };
      return binary(a, compileNode(args[1]), (x, y) => x - y);
    }
    case '/':
      return binary(compileNode(args[0]), compileNode(args[1]), (x, y) => x / y);
    case '%':
      return binary(compileNode(args[0]), compileNode(args[1]), (x, y) => x % y);
    case '+':
    case '*':
    case 'min':
    case 'max':
      return fold(op, args.map(compileNode));
    case '<':
    case '<=': {
      const strict = op === '<';
      const cmp = strict ? (x: number, y: number) => x < y : (x: number, y: number) => x <= y;
      if (args.length === 3) {
        const [a, b, c] = args.map(compileNode) as [Fn, Fn, Fn];
        return (f, p) => {
          const x = a(f, p);
          if (x === UNKNOWN) return UNKNOWN;
          const y = b(f, p);
          if (y === UNKNOWN) return UNKNOWN;
          const z = c(f, p);
          if (z === UNKNOWN) return UNKNOWN;
          return cmp(x as number, y as number) && cmp(y as number, z as number);
        };
      }
      return binary(compileNode(args[0]), compileNode(args[1]), cmp);
    }
    case '>':
      return binary(compileNode(args[0]), compileNode(args[1]), (x, y) => x > y);
    case '>=':
      return binary(compileNode(args[0]), compileNode(args[1]), (x, y) => x >= y);
    case '==':
      // Loose equality is JSON Logic's definition of "=="; checkRule lets only like types meet.
      return binaryAny(compileNode(args[0]), compileNode(args[1]), (x, y) => x == y);
    case '!=':
      return binaryAny(compileNode(args[0]), compileNode(args[1]), (x, y) => x != y);
    case '===':
      return binaryAny(compileNode(args[0]), compileNode(args[1]), (x, y) => x === y);
    case '!==':
      return binaryAny(compileNode(args[0]), compileNode(args[1]), (x, y) => x !== y);
    default:
      throw new Error(`operator ${op} is not supported (checkRule refuses it)`);
  }
}

function binary(a: Fn, b: Fn, op: (x: number, y: number) => unknown): Fn {
  return (f, p) => {
    const x = a(f, p);
    if (x === UNKNOWN) return UNKNOWN;
    const y = b(f, p);
    if (y === UNKNOWN) return UNKNOWN;
    return op(x as number, y as number);
  };
}

function binaryAny(a: Fn, b: Fn, op: (x: unknown, y: unknown) => boolean): Fn {
  return (f, p) => {
    const x = a(f, p);
    if (x === UNKNOWN) return UNKNOWN;
    const y = b(f, p);
    if (y === UNKNOWN) return UNKNOWN;
    return op(x, y);
  };
}

function fold(op: '+' | '*' | 'min' | 'max', fs: Fn[]): Fn {
  if (op === '+' && fs.length === 2) return binary(fs[0]!, fs[1]!, (x, y) => +x + +y);
  if (op === '*' && fs.length === 2) return binary(fs[0]!, fs[1]!, (x, y) => +x * +y);
  const step =
    op === '+'
      ? (acc: number, v: number) => acc + +v
      : op === '*'
        ? (acc: number, v: number) => acc * +v
        : op === 'min'
          ? (acc: number, v: number) => (v < acc ? +v : acc)
          : (acc: number, v: number) => (v > acc ? +v : acc);
  const start = op === '+' ? 0 : op === '*' ? 1 : op === 'min' ? Infinity : -Infinity;
  return (f, p) => {
    let acc = start;
    for (let i = 0; i < fs.length; i++) {
      const v = fs[i]!(f, p);
      if (v === UNKNOWN) return UNKNOWN;
      if (op === 'min' || op === 'max') {
        if (typeof v !== 'number' || Number.isNaN(v)) return NaN;
      }
      acc = step(acc, v as number);
    }
    return acc;
  };
}

/** Facts a node needs (a `var` without default), facts it reads at all, and parameters. */
function collect(node: unknown, needs: Set<FactName>, reads: Set<FactName>, params: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, needs, reads, params);
    return;
  }
  if (!isOperation(node)) return;
  const op = Object.keys(node)[0]!;
  const args = argsOf(node[op]);
  if (op === 'var') {
    const name = String(args[0]) as FactName;
    reads.add(name);
    if (args.length < 2) needs.add(name);
    else collect(args[1], needs, reads, params);
    return;
  }
  if (op === 'param') {
    params.add(String(args[0]));
    return;
  }
  if (op === 'missing' || op === 'missing_some') {
    for (const n of op === 'missing' ? args : argsOf(args[1])) reads.add(String(n) as FactName);
    return;
  }
  for (const a of args) collect(a, needs, reads, params);
}

/** The single fact a side reads, when it reads exactly one fact and nothing else. */
function plainFact(node: unknown): FactName | undefined {
  if (!isOperation(node) || Object.keys(node)[0] !== 'var') return undefined;
  return String(argsOf(node.var)[0]) as FactName;
}

function firstFact(node: unknown): FactName | undefined {
  const needs = new Set<FactName>();
  const reads = new Set<FactName>();
  collect(node, needs, reads, new Set());
  return [...reads][0];
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '===', '!=', '!==']);
const MIRROR: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const SYMBOL: Record<string, string> = {
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
  '==': '=',
  '===': '=',
  '!=': '≠',
  '!==': '≠',
};

/** What the explanation of a comparison needs: the person's side, the limit's side, the unit. */
interface Comparison {
  op: string;
  actual: Fn;
  limit: Fn;
  unit: ValueUnit;
  label: { el: string; en: string } | undefined;
}

/** The comparison's shape, with its two sides still as JSON Logic (compiled with the rule). */
type ComparisonShape = Omit<Comparison, 'actual' | 'limit'> & { left: unknown; right: unknown };

function comparisonOf(test: unknown): ComparisonShape | undefined {
  if (!isOperation(test)) return undefined;
  const op = Object.keys(test)[0]!;
  if (!COMPARISONS.has(op)) return undefined;
  const args = argsOf(test[op]);
  if (args.length !== 2) return undefined;
  let [left, right] = args;
  let shown = op;
  // The person's side is the one that reads a fact; a limit on the left is turned round.
  if (firstFact(left) === undefined && firstFact(right) !== undefined) {
    [left, right] = [right, left];
    shown = MIRROR[op] ?? op;
  }
  const fact = firstFact(left);
  const plain = plainFact(left);
  const definition = fact ? FACT_CATALOGUE[fact] : undefined;
  return {
    op: shown,
    left,
    right,
    unit: definition && 'unit' in definition ? definition.unit : undefined,
    label: plain ? { el: FACT_CATALOGUE[plain].el, en: FACT_CATALOGUE[plain].en } : undefined,
  };
}

interface CompiledCriterion {
  id: string;
  el: string;
  en: string;
  test: Fn;
  needs: FactName[];
  params: string[];
  comparison: Comparison | undefined;
}

const NO_MISSING: CriterionResult['missing'] = Object.freeze([]) as unknown as CriterionResult['missing'];

function statusOf(v: unknown): CriterionStatus {
  if (v === UNKNOWN) return CriterionStatus.MISSING_FACTS;
  return truthy(v) ? CriterionStatus.MET : CriterionStatus.NOT_MET;
}

export function compileRule(rule: ProgrammeRule): CompiledRule {
  const allReads = new Set<FactName>();
  const allParams = new Set<string>();
  const hasAmount = rule.amount !== undefined && rule.amount !== null;
  const shapes = rule.criteria.map((c) => comparisonOf(c.test));
  const sides = shapes.flatMap((shape) => (shape ? [shape.left, shape.right] : []));
  const generated = generate(
    rule.criteria.map((c) => c.test),
    [...(hasAmount ? [rule.amount] : []), ...sides],
    UNKNOWN,
    compileNode,
  );
  // Generated functions in order: the tests, the amount, then both sides of each comparison.
  let next = rule.criteria.length + (hasAmount ? 1 : 0);
  const comparisons = shapes.map((shape): Comparison | undefined => {
    if (!shape) return undefined;
    const { left: _left, right: _right, ...rest } = shape;
    const actual = generated.expressions[next++]!;
    const limit = generated.expressions[next++]!;
    return { ...rest, actual, limit };
  });
  const criteria: CompiledCriterion[] = rule.criteria.map((c, i) => {
    const needs = new Set<FactName>();
    const params = new Set<string>();
    collect(c.test, needs, allReads, params);
    for (const p of params) allParams.add(p);
    return {
      id: c.id,
      el: c.el,
      en: c.en,
      test: generated.expressions[i]!,
      needs: [...needs],
      params: [...params],
      comparison: comparisons[i],
    };
  });
  let amount: Fn | undefined;
  if (hasAmount) {
    collect(rule.amount, new Set(), allReads, allParams);
    amount = generated.expressions[rule.criteria.length];
  }
  const n = criteria.length;
  const OUTCOMES = [
    EligibilityOutcome.ELIGIBLE,
    EligibilityOutcome.NOT_ELIGIBLE,
    EligibilityOutcome.CANNOT_TELL,
  ] as const;
  const decide = generated.outcome;
  const outcome = (facts: PersonFacts, params: ParameterValues): EligibilityOutcome =>
    OUTCOMES[decide(facts, params)];

  const evaluate = (
    facts: PersonFacts,
    params: ParameterValues,
    language: Language,
    options?: EvaluateOptions,
  ): RuleEvaluation => {
    const explain = options?.explain !== false;
    const results: CriterionResult[] = new Array(n);
    let notMet = false;
    let unknown = false;
    for (let i = 0; i < n; i++) {
      const c = criteria[i]!;
      const value = c.test(facts, params);
      const status = statusOf(value);
      let missing = NO_MISSING;
      if (status === CriterionStatus.MISSING_FACTS) {
        unknown = true;
        missing = [];
        for (const fact of c.needs)
          if (facts[fact] === undefined)
            missing.push({ fact, suppliers: [...FACT_CATALOGUE[fact].suppliers] as FactSupplier[] });
      } else if (status === CriterionStatus.NOT_MET) notMet = true;
      // Every result has the same properties in the same order (one hidden class).
      const result: CriterionResult = { id: c.id, status, explanation: '', shortfall: undefined, missing };
      if (status === CriterionStatus.NOT_MET && c.comparison) {
        const a = c.comparison.actual(facts, params);
        const b = c.comparison.limit(facts, params);
        if (typeof a === 'number' && typeof b === 'number') result.shortfall = roundCents(Math.abs(a - b));
      }
      if (explain) result.explanation = explainCriterion(c, result, facts, params, language);
      results[i] = result;
    }
    const out: RuleEvaluation = {
      outcome: notMet
        ? EligibilityOutcome.NOT_ELIGIBLE
        : unknown
          ? EligibilityOutcome.CANNOT_TELL
          : EligibilityOutcome.ELIGIBLE,
      criteria: results,
    };
    if (out.outcome === EligibilityOutcome.ELIGIBLE && amount) {
      const v = amount(facts, params);
      if (typeof v === 'number' && Number.isFinite(v)) out.amount = roundCents(v);
    }
    return out;
  };

  return {
    rule,
    facts: [...allReads],
    parameters: [...allParams],
    evaluate,
    outcome,
    testValue: (index, facts, params) => criteria[index]!.test(facts, params),
    amountValue: (facts, params) => (amount ? amount(facts, params) : undefined),
  };
}

export const roundCents = (n: number): number => Math.round((n + Number.EPSILON) * 100) / 100;

const WORDS = {
  el: {
    met: 'πληρείται',
    notMet: 'δεν πληρείται',
    cannotTell: 'δεν μπορεί να κριθεί ακόμη',
    missing: 'λείπει',
    from: 'από',
    over: (d: string, l: string) => `είναι κατά ${d} πάνω από το όριο ${l}`,
    under: (d: string, l: string) => `είναι κατά ${d} κάτω από το ελάχιστο ${l}`,
    atLimit: (l: string) => `ίσο με το όριο ${l}, ενώ πρέπει να είναι`,
    mustBe: (l: string) => `απαιτείται ${l}`,
    mustNotBe: (l: string) => `δεν πρέπει να είναι ${l}`,
    noParameter: (names: string) => `δεν ορίζεται για την ημερομηνία η παράμετρος ${names} του προγράμματος`,
    limit: 'όριο',
  },
  en: {
    met: 'met',
    notMet: 'not met',
    cannotTell: 'cannot tell yet',
    missing: 'missing',
    from: 'supplied by',
    over: (d: string, l: string) => `is ${d} over the limit ${l}`,
    under: (d: string, l: string) => `is ${d} below the minimum ${l}`,
    atLimit: (l: string) => `equals the limit ${l}, and must be`,
    mustBe: (l: string) => `must be ${l}`,
    mustNotBe: (l: string) => `must not be ${l}`,
    noParameter: (names: string) => `the programme has no value for parameter ${names} on this date`,
    limit: 'the limit',
  },
} as const;

function explainCriterion(
  c: CompiledCriterion,
  result: CriterionResult,
  facts: PersonFacts,
  params: ParameterValues,
  language: Language,
): string {
  const w = WORDS[language];
  const title = c[language];
  if (result.status === CriterionStatus.MISSING_FACTS) {
    if (!result.missing.length) {
      const absent = c.params.filter((p) => params[p] === undefined);
      return `${title}: ${w.cannotTell} — ${w.noParameter(absent.join(', '))}`;
    }
    const list = result.missing
      .map((m) => `${FACT_CATALOGUE[m.fact][language]} (${w.from} ${formatSuppliers(m.suppliers, language)})`)
      .join('; ');
    return `${title}: ${w.cannotTell} — ${w.missing}: ${list}`;
  }
  const verdict = result.status === CriterionStatus.MET ? w.met : w.notMet;
  const cmp = c.comparison;
  if (!cmp) return `${title}: ${verdict}`;
  const a = cmp.actual(facts, params);
  const b = cmp.limit(facts, params);
  if (a === UNKNOWN || b === UNKNOWN) return `${title}: ${verdict}`;
  const numeric = typeof a === 'number' && typeof b === 'number' && cmp.op in MIRROR;
  // "Age 66 years is 1 year below ..." for quantities, "Receives a pension: yes, must be no" otherwise.
  const label = cmp.label ? `${cmp.label[language]}${numeric ? ' ' : ': '}` : '';
  const actual = formatValue(a, cmp.unit, language);
  const limit = formatValue(b, cmp.unit, language);
  if (result.status === CriterionStatus.MET)
    return numeric
      ? `${title}: ${verdict} — ${label}${actual} ${SYMBOL[cmp.op]} ${w.limit} ${limit}`
      : `${title}: ${verdict} — ${label}${actual}`;
  if (numeric) {
    if (a === b)
      return `${title}: ${verdict} — ${label}${actual} ${w.atLimit(limit)} ${SYMBOL[cmp.op]} ${limit}`;
    const diff = formatValue(Math.abs(a - b), cmp.unit, language);
    return `${title}: ${verdict} — ${label}${actual} ${a > b ? w.over(diff, limit) : w.under(diff, limit)}`;
  }
  const needed = cmp.op === '==' || cmp.op === '===' ? w.mustBe(limit) : w.mustNotBe(limit);
  return `${title}: ${verdict} — ${label}${actual}, ${needed}`;
}
