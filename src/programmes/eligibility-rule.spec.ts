import { checkRuleShape, MAX_DEPTH } from './eligibility-rule.js';

/** ΕΕΕ (guaranteed minimum income) in the grammar: income and assets against dated parameters. */
const minimumIncome = {
  all: [
    { fact: 'legal_residence', op: 'eq', value: true },
    { fact: 'household_income_last_6_months', op: 'lte', value: { param: 'income_limit_6_months_single' } },
    { fact: 'real_estate_value', op: 'lte', value: { param: 'real_estate_limit' } },
    { fact: 'vehicle_value', op: 'lte', value: 6000 },
    { not: { fact: 'receives_programme', op: 'contains', value: 'EXCLUDED' } },
  ],
};

describe('eligibility rule shape', () => {
  it('accepts a well-formed rule, with parameters the programme has', () => {
    expect(
      checkRuleShape(minimumIncome, new Set(['income_limit_6_months_single', 'real_estate_limit'])),
    ).toEqual([]);
  });

  it('accepts any, between, in, contains_any and exists', () => {
    const rule = {
      any: [
        { fact: 'age', op: 'between', value: [18, { param: 'max_age' }] },
        { fact: 'groups', op: 'contains_any', value: ['ROMA', 'DISABILITY'] },
        { fact: 'municipality_code', op: 'in', value: ['4912', '4904'] },
        { fact: 'disability_percentage', op: 'exists' },
      ],
    };
    expect(checkRuleShape(rule)).toEqual([]);
  });

  it('refuses a parameter the programme does not have', () => {
    expect(checkRuleShape(minimumIncome, new Set(['real_estate_limit']))).toEqual([
      {
        field: 'eligibilityRule.all.1.value',
        reason: 'there is no parameter "income_limit_6_months_single" in this programme',
      },
    ]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object', 42, 'eligibilityRule', /a rule is an object/],
    ['an empty all', { all: [] }, 'eligibilityRule.all', /non-empty list/],
    [
      'all with extra keys',
      { all: [{ fact: 'age', op: 'gte', value: 67 }], any: [] },
      'eligibilityRule',
      /no other keys/,
    ],
    [
      'an unknown fact',
      { fact: 'star_sign', op: 'eq', value: 'leo' },
      'eligibilityRule.fact',
      /unknown fact "star_sign"/,
    ],
    [
      'an operator the type does not take',
      { fact: 'unemployed', op: 'gt', value: 1 },
      'eligibilityRule.op',
      /boolean fact/,
    ],
    [
      'a value of the wrong type',
      { fact: 'age', op: 'gte', value: '67' },
      'eligibilityRule.value',
      /expected a number/,
    ],
    ['a missing value', { fact: 'age', op: 'gte' }, 'eligibilityRule.value', /needs a value/],
    [
      'between upside down',
      { fact: 'age', op: 'between', value: [65, 18] },
      'eligibilityRule.value',
      /low <= high/,
    ],
    [
      'a param on a boolean',
      { fact: 'insured', op: 'eq', value: { param: 'x' } },
      'eligibilityRule.value',
      /only number facts/,
    ],
    [
      'unknown keys in a condition',
      { fact: 'age', op: 'gte', value: 67, unit: 'years' },
      'eligibilityRule',
      /unknown keys unit/,
    ],
    [
      'exists with a value',
      { fact: 'age', op: 'exists', value: 1 },
      'eligibilityRule.value',
      /takes no value/,
    ],
    ['a not around nothing', { not: null }, 'eligibilityRule.not', /a rule is an object/],
  ])('refuses %s, naming where', (_what, rule, field, reason) => {
    const problems = checkRuleShape(rule);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe(field);
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('refuses rules nested too deep', () => {
    let rule: unknown = { fact: 'age', op: 'gte', value: 18 };
    for (let i = 0; i < MAX_DEPTH + 2; i++) rule = { not: rule };
    expect(checkRuleShape(rule)[0]!.reason).toMatch(/at most 12 levels/);
  });

  it('refuses rules with too many nodes', () => {
    const rule = { any: Array.from({ length: 400 }, () => ({ fact: 'age', op: 'gte', value: 18 })) };
    expect(checkRuleShape(rule)).toEqual([
      { field: 'eligibilityRule', reason: 'a rule may hold at most 300 nodes' },
    ]);
  });
});
