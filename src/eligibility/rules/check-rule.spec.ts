import { checkRule } from './check-rule.js';
import { MAX_CRITERIA, MAX_DEPTH, MAX_NODES } from './operators.js';

const PARAMS = new Set(['limit', 'min_age']);
const criterion = (test: unknown, id = 'c') => ({ id, el: 'Κριτήριο', en: 'Criterion', test });
const ruleOf = (...tests: unknown[]) => ({ criteria: tests.map((t, i) => criterion(t, `c${i}`)) });

describe('checkRule', () => {
  it('accepts a well-typed rule with an amount', () => {
    expect(
      checkRule(
        {
          criteria: [
            criterion(
              { '<=': [{ var: 'household_income_last_6_months' }, { '*': [6, { param: 'limit' }] }] },
              'income',
            ),
            criterion(
              {
                or: [
                  { '>=': [{ var: 'age' }, { param: 'min_age' }] },
                  { in: ['DISABILITY', { var: 'groups' }] },
                ],
              },
              'who',
            ),
            criterion({ '==': [{ var: 'municipality_code' }, '0802'] }, 'where'),
            criterion({ '!': { var: 'receives_pension' } }, 'pension'),
            criterion({ '<=': [5, { var: 'age' }, 12] }, 'between'),
          ],
          amount: {
            max: [0, { '-': [{ param: 'limit' }, { '/': [{ var: 'household_income_last_6_months' }, 6] }] }],
          },
        },
        PARAMS,
      ),
    ).toEqual([]);
  });

  const refused: Array<[string, unknown, Array<{ field: string; reason: string | RegExp }>]> = [
    ['not an object', [1], [{ field: 'eligibilityRule', reason: /^a rule is \{ "criteria"/ }]],
    [
      'unknown top-level keys',
      { ...ruleOf(true), all: [] },
      [{ field: 'eligibilityRule', reason: 'unknown keys all; a rule has criteria and an optional amount' }],
    ],
    [
      'no criteria',
      { criteria: [] },
      [{ field: 'eligibilityRule.criteria', reason: 'a rule needs a non-empty list of criteria' }],
    ],
    [
      'too many criteria',
      ruleOf(...Array.from({ length: MAX_CRITERIA + 1 }, () => true)),
      [{ field: 'eligibilityRule.criteria', reason: `a rule may have at most ${MAX_CRITERIA} criteria` }],
    ],
    [
      'a criterion id used twice',
      { criteria: [criterion(true, 'age'), criterion(false, 'age')] },
      [{ field: 'eligibilityRule.criteria.1.id', reason: 'id "age" is also the id of criteria.0' }],
    ],
    [
      'a criterion without its Greek text',
      { criteria: [{ id: 'a', el: ' ', en: 'A', test: true }] },
      [{ field: 'eligibilityRule.criteria.0.el', reason: 'the criterion in Greek is 1 to 500 characters' }],
    ],
    [
      'an unknown operator',
      ruleOf(true, { between: [{ var: 'age' }, 1, 2] }),
      [
        {
          field: 'eligibilityRule.criteria.1.test',
          reason: /^unknown operator "between"; allowed: var param/,
        },
      ],
    ],
    [
      'an operation with two operators',
      ruleOf({ '<': [1, 2], '>': [1, 2] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test',
          reason: 'an operation has exactly one operator (found <, >)',
        },
      ],
    ],
    [
      'an unknown fact',
      ruleOf({ '>=': [{ var: 'salary' }, 1] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.>=.0.var',
          reason: /^unknown fact "salary"; known: age, gender/,
        },
      ],
    ],
    [
      'a parameter the programme does not have',
      ruleOf({ '>=': [{ var: 'age' }, { param: 'max_age' }] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.>=.1.param',
          reason: 'there is no parameter "max_age" in this programme (parameters: limit, min_age)',
        },
      ],
    ],
    [
      'a boolean fact compared with a number',
      ruleOf({ '==': [{ var: 'unemployed' }, 1] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.==',
          reason: '"==" compares values of one type: fact unemployed is a boolean, 1 is a number',
        },
      ],
    ],
    [
      'a boolean fact ordered against a number',
      ruleOf({ '>': [{ var: 'unemployed' }, 1] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.>.0',
          reason: '">" needs numbers; fact unemployed is a boolean',
        },
      ],
    ],
    [
      'arithmetic on a list',
      ruleOf({ '>': [{ '+': [{ var: 'groups' }, 1] }, 1] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.>.0.+.0',
          reason: '"+" needs numbers; fact groups is a list',
        },
      ],
    ],
    [
      'lists compared with ==',
      ruleOf({ '==': [{ var: 'groups' }, ['ROMA']] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.==',
          reason: '"==" cannot compare lists; use "in" to ask whether a list holds a value',
        },
      ],
    ],
    [
      '"in" over a number',
      ruleOf({ in: ['GMI', { var: 'age' }] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.in.1',
          reason: '"in" looks in a list or a string; fact age is a number',
        },
      ],
    ],
    [
      'a test that is a number',
      ruleOf({ '+': [{ var: 'age' }, 1] }),
      [{ field: 'eligibilityRule.criteria.0.test', reason: 'a test must be true or false, not a number' }],
    ],
    [
      'a wrong number of arguments',
      ruleOf({ '>=': [{ var: 'age' }] }),
      [{ field: 'eligibilityRule.criteria.0.test.>=', reason: '">=" takes 2 arguments, got 1' }],
    ],
    [
      '"if" without an else',
      ruleOf({ if: [{ var: 'insured' }, true] }),
      [{ field: 'eligibilityRule.criteria.0.test.if', reason: '"if" takes at least 3 arguments, got 2' }],
    ],
    [
      'an amount that is not a number',
      { ...ruleOf(true), amount: { '>': [{ var: 'age' }, 1] } },
      [{ field: 'eligibilityRule.amount', reason: 'the amount must be a number (euro), not a boolean' }],
    ],
    [
      'a var default of another type',
      ruleOf({ '>=': [{ var: ['age', 'old'] }, 67] }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.>=.0.var.1',
          reason: 'the default of age must be a number, not a string',
        },
      ],
    ],
    [
      'a missing_some without its count',
      ruleOf({ '!': { missing_some: ['x', ['age']] } }),
      [
        {
          field: 'eligibilityRule.criteria.0.test.!.missing_some.0',
          reason: '"missing_some" takes [how many are needed, [facts]]',
        },
      ],
    ],
  ];

  it.each(refused)('refuses %s, naming the part', (_what, rule, expected) => {
    const problems = checkRule(rule, PARAMS);
    expect(problems).toEqual(
      expected.map((e) => ({
        field: e.field,
        reason: typeof e.reason === 'string' ? e.reason : expect.stringMatching(e.reason),
      })),
    );
  });

  it('bounds the depth of an expression', () => {
    let test: unknown = { '==': [{ var: 'insured' }, true] };
    for (let i = 0; i < MAX_DEPTH; i++) test = { '!': [test] };
    const problems = checkRule(ruleOf(test), PARAMS);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toBe(`an expression may nest at most ${MAX_DEPTH} levels deep`);
    expect(problems[0]!.field).toMatch(/^eligibilityRule\.criteria\.0\.test(\.!\.0)+/);
  });

  it('bounds the size of a rule, and says so once', () => {
    const wide = { or: Array.from({ length: MAX_NODES }, () => ({ '==': [{ var: 'insured' }, true] })) };
    expect(checkRule(ruleOf(wide), PARAMS)).toEqual([
      {
        field: 'eligibilityRule',
        reason: `a rule may hold at most ${MAX_NODES} nodes (values and operations)`,
      },
    ]);
  });

  it('reports every problem of a rule, each with its own path', () => {
    const problems = checkRule(
      ruleOf({ '>': [{ var: 'unemployed' }, 1] }, { '==': [{ var: 'nope' }, 1] }, { foo: 1 }),
      PARAMS,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'eligibilityRule.criteria.0.test.>.0',
      'eligibilityRule.criteria.1.test.==.0.var',
      'eligibilityRule.criteria.2.test',
    ]);
  });
});
