import { SEEDED_RULES } from '../demo/programme-rules.seed.js';
import { EligibilityOutcome, FactBasis, type PersonFacts } from './contracts.js';
import type { ProgrammeRow } from './entitlements.queries.js';
import { Language } from './language.js';
import { evaluateProgramme, outcomeOf, prepareProgramme } from './programme-evaluation.js';
import { parametersAsOf } from './rules/index.js';

let version = 0;
function row(code: string, overrides: Partial<ProgrammeRow> = {}): ProgrammeRow {
  const seeded = SEEDED_RULES[code];
  return {
    id: `00000000-0000-0000-0000-${String(++version).padStart(12, '0')}`,
    code,
    title: code,
    kind: 'CASH_BENEFIT' as ProgrammeRow['kind'],
    administering_body: 'ΟΠΕΚΑ',
    how_to_apply: null,
    where_to_apply: null,
    required_documents: [],
    target_groups: ['ALL_RESIDENTS'],
    eligibility_rule: seeded?.rule ?? null,
    version,
    parameters: (seeded?.parameters ?? []).map((p) => ({
      name: p.name,
      value: p.value,
      validFrom: p.validFrom,
      validTo: p.validTo ?? null,
    })),
    ...overrides,
  };
}

const facts = (values: Record<string, number | boolean>): PersonFacts =>
  Object.fromEntries(
    Object.entries(values).map(([k, value]) => [
      k,
      { value, basis: FactBasis.FEED, source: 'TAXIS', asOf: '2024-01-01' },
    ]),
  );
const single = facts({
  legal_residence: true,
  household_size: 1,
  household_adults: 1,
  household_minors: 0,
  household_income_last_6_months: 600,
  real_estate_value: 0,
  vehicle_value: 0,
});

describe('programme evaluation', () => {
  it('evaluates a seeded rule with the parameters of the day, explained and summarised', () => {
    const gmi = prepareProgramme(row('GMI'));
    expect(gmi.specialCategory).toBe(false);
    const en = evaluateProgramme(gmi, single, '2024-03-01', Language.EN);
    expect(en.evaluation).toMatchObject({ outcome: EligibilityOutcome.ELIGIBLE, amount: 116 });
    expect(en.summary).toBe('Likely eligible, amount 116.00 €');
    expect(evaluateProgramme(gmi, single, '2023-11-30', Language.EL).summary).toBe(
      'Πιθανότατα δικαιούται, ποσό 100,00 €',
    );
    expect(outcomeOf(gmi, single, parametersAsOf(gmi.row.parameters, '2024-03-01'))).toEqual({
      outcome: EligibilityOutcome.ELIGIBLE,
      amount: 116,
    });
  });

  it('names the missing facts in the summary of a programme it cannot tell', () => {
    const gmi = prepareProgramme(row('GMI'));
    const { household_income_last_6_months: _, ...rest } = single;
    const out = evaluateProgramme(gmi, rest, '2024-03-01', Language.EN);
    expect(out.evaluation.outcome).toBe(EligibilityOutcome.CANNOT_TELL);
    expect(out.summary).toBe('Cannot tell yet: missing Household income of the last 6 months');
  });

  it('leaves a programme without a usable rule to staff', () => {
    for (const rule of [
      null,
      { criteria: [{ id: 'x', el: 'x', en: 'x', test: { '<=': [{ var: 'no_such_fact' }, 1] } }] },
    ]) {
      const p = prepareProgramme(row('LOCAL', { eligibility_rule: rule }));
      expect(p.compiled).toBeUndefined();
      const out = evaluateProgramme(p, single, '2024-03-01', Language.EN);
      expect(out).toEqual({
        evaluation: { outcome: EligibilityOutcome.CANNOT_TELL, criteria: [] },
        summary: 'There is no eligibility rule: staff must assess eligibility',
      });
    }
  });

  it('marks as special category a programme for Roma or disabled people, or whose rule reads or names such data', () => {
    expect(prepareProgramme(row('DISABILITY-ALLOWANCE')).specialCategory).toBe(true);
    expect(prepareProgramme(row('LOCAL', { target_groups: ['ROMA'] })).specialCategory).toBe(true);
    const byGroup = {
      criteria: [{ id: 'g', el: 'g', en: 'g', test: { in: ['DISABILITY', { var: 'groups' }] } }],
    };
    expect(prepareProgramme(row('LOCAL', { eligibility_rule: byGroup })).specialCategory).toBe(true);
    expect(prepareProgramme(row('CHILD-BENEFIT')).specialCategory).toBe(false);
  });
});
