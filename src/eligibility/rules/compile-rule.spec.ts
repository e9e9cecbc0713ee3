import { GMI_RULE, SEEDED_RULES } from '../../demo/programme-rules.seed.js';
import { CriterionStatus, EligibilityOutcome, type ProgrammeRule } from '../contracts.js';
import { compileRule, UNKNOWN } from './compile-rule.js';
import { formatMoney, formatQuantity } from './format.js';
import { parametersAsOf } from './parameters.js';
import { caseFacts, describeFailure, failingRuleCases } from './rule-cases.js';

const GMI = SEEDED_RULES.GMI!;
const gmi = compileRule(GMI_RULE);
const on = (day: string) => parametersAsOf(GMI.parameters, day);
const single = {
  legal_residence: true,
  household_size: 1,
  household_adults: 1,
  household_minors: 0,
  household_income_last_6_months: 600,
  real_estate_value: 50000,
  vehicle_value: 2000,
};
const facts = (plain: Record<string, number | boolean | string | string[]>) => caseFacts(plain, '2024-03-01');
const statuses = (r: { criteria: Array<{ id: string; status: CriterionStatus }> }) =>
  Object.fromEntries(r.criteria.map((c) => [c.id, c.status]));

describe('parametersAsOf', () => {
  it('takes for each name the period containing the day, both ends included', () => {
    expect(on('2023-11-30')).toMatchObject({
      guaranteed_amount_single: 200,
      guaranteed_amount_extra_adult: 100,
    });
    expect(on('2023-12-01')).toMatchObject({
      guaranteed_amount_single: 216,
      guaranteed_amount_per_minor: 54,
    });
    expect(on('2017-02-01').guaranteed_amount_single).toBe(200);
  });

  it('leaves out a parameter with no period on the day', () => {
    expect(on('2010-01-01')).toEqual({});
  });
});

