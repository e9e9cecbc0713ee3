import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { SEEDED_RULES } from '../../demo/programme-rules.seed.js';
import {
  FACT_CATALOGUE,
  FactBasis,
  type FactName,
  type FactScalar,
  type JsonLogic,
  type ParameterValues,
  type PersonFacts,
  type ProgrammeRule,
} from '../contracts.js';
import { checkRule } from './check-rule.js';
import { compileRule, UNKNOWN } from './compile-rule.js';
import { truthy } from './operators.js';
import { parametersAsOf } from './parameters.js';

/**
 * The compiled evaluator agrees with json-logic-js (2.0.5, the reference implementation) on
 * complete facts, for random well-typed rules and for every seeded rule; and with facts missing,
 * whatever it decides (met or not met) is what json-logic-js says once the facts are there.
 */
let currentParams: ParameterValues = {};
jsonLogic.add_operation('param', (name: string) => currentParams[name]);

const reference = (logic: JsonLogic, data: Record<string, FactScalar>, params: ParameterValues): unknown => {
  currentParams = params;
  return jsonLogic.apply(logic as never, data);
};

const factsOfType = (type: string): FactName[] =>
  (Object.keys(FACT_CATALOGUE) as FactName[]).filter((f) => FACT_CATALOGUE[f].type === type);
const NUMBER_FACTS = factsOfType('number');
const BOOLEAN_FACTS = factsOfType('boolean');
const STRING_FACTS = factsOfType('string');
const LIST_FACTS = factsOfType('list');
const WORDS = ['GMI', 'TEBA', 'ROMA', '0802', '4912', 'FEMALE'];
const PARAMS = ['p1', 'p2', 'p3'];

const money = fc.oneof(
  fc.integer({ min: -5, max: 200_000 }),
  fc.integer({ min: 0, max: 2_000_000 }).map((c) => c / 100),
);

/** Well-typed JSON Logic: numbers, booleans, built from the whitelisted operators. */
const { bool, num } = fc.letrec<{ bool: JsonLogic; num: JsonLogic }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 8, depthIdentifier: 'rule' },
    money,
    fc.constantFrom(...NUMBER_FACTS).map((f) => ({ var: f })),
    fc.constantFrom(...PARAMS).map((p) => ({ param: p })),
    fc.tuple(fc.constantFrom('+', '-', '*', 'min', 'max'), tie('num'), tie('num')).map(([op, a, b]) => ({
      [op]: [a, b],
    })),
    fc
      .tuple(fc.constantFrom('+', '*', 'min', 'max'), fc.array(tie('num'), { minLength: 1, maxLength: 4 }))
      .map(([op, args]) => ({ [op]: args })),
    tie('num').map((a) => ({ '-': [a] })),
    fc.tuple(tie('num'), fc.integer({ min: 1, max: 12 })).map(([a, d]) => ({ '/': [a, d] })),
    fc.tuple(tie('num'), fc.integer({ min: 1, max: 12 })).map(([a, d]) => ({ '%': [a, d] })),
    fc.tuple(tie('bool'), tie('num'), tie('num')).map(([c, a, b]) => ({ if: [c, a, b] })),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 8, depthIdentifier: 'rule' },
    fc.boolean(),
    fc
      .tuple(fc.constantFrom('<', '<=', '>', '>=', '==', '===', '!=', '!=='), tie('num'), tie('num'))
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc.tuple(fc.constantFrom('<', '<='), tie('num'), tie('num'), tie('num')).map(([op, a, b, c]) => ({
      [op]: [a, b, c],
    })),
    fc
      .tuple(fc.constantFrom(...BOOLEAN_FACTS), fc.boolean(), fc.constantFrom('==', '!='))
      .map(([f, b, op]) => ({
        [op]: [{ var: f }, b],
      })),
    fc.constantFrom(...BOOLEAN_FACTS).map((f) => ({ var: f })),
    fc
      .tuple(fc.constantFrom(...WORDS), fc.constantFrom(...LIST_FACTS))
      .map(([w, f]) => ({ in: [w, { var: f }] })),
    fc
      .tuple(fc.constantFrom(...STRING_FACTS), fc.subarray(WORDS))
      .map(([f, ws]) => ({ in: [{ var: f }, ws] })),
    fc.tuple(fc.constantFrom('!', '!!'), tie('bool')).map(([op, a]) => ({ [op]: [a] })),
    fc
      .tuple(fc.constantFrom('and', 'or'), fc.array(tie('bool'), { minLength: 1, maxLength: 4 }))
      .map(([op, args]) => ({ [op]: args })),
    fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, a, b]) => ({ if: [c, a, b] })),
  ),
}));

