import { SEEDED_RULES } from '../../demo/programme-rules.seed.js';
import { checkRule } from './check-rule.js';
import { describeFailure, failingRuleCases } from './rule-cases.js';

/**
 * Every demo programme's rule passes checkRule and its stored cases: the cases are the
 * programme's own regression tests, run here in CI as on every save.
 */
describe('seeded programme rules', () => {
  for (const [code, seeded] of Object.entries(SEEDED_RULES)) {
    describe(code, () => {
      it('is a well-formed rule over its own parameters', () => {
        expect(checkRule(seeded.rule, new Set(seeded.parameters.map((p) => p.name)))).toEqual([]);
      });

      it(`answers its ${seeded.ruleCases.length} cases as expected`, () => {
        expect(seeded.ruleCases.length).toBeGreaterThan(0);
        expect(
          failingRuleCases(seeded.rule, seeded.parameters, seeded.ruleCases).map(describeFailure),
        ).toEqual([]);
      });
    });
  }
});