describe('compileRule: three-valued evaluation', () => {
  it('is eligible when every criterion is met, with the amount', () => {
    const r = gmi.evaluate(facts(single), on('2024-03-01'), 'en');
    expect(r.outcome).toBe(EligibilityOutcome.ELIGIBLE);
    expect(r.amount).toBe(116);
    expect(r.criteria.every((c) => c.status === CriterionStatus.MET && c.missing.length === 0)).toBe(true);
    expect(gmi.outcome(facts(single), on('2024-03-01'))).toBe(EligibilityOutcome.ELIGIBLE);
  });

  it('cannot tell when a fact is missing, naming the fact and who supplies it; no amount', () => {
    const { household_income_last_6_months: _dropped, ...rest } = single;
    const r = gmi.evaluate(facts(rest), on('2024-03-01'), 'en');
    expect(r.outcome).toBe(EligibilityOutcome.CANNOT_TELL);
    expect(r.amount).toBeUndefined();
    expect(statuses(r)).toEqual({
      legal_residence: 'MET',
      income: 'MISSING_FACTS',
      real_estate: 'MET',
      vehicles: 'MET',
    });
    expect(r.criteria[1]!.missing).toEqual([
      { fact: 'household_income_last_6_months', suppliers: ['TAXIS', 'DOCUMENT'] },
    ]);
  });

  it('is not eligible when a criterion is not met, even with others missing', () => {
    const r = gmi.evaluate(facts({ legal_residence: true, vehicle_value: 6000.01 }), on('2024-03-01'), 'en');
    expect(r.outcome).toBe(EligibilityOutcome.NOT_ELIGIBLE);
    expect(statuses(r)).toEqual({
      legal_residence: 'MET',
      income: 'MISSING_FACTS',
      real_estate: 'MISSING_FACTS',
      vehicles: 'NOT_MET',
    });
    expect(r.criteria[3]!.shortfall).toBe(0.01);
    expect(gmi.outcome(facts({ vehicle_value: 6000.01 }), on('2024-03-01'))).toBe(
      EligibilityOutcome.NOT_ELIGIBLE,
    );
  });

  it('decides `or` with a true branch and `and` with a false one without the missing fact', () => {
    const rule: ProgrammeRule = {
      criteria: [
        {
          id: 'or',
          el: 'ή',
          en: 'or',
          test: { or: [{ '>=': [{ var: 'age' }, 65] }, { var: 'lives_alone' }] },
        },
        {
          id: 'and',
          el: 'και',
          en: 'and',
          test: { and: [{ '<': [{ var: 'age' }, 18] }, { var: 'lives_alone' }] },
        },
        {
          id: 'open',
          el: 'ανοιχτό',
          en: 'open',
          test: { or: [{ '<': [{ var: 'age' }, 18] }, { var: 'lives_alone' }] },
        },
        { id: 'default', el: 'προεπιλογή', en: 'default', test: { '!': [{ var: ['insured', false] }] } },
      ],
    };
    const compiled = compileRule(rule);
    const r = compiled.evaluate(facts({ age: 70 }), {}, 'en');
    expect(statuses(r)).toEqual({ or: 'MET', and: 'NOT_MET', open: 'MISSING_FACTS', default: 'MET' });
    expect(r.criteria[2]!.missing).toEqual([{ fact: 'lives_alone', suppliers: ['DOCUMENT'] }]);
    expect(compiled.testValue(2, facts({ age: 70 }), {})).toBe(UNKNOWN);
    expect(compiled.facts).toEqual(['age', 'lives_alone', 'insured']);
  });

  it('cannot tell when a parameter has no value on the day, and says which', () => {
    const r = gmi.evaluate(facts(single), on('2010-01-01'), 'en');
    expect(r.outcome).toBe(EligibilityOutcome.CANNOT_TELL);
    expect(r.criteria[3]!.explanation).toBe(
      'Vehicles worth at most €6,000: cannot tell yet — the programme has no value for parameter vehicle_limit on this date',
    );
  });

  it('uses the parameters of the day: the same income is over the limit on 2023-11-30 and within it on 2023-12-01', () => {
    const person = facts({ ...single, household_income_last_6_months: 1250 });
    expect(gmi.evaluate(person, on('2023-11-30'), 'en').outcome).toBe(EligibilityOutcome.NOT_ELIGIBLE);
    const after = gmi.evaluate(person, on('2023-12-01'), 'en');
    expect(after.outcome).toBe(EligibilityOutcome.ELIGIBLE);
    expect(after.amount).toBe(7.67);
  });

  it('computes the amount for a household: 216 + 108 + 2 × 54 less the monthly income', () => {
    const family = facts({
      ...single,
      household_size: 4,
      household_adults: 2,
      household_minors: 2,
      household_income_last_6_months: 1200,
    });
    expect(gmi.evaluate(family, on('2024-03-01'), 'el').amount).toBe(232);
    expect(gmi.amountValue(family, on('2024-03-01'))).toBe(232);
  });

  it('leaves explanations empty when asked not to explain', () => {
    const r = gmi.evaluate(facts(single), on('2024-03-01'), 'el', { explain: false });
    expect(r.criteria.map((c) => c.explanation)).toEqual(['', '', '', '']);
  });
});

