export { checkRule } from './check-rule.js';
export { compileRule, roundCents, UNKNOWN, type CompiledRule, type EvaluateOptions } from './compile-rule.js';
export { parametersAsOf, type DatedParameter } from './parameters.js';
export { RULE_OPERATORS, MAX_CRITERIA, MAX_DEPTH, MAX_NODES } from './operators.js';
export { formatMoney, type Language } from './format.js';
export {
  caseFacts,
  describeFailure,
  failingRuleCases,
  type RuleCase,
  type RuleCaseFailure,
} from './rule-cases.js';