const value = (fact: FactName): fc.Arbitrary<FactScalar> => {
  switch (FACT_CATALOGUE[fact].type) {
    case 'number':
      return money;
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.constantFrom(...WORDS);
    default:
      return fc.subarray(WORDS);
  }
};

const completeFacts = fc.record(
  Object.fromEntries((Object.keys(FACT_CATALOGUE) as FactName[]).map((f) => [f, value(f)])) as Record<
    FactName,
    fc.Arbitrary<FactScalar>
  >,
);
const params = fc.record({ p1: money, p2: money, p3: money });

const asFacts = (plain: Record<string, FactScalar>, drop: ReadonlySet<string> = new Set()): PersonFacts => {
  const out: PersonFacts = {};
  for (const [k, v] of Object.entries(plain))
    if (!drop.has(k))
      out[k as FactName] = { value: v, basis: FactBasis.FEED, source: 'TEST', asOf: '2024-01-01' };
  return out;
};

const same = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));

const ruleOf = (tests: JsonLogic[], amount?: JsonLogic): ProgrammeRule => ({
  criteria: tests.map((test, i) => ({ id: `c${i}`, el: `κ${i}`, en: `c${i}`, test })),
  ...(amount === undefined ? {} : { amount }),
});

describe('compiled rules against json-logic-js', () => {
  it('random well-typed rules: every criterion and the amount equal json-logic-js apply on complete facts', () => {
    fc.assert(
      fc.property(
        fc.array(bool, { minLength: 1, maxLength: 4 }),
        num,
        completeFacts,
        params,
        (tests, amount, plain, p) => {
          const rule = ruleOf(tests, amount);
          // The claim is about rules the checker accepts (no other is ever compiled); the depth
          // bound above keeps the generator within MAX_DEPTH, this skips a rare one over MAX_NODES.
          fc.pre(checkRule(rule, new Set(PARAMS)).length === 0);
          const compiled = compileRule(rule);
          const facts = asFacts(plain);
          tests.forEach((test, i) => {
            const mine = compiled.testValue(i, facts, p);
            const theirs = reference(test, plain, p);
            expect(truthy(mine)).toBe(truthy(theirs));
            if (typeof theirs !== 'object') expect(same(mine, theirs)).toBe(true);
          });
          expect(same(compiled.amountValue(facts, p), reference(amount, plain, p))).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('with facts missing, a criterion it decides is decided as json-logic-js decides it once they are known', () => {
    fc.assert(
      fc.property(
        fc.array(bool, { minLength: 1, maxLength: 4 }),
        completeFacts,
        params,
        fc.subarray(Object.keys(FACT_CATALOGUE)),
        (tests, plain, p, dropped) => {
          const compiled = compileRule(ruleOf(tests));
          const facts = asFacts(plain, new Set(dropped));
          tests.forEach((test, i) => {
            const mine = compiled.testValue(i, facts, p);
            if (mine !== UNKNOWN) expect(truthy(mine)).toBe(truthy(reference(test, plain, p)));
          });
          // The one-function outcome agrees with the criteria evaluated one by one.
          expect(compiled.outcome(facts, p)).toBe(
            compiled.evaluate(facts, p, 'en', { explain: false }).outcome,
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  for (const [code, seeded] of Object.entries(SEEDED_RULES)) {
    it(`${code}: criteria and amount equal json-logic-js apply for random people`, () => {
      const compiled = compileRule(seeded.rule);
      fc.assert(
        fc.property(
          completeFacts,
          fc.constantFrom('2023-11-30', '2023-12-01', '2024-06-01'),
          (plain, day) => {
            const p = parametersAsOf(seeded.parameters, day);
            const facts = asFacts(plain);
            seeded.rule.criteria.forEach((c, i) => {
              expect(truthy(compiled.testValue(i, facts, p))).toBe(truthy(reference(c.test, plain, p)));
            });
            if (seeded.rule.amount !== undefined)
              expect(same(compiled.amountValue(facts, p), reference(seeded.rule.amount, plain, p))).toBe(
                true,
              );
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});