describe('compileRule: explanations in Greek and English', () => {
  const over = facts({ ...single, household_income_last_6_months: 1450 });

  it('says by how much a limit is exceeded, in euro with a decimal comma in Greek', () => {
    const el = gmi.evaluate(over, on('2024-03-01'), 'el').criteria[1]!;
    const en = gmi.evaluate(over, on('2024-03-01'), 'en').criteria[1]!;
    expect(el.status).toBe(CriterionStatus.NOT_MET);
    expect(el.shortfall).toBe(154);
    expect(el.explanation).toBe(
      'Εισόδημα εξαμήνου έως 6 × το εγγυημένο ποσό: δεν πληρείται — Οικογενειακό εισόδημα τελευταίου εξαμήνου 1.450,00 € είναι κατά 154,00 € πάνω από το όριο 1.296,00 €',
    );
    expect(en.explanation).toBe(
      'Income of the last 6 months at most 6 × the guaranteed amount: not met — Household income of the last 6 months 1,450.00 € is 154.00 € over the limit 1,296.00 €',
    );
  });

  it('shows a met limit with its value', () => {
    expect(gmi.evaluate(facts(single), on('2024-03-01'), 'el').criteria[2]!.explanation).toBe(
      'Ακίνητη περιουσία έως 90.000 € + 15.000 € ανά επιπλέον μέλος (έως 150.000 €): πληρείται — Αξία ακίνητης περιουσίας 50.000,00 € ≤ όριο 90.000,00 €',
    );
  });

  it('says below a minimum, with units, and what a yes/no fact must be', () => {
    const elderly = SEEDED_RULES['UNINSURED-ELDERLY']!;
    const r = compileRule(elderly.rule);
    const params = parametersAsOf(elderly.parameters, '2024-03-01');
    const person = facts({ age: 66, receives_pension: true });
    expect(r.evaluate(person, params, 'en').criteria.map((c) => c.explanation)).toEqual([
      'Aged 67 or over: not met — Age 66 years is 1 year below the minimum 67 years',
      'Receives no pension: not met — Receives a pension: yes, must be no',
      'Not insured: cannot tell yet — missing: Insured (supplied by e-EFKA)',
    ]);
    expect(r.evaluate(person, params, 'el').criteria.map((c) => c.explanation)).toEqual([
      'Ηλικία τουλάχιστον 67 ετών: δεν πληρείται — Ηλικία 66 έτη είναι κατά 1 έτος κάτω από το ελάχιστο 67 έτη',
      'Δεν λαμβάνει σύνταξη: δεν πληρείται — Λαμβάνει σύνταξη: ναι, απαιτείται όχι',
      'Ανασφάλιστος/η: δεν μπορεί να κριθεί ακόμη — λείπει: Ασφαλισμένος (από e-ΕΦΚΑ)',
    ]);
  });

  it('names every supplier of a missing fact', () => {
    const r = gmi.evaluate(
      facts({ ...single, household_income_last_6_months: undefined as never }),
      on('2024-03-01'),
      'el',
    );
    expect(r.criteria[1]!.explanation).toBe(
      'Εισόδημα εξαμήνου έως 6 × το εγγυημένο ποσό: δεν μπορεί να κριθεί ακόμη — λείπει: Οικογενειακό εισόδημα τελευταίου εξαμήνου (από ΑΑΔΕ (TAXIS) ή δικαιολογητικό που προσκομίζει ο/η ενδιαφερόμενος/η)',
    );
  });

  it('formats money and quantities', () => {
    expect(formatMoney(1234567.891, 'el')).toBe('1.234.567,89 €');
    expect(formatMoney(1234567.891, 'en')).toBe('1,234,567.89 €');
    expect(formatMoney(-0.5, 'el')).toBe('-0,50 €');
    expect(formatQuantity(67.5, 'PERCENT', 'el')).toBe('67,5%');
    expect(formatQuantity(1, 'MONTHS', 'en')).toBe('1 month');
  });
});

describe('rule cases', () => {
  it('reports each case whose outcome or amount differs, expected against got', () => {
    const failures = failingRuleCases(GMI_RULE, GMI.parameters, [
      {
        name: 'right',
        asOf: '2024-03-01',
        facts: single,
        expectedOutcome: EligibilityOutcome.ELIGIBLE,
        expectedAmount: 116,
      },
      {
        name: 'wrong amount',
        asOf: '2024-03-01',
        facts: single,
        expectedOutcome: EligibilityOutcome.ELIGIBLE,
        expectedAmount: '115.99',
      },
      {
        name: 'wrong outcome',
        asOf: '2023-11-30',
        facts: { ...single, household_income_last_6_months: 1250 },
        expectedOutcome: EligibilityOutcome.ELIGIBLE,
      },
    ]);
    expect(failures.map((f) => [f.index, describeFailure(f)])).toEqual([
      [1, '"wrong amount": expected ELIGIBLE 115.99, got ELIGIBLE 116.00'],
      [2, '"wrong outcome": expected ELIGIBLE, got NOT_ELIGIBLE'],
    ]);
  });
});
