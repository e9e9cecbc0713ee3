import {
  EligibilityOutcome,
  FactBasis,
  FACT_CATALOGUE,
  type FactName,
  type FactScalar,
  type PersonFacts,
  type ProgrammeRule,
  type RuleEvaluation,
} from '../contracts.js';
import { compileRule, type CompiledRule } from './compile-rule.js';
import { parametersAsOf, type DatedParameter } from './parameters.js';

/**
 * A test case stored with a programme: a person's facts as plain values on a day, and what the
 * rule must answer. Every case runs on each save of the programme, so a rule or a parameter that
 * changes what the cases say is refused instead of silently changing people's entitlements.
 */
export interface RuleCase {
  name: string;
  /** YYYY-MM-DD: the parameters valid on this day are used. */
  asOf: string;
  /** Fact name -> plain value; a fact left out is missing. */
  facts: Record<string, FactScalar>;
  expectedOutcome: EligibilityOutcome;
  /** Euro with cents, or null when the case expects no amount. */
  expectedAmount?: number | string | null;
}

export interface RuleCaseFailure {
  index: number;
  name: string;
  expected: { outcome: EligibilityOutcome; amount: number | null };
  got: { outcome: EligibilityOutcome; amount: number | null };
  evaluation: RuleEvaluation;
}

/** Plain values as facts of a case (recorded by staff, as of the case's day). */
export function caseFacts(facts: Record<string, FactScalar>, asOf: string): PersonFacts {
  const out: PersonFacts = {};
  for (const [name, value] of Object.entries(facts)) {
    if (name in FACT_CATALOGUE && value !== null && value !== undefined)
      out[name as FactName] = { value, basis: FactBasis.STAFF, source: 'rule-case', asOf };
  }
  return out;
}

const asAmount = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined || v === '' ? null : Math.round(Number(v) * 100) / 100;

/** The cases whose outcome or amount differs from what the rule answers, with both. */
export function failingRuleCases(
  rule: ProgrammeRule | CompiledRule,
  parameters: readonly DatedParameter[],
  cases: readonly RuleCase[],
): RuleCaseFailure[] {
  const compiled = 'evaluate' in rule ? rule : compileRule(rule);
  const failures: RuleCaseFailure[] = [];
  cases.forEach((c, index) => {
    const evaluation = compiled.evaluate(
      caseFacts(c.facts, c.asOf),
      parametersAsOf(parameters, c.asOf),
      'en',
    );
    const expected = { outcome: c.expectedOutcome, amount: asAmount(c.expectedAmount) };
    const got = { outcome: evaluation.outcome, amount: asAmount(evaluation.amount) };
    if (expected.outcome !== got.outcome || expected.amount !== got.amount)
      failures.push({ index, name: c.name, expected, got, evaluation });
  });
  return failures;
}

/** One line for a failing case: `"income one cent over": expected NOT_ELIGIBLE, got ELIGIBLE 12.00`. */
export function describeFailure(f: RuleCaseFailure): string {
  const show = (o: { outcome: string; amount: number | null }): string =>
    o.amount === null ? o.outcome : `${o.outcome} ${o.amount.toFixed(2)}`;
  return `"${f.name}": expected ${show(f.expected)}, got ${show(f.got)}`;
}
