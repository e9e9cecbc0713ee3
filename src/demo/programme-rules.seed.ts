import { EligibilityOutcome, type JsonLogic, type ProgrammeRule } from '../eligibility/contracts.js';
import type { RuleCase } from '../eligibility/rules/rule-cases.js';
import { ParameterUnit } from '../programmes/programme.entity.js';
import type { ParameterInput } from '../programmes/dto/programme.input.js';

/**
 * The demo programmes' eligibility rules (JSON Logic, docs/entitlements.md "Rules"), their dated
 * parameters and the test cases stored with each: a boundary exactly at a threshold, one cent
 * over, a missing fact, and (GMI) the day the amounts changed. The national rules follow
 * DOMAIN.md; numbers marked VERIFY are from secondary sources. The local programmes' rules
 * (social grocery, social pharmacy, ΚΑΠΗ, ΚΔΑΠ) are illustrative: each municipality sets its own.
 */
const { ELIGIBLE, NOT_ELIGIBLE, CANNOT_TELL } = EligibilityOutcome;
const VERIFY = 'from DOMAIN.md; verify before relying on it';
const ILLUSTRATIVE = 'illustrative: the municipality sets its own';

const v = (fact: string): JsonLogic => ({ var: fact });
const p = (name: string): JsonLogic => ({ param: name });
/** Members beyond the first (0 for a one-person household). */
const extra = (fact: string): JsonLogic => ({ max: [0, { '-': [v(fact), 1] }] });

export interface SeededRule {
  rule: ProgrammeRule;
  ruleCases: RuleCase[];
  parameters: ParameterInput[];
}

const EUR_MONTH = ParameterUnit.EUR_PER_MONTH;
const EUR = ParameterUnit.EUR;
const param = (
  name: string,
  value: string,
  unit: ParameterUnit,
  validFrom: string,
  validTo?: string,
  description?: string,
): ParameterInput => ({ name, value, unit, validFrom, validTo, description });

// ---------------------------------------------------------------- guaranteed minimum income
/** 216 + 108 per extra adult + 54 per minor (from 2023-12-01; 200/100/50 before). */
const GMI_GUARANTEED: JsonLogic = {
  '+': [
    p('guaranteed_amount_single'),
    { '*': [p('guaranteed_amount_extra_adult'), extra('household_adults')] },
    { '*': [p('guaranteed_amount_per_minor'), v('household_minors')] },
  ],
};

export const GMI_RULE: ProgrammeRule = {
  criteria: [
    {
      id: 'legal_residence',
      el: 'Νόμιμη και μόνιμη διαμονή στην Ελλάδα',
      en: 'Legal and permanent residence in Greece',
      test: { '==': [v('legal_residence'), true] },
    },
    {
      id: 'income',
      el: 'Εισόδημα εξαμήνου έως 6 × το εγγυημένο ποσό',
      en: 'Income of the last 6 months at most 6 × the guaranteed amount',
      test: { '<=': [v('household_income_last_6_months'), { '*': [6, GMI_GUARANTEED] }] },
    },
    {
      id: 'real_estate',
      el: 'Ακίνητη περιουσία έως 90.000 € + 15.000 € ανά επιπλέον μέλος (έως 150.000 €)',
      en: 'Real estate at most €90,000 + €15,000 per extra member (at most €150,000)',
      test: {
        '<=': [
          v('real_estate_value'),
          {
            min: [
              p('real_estate_limit_max'),
              {
                '+': [
                  p('real_estate_limit_single'),
                  { '*': [p('real_estate_limit_extra_member'), extra('household_size')] },
                ],
              },
            ],
          },
        ],
      },
    },
    {
      id: 'vehicles',
      el: 'Αξία οχημάτων έως 6.000 €',
      en: 'Vehicles worth at most €6,000',
      test: { '<=': [v('vehicle_value'), p('vehicle_limit')] },
    },
  ],
  /** The guaranteed amount less the household's average monthly income of the 6 months. */
  amount: { '-': [GMI_GUARANTEED, { '/': [v('household_income_last_6_months'), 6] }] },
};

const single = {
  legal_residence: true,
  household_size: 1,
  household_adults: 1,
  household_minors: 0,
  household_income_last_6_months: 600,
  real_estate_value: 50000,
  vehicle_value: 2000,
};
const without = (facts: RuleCase['facts'], name: string): RuleCase['facts'] =>
  Object.fromEntries(Object.entries(facts).filter(([k]) => k !== name));
const family = { ...single, household_size: 4, household_adults: 2, household_minors: 2 };

const GMI: SeededRule = {
  rule: GMI_RULE,
  parameters: [
    param('guaranteed_amount_single', '200.00', EUR_MONTH, '2017-02-01', '2023-11-30'),
    param('guaranteed_amount_single', '216.00', EUR_MONTH, '2023-12-01'),
    param('guaranteed_amount_extra_adult', '100.00', EUR_MONTH, '2017-02-01', '2023-11-30'),
    param('guaranteed_amount_extra_adult', '108.00', EUR_MONTH, '2023-12-01'),
    param('guaranteed_amount_per_minor', '50.00', EUR_MONTH, '2017-02-01', '2023-11-30'),
    param('guaranteed_amount_per_minor', '54.00', EUR_MONTH, '2023-12-01'),
    param('real_estate_limit_single', '90000.00', EUR, '2017-02-01', undefined, VERIFY),
    param('real_estate_limit_extra_member', '15000.00', EUR, '2017-02-01', undefined, VERIFY),
    param('real_estate_limit_max', '150000.00', EUR, '2017-02-01', undefined, VERIFY),
    param('vehicle_limit', '6000.00', EUR, '2017-02-01', undefined, VERIFY),
  ],
  ruleCases: [
    {
      name: 'one person, income of 6 months 600: receives 216 - 100',
      asOf: '2024-03-01',
      facts: single,
      expectedOutcome: ELIGIBLE,
      expectedAmount: 116,
    },
    {
      name: 'one person, income exactly 6 × 216 = 1296',
      asOf: '2024-03-01',
      facts: { ...single, household_income_last_6_months: 1296 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 0,
    },
    {
      name: 'one person, income one cent over 1296',
      asOf: '2024-03-01',
      facts: { ...single, household_income_last_6_months: 1296.01 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'income 1250 on 2023-11-30: over the old limit 6 × 200',
      asOf: '2023-11-30',
      facts: { ...single, household_income_last_6_months: 1250 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'income 1250 on 2023-12-01: within the new limit 6 × 216',
      asOf: '2023-12-01',
      facts: { ...single, household_income_last_6_months: 1250 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 7.67,
    },
    {
      name: 'two adults, two minors: 216 + 108 + 2 × 54 = 432, less 1200 / 6',
      asOf: '2024-03-01',
      facts: { ...family, household_income_last_6_months: 1200 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 232,
    },
    {
      name: 'two adults, two minors before 2023-12-01: 200 + 100 + 2 × 50 = 400, less 1200 / 6',
      asOf: '2023-11-30',
      facts: { ...family, household_income_last_6_months: 1200 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 200,
    },
    {
      name: 'four members, real estate exactly 90000 + 3 × 15000',
      asOf: '2024-03-01',
      facts: { ...family, real_estate_value: 135000 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 332,
    },
    {
      name: 'four members, real estate one cent over 135000',
      asOf: '2024-03-01',
      facts: { ...family, real_estate_value: 135000.01 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'seven members, real estate one cent over the cap 150000',
      asOf: '2024-03-01',
      facts: { ...family, household_size: 7, household_minors: 5, real_estate_value: 150000.01 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'vehicles exactly 6000',
      asOf: '2024-03-01',
      facts: { ...single, vehicle_value: 6000 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 116,
    },
    {
      name: 'vehicles one cent over 6000',
      asOf: '2024-03-01',
      facts: { ...single, vehicle_value: 6000.01 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'income of the last 6 months missing: cannot tell',
      asOf: '2024-03-01',
      facts: without(single, 'household_income_last_6_months'),
      expectedOutcome: CANNOT_TELL,
      expectedAmount: null,
    },
    {
      name: 'income missing but vehicles over the limit: not eligible all the same',
      asOf: '2024-03-01',
      facts: { legal_residence: true, household_size: 1, vehicle_value: 9000 },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
    {
      name: 'no legal residence',
      asOf: '2024-03-01',
      facts: { ...single, legal_residence: false },
      expectedOutcome: NOT_ELIGIBLE,
      expectedAmount: null,
    },
  ],
};

// ---------------------------------------------------------------- TEBA
const TEBA: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'receives_gmi',
        el: 'Δικαιούχος του Ελάχιστου Εγγυημένου Εισοδήματος',
        en: 'Receives the guaranteed minimum income',
        test: {
          or: [{ in: ['GMI', v('enrolled_programmes')] }, { in: ['GMI', v('benefits_received')] }],
        },
      },
    ],
  },
  parameters: [],
  ruleCases: [
    {
      name: 'enrolled in GMI',
      asOf: '2024-03-01',
      facts: { enrolled_programmes: ['GMI'] },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'GMI paid by OPEKA, enrolments unknown: decided by the benefit alone',
      asOf: '2024-03-01',
      facts: { benefits_received: ['CHILD-BENEFIT', 'GMI'] },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'no enrolment, benefits unknown: cannot tell',
      asOf: '2024-03-01',
      facts: { enrolled_programmes: [] },
      expectedOutcome: CANNOT_TELL,
    },
    {
      name: 'neither enrolled in nor paid GMI',
      asOf: '2024-03-01',
      facts: { enrolled_programmes: ['KAPI-4912'], benefits_received: ['HOUSING-BENEFIT'] },
      expectedOutcome: NOT_ELIGIBLE,
    },
  ],
};

// ---------------------------------------------------------------- child benefit
/** Equivalised income: annual income / (1 + 0.5 per extra adult + 0.25 per minor) (VERIFY). */
const EQUIVALISED: JsonLogic = {
  '/': [
    v('household_income_annual'),
    { '+': [1, { '*': [0.5, extra('household_adults')] }, { '*': [0.25, v('household_minors')] }] },
  ],
};

const CHILD_BENEFIT: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'has_minors',
        el: 'Τουλάχιστον ένα ανήλικο μέλος',
        en: 'At least one minor in the household',
        test: { '>=': [v('household_minors'), 1] },
      },
      {
        id: 'equivalised_income',
        el: 'Ισοδύναμο εισόδημα έως το ανώτατο κλιμάκιο',
        en: 'Equivalised income within the highest band',
        test: { '<=': [EQUIVALISED, p('equivalised_income_band_3')] },
      },
    ],
    amount: {
      '*': [
        v('household_minors'),
        {
          if: [
            { '<=': [EQUIVALISED, p('equivalised_income_band_1')] },
            p('amount_per_child_band_1'),
            { '<=': [EQUIVALISED, p('equivalised_income_band_2')] },
            p('amount_per_child_band_2'),
            p('amount_per_child_band_3'),
          ],
        },
      ],
    },
  },
  parameters: [
    param(
      'equivalised_income_band_1',
      '6000.00',
      ParameterUnit.EUR_PER_YEAR,
      '2018-01-01',
      undefined,
      VERIFY,
    ),
    param(
      'equivalised_income_band_2',
      '10000.00',
      ParameterUnit.EUR_PER_YEAR,
      '2018-01-01',
      undefined,
      VERIFY,
    ),
    param(
      'equivalised_income_band_3',
      '15000.00',
      ParameterUnit.EUR_PER_YEAR,
      '2018-01-01',
      undefined,
      VERIFY,
    ),
    param('amount_per_child_band_1', '70.00', EUR_MONTH, '2018-01-01', undefined, VERIFY),
    param('amount_per_child_band_2', '42.00', EUR_MONTH, '2018-01-01', undefined, VERIFY),
    param('amount_per_child_band_3', '28.00', EUR_MONTH, '2018-01-01', undefined, VERIFY),
  ],
  // Two adults and two minors: the scale is 1 + 0.5 + 2 × 0.25 = 2.
  ruleCases: [
    {
      name: 'equivalised income exactly 6000: first band',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 2, household_income_annual: 12000 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 140,
    },
    {
      name: 'equivalised income one cent over 6000: second band',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 2, household_income_annual: 12000.02 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 84,
    },
    {
      name: 'equivalised income exactly 15000: third band',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 2, household_income_annual: 30000 },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 56,
    },
    {
      name: 'equivalised income one cent over 15000',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 2, household_income_annual: 30000.02 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'no minors',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 0, household_income_annual: 5000 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'income missing',
      asOf: '2024-03-01',
      facts: { household_adults: 2, household_minors: 2 },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

// ---------------------------------------------------------------- housing benefit
const HOUSING_BENEFIT: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'active_lease',
        el: 'Ενεργό μισθωτήριο κύριας κατοικίας',
        en: 'Active lease of the main home',
        test: { '==': [v('has_active_lease'), true] },
      },
      {
        id: 'income',
        el: 'Ετήσιο εισόδημα έως 7.000 € + 3.500 € ανά επιπλέον μέλος (έως 21.000 €)',
        en: 'Annual income at most €7,000 + €3,500 per extra member (at most €21,000)',
        test: {
          '<=': [
            v('household_income_annual'),
            {
              min: [
                p('income_limit_max'),
                {
                  '+': [
                    p('income_limit_single'),
                    { '*': [p('income_limit_extra_member'), extra('household_size')] },
                  ],
                },
              ],
            },
          ],
        },
      },
      {
        id: 'real_estate',
        el: 'Ακίνητη περιουσία έως 120.000 € + 15.000 € ανά επιπλέον μέλος (έως 180.000 €)',
        en: 'Real estate at most €120,000 + €15,000 per extra member (at most €180,000)',
        test: {
          '<=': [
            v('real_estate_value'),
            {
              min: [
                p('real_estate_limit_max'),
                {
                  '+': [
                    p('real_estate_limit_single'),
                    { '*': [p('real_estate_limit_extra_member'), extra('household_size')] },
                  ],
                },
              ],
            },
          ],
        },
      },
    ],
    amount: {
      min: [
        p('max_amount'),
        { '+': [p('base_amount'), { '*': [p('amount_per_extra_member'), extra('household_size')] }] },
      ],
    },
  },
  parameters: [
    param('base_amount', '70.00', EUR_MONTH, '2019-01-01', undefined, VERIFY),
    param('amount_per_extra_member', '35.00', EUR_MONTH, '2019-01-01', undefined, VERIFY),
    param('max_amount', '210.00', EUR_MONTH, '2019-01-01', undefined, VERIFY),
    param('income_limit_single', '7000.00', ParameterUnit.EUR_PER_YEAR, '2019-01-01', undefined, VERIFY),
    param(
      'income_limit_extra_member',
      '3500.00',
      ParameterUnit.EUR_PER_YEAR,
      '2019-01-01',
      undefined,
      VERIFY,
    ),
    param('income_limit_max', '21000.00', ParameterUnit.EUR_PER_YEAR, '2019-01-01', undefined, VERIFY),
    param('real_estate_limit_single', '120000.00', EUR, '2019-01-01', undefined, VERIFY),
    param('real_estate_limit_extra_member', '15000.00', EUR, '2019-01-01', undefined, VERIFY),
    param('real_estate_limit_max', '180000.00', EUR, '2019-01-01', undefined, VERIFY),
  ],
  ruleCases: [
    {
      name: 'one person, income exactly 7000',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: true,
        household_size: 1,
        household_income_annual: 7000,
        real_estate_value: 0,
      },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 70,
    },
    {
      name: 'one person, income one cent over 7000',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: true,
        household_size: 1,
        household_income_annual: 7000.01,
        real_estate_value: 0,
      },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'three members: 70 + 2 × 35',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: true,
        household_size: 3,
        household_income_annual: 14000,
        real_estate_value: 150000,
      },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 140,
    },
    {
      name: 'seven members: the amount stops at 210',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: true,
        household_size: 7,
        household_income_annual: 21000,
        real_estate_value: 180000,
      },
      expectedOutcome: ELIGIBLE,
      expectedAmount: 210,
    },
    {
      name: 'seven members, real estate one cent over the cap 180000',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: true,
        household_size: 7,
        household_income_annual: 1000,
        real_estate_value: 180000.01,
      },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'no active lease',
      asOf: '2024-03-01',
      facts: {
        has_active_lease: false,
        household_size: 1,
        household_income_annual: 1000,
        real_estate_value: 0,
      },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'lease unknown',
      asOf: '2024-03-01',
      facts: { household_size: 1, household_income_annual: 1000, real_estate_value: 0 },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

// ---------------------------------------------------------------- uninsured elderly
const UNINSURED_ELDERLY: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'age',
        el: 'Ηλικία τουλάχιστον 67 ετών',
        en: 'Aged 67 or over',
        test: { '>=': [v('age'), p('min_age')] },
      },
      {
        id: 'no_pension',
        el: 'Δεν λαμβάνει σύνταξη',
        en: 'Receives no pension',
        test: { '==': [v('receives_pension'), false] },
      },
      { id: 'uninsured', el: 'Ανασφάλιστος/η', en: 'Not insured', test: { '==': [v('insured'), false] } },
    ],
  },
  parameters: [param('min_age', '67.00', ParameterUnit.YEARS, '2017-01-01', undefined, VERIFY)],
  ruleCases: [
    {
      name: 'exactly 67, no pension, uninsured',
      asOf: '2024-03-01',
      facts: { age: 67, receives_pension: false, insured: false },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'aged 66',
      asOf: '2024-03-01',
      facts: { age: 66, receives_pension: false, insured: false },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'pension unknown (no e-EFKA record yet)',
      asOf: '2024-03-01',
      facts: { age: 70, insured: false },
      expectedOutcome: CANNOT_TELL,
    },
    {
      name: 'receives a pension',
      asOf: '2024-03-01',
      facts: { age: 70, receives_pension: true, insured: false },
      expectedOutcome: NOT_ELIGIBLE,
    },
  ],
};

// ---------------------------------------------------------------- home help
const HOME_HELP: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'elderly_or_disabled',
        el: 'Ηλικία 65+ ή αναπηρία τουλάχιστον 67%',
        en: 'Aged 65 or over, or a disability of at least 67%',
        test: {
          or: [
            { '>=': [v('age'), p('min_age')] },
            { '>=': [v('disability_percentage'), p('min_disability_percentage')] },
          ],
        },
      },
      {
        id: 'not_self_sufficient',
        el: 'Δεν αυτοεξυπηρετείται',
        en: 'Cannot look after themselves',
        test: { '==': [v('self_sufficient'), false] },
      },
      { id: 'lives_alone', el: 'Ζει μόνος/η', en: 'Lives alone', test: { '==': [v('lives_alone'), true] } },
      {
        id: 'low_means',
        el: 'Χαμηλό εισόδημα',
        en: 'Low income',
        test: { '<=': [v('household_income_annual'), p('income_limit')] },
      },
    ],
  },
  parameters: [
    param('min_age', '65.00', ParameterUnit.YEARS, '2017-01-01', undefined, VERIFY),
    param('min_disability_percentage', '67.00', ParameterUnit.PERCENT, '2017-01-01', undefined, VERIFY),
    param('income_limit', '9000.00', ParameterUnit.EUR_PER_YEAR, '2017-01-01', undefined, ILLUSTRATIVE),
  ],
  ruleCases: [
    {
      name: 'aged 65 exactly, disability unknown: decided by age',
      asOf: '2024-03-01',
      facts: { age: 65, self_sufficient: false, lives_alone: true, household_income_annual: 9000 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'aged 50 with a 67% disability',
      asOf: '2024-03-01',
      facts: {
        age: 50,
        disability_percentage: 67,
        self_sufficient: false,
        lives_alone: true,
        household_income_annual: 5000,
      },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'aged 64, disability unknown: cannot tell',
      asOf: '2024-03-01',
      facts: { age: 64, self_sufficient: false, lives_alone: true, household_income_annual: 5000 },
      expectedOutcome: CANNOT_TELL,
    },
    {
      name: 'income one cent over 9000',
      asOf: '2024-03-01',
      facts: { age: 80, self_sufficient: false, lives_alone: true, household_income_annual: 9000.01 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'does not live alone',
      asOf: '2024-03-01',
      facts: { age: 80, self_sufficient: false, lives_alone: false, household_income_annual: 5000 },
      expectedOutcome: NOT_ELIGIBLE,
    },
  ],
};

// ---------------------------------------------------------------- disability allowance
const DISABILITY_ALLOWANCE: SeededRule = {
  rule: {
    criteria: [
      {
        id: 'kepa_percentage',
        el: 'Γνωμάτευση ΚΕΠΑ με ποσοστό τουλάχιστον 67%',
        en: 'KEPA certification of at least 67%',
        test: { '>=': [v('disability_percentage'), p('min_disability_percentage')] },
      },
    ],
  },
  parameters: [
    param('min_disability_percentage', '67.00', ParameterUnit.PERCENT, '2017-01-01', undefined, VERIFY),
  ],
  ruleCases: [
    {
      name: 'exactly 67%',
      asOf: '2024-03-01',
      facts: { disability_percentage: 67 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: '66.99%',
      asOf: '2024-03-01',
      facts: { disability_percentage: 66.99 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    { name: 'no KEPA certification on record', asOf: '2024-03-01', facts: {}, expectedOutcome: CANNOT_TELL },
  ],
};

// ---------------------------------------------------------------- local programmes (illustrative)
const residentOf = (code: string, el: string, en: string) => ({
  id: 'resident',
  el: `Κάτοικος ${el}`,
  en: `Resident of ${en}`,
  test: { '==': [v('municipality_code'), code] } as JsonLogic,
});
const localIncome = {
  id: 'income',
  el: 'Ετήσιο εισόδημα έως το όριο του δήμου ανά μέλος νοικοκυριού',
  en: "Annual income within the municipality's limit for the household",
  test: {
    '<=': [
      v('household_income_annual'),
      { '+': [p('income_limit_single'), { '*': [p('income_limit_extra_member'), extra('household_size')] }] },
    ],
  } as JsonLogic,
};
const localIncomeParameters = [
  param('income_limit_single', '6000.00', ParameterUnit.EUR_PER_YEAR, '2020-01-01', undefined, ILLUSTRATIVE),
  param(
    'income_limit_extra_member',
    '3000.00',
    ParameterUnit.EUR_PER_YEAR,
    '2020-01-01',
    undefined,
    ILLUSTRATIVE,
  ),
];

const SOCIAL_GROCERY: SeededRule = {
  rule: { criteria: [residentOf('0802', 'Αλεξάνδρειας', 'Alexandreia'), localIncome] },
  parameters: localIncomeParameters,
  ruleCases: [
    {
      name: 'two members, income exactly 6000 + 3000',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', household_size: 2, household_income_annual: 9000 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'two members, income one cent over 9000',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', household_size: 2, household_income_annual: 9000.01 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'lives in another municipality',
      asOf: '2024-03-01',
      facts: { municipality_code: '4912', household_size: 1, household_income_annual: 1000 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'income unknown',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', household_size: 1 },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

const SOCIAL_PHARMACY: SeededRule = {
  rule: {
    criteria: [
      residentOf('0802', 'Αλεξάνδρειας', 'Alexandreia'),
      {
        id: 'uninsured_or_low_income',
        el: 'Ανασφάλιστος/η ή με χαμηλό εισόδημα',
        en: 'Uninsured, or on a low income',
        test: { or: [{ '==': [v('insured'), false] }, localIncome.test] },
      },
    ],
  },
  parameters: localIncomeParameters,
  ruleCases: [
    {
      name: 'uninsured, income unknown: decided by insurance',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', insured: false },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'insured, one person, income exactly 6000',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', insured: true, household_size: 1, household_income_annual: 6000 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'insured, one person, income one cent over 6000',
      asOf: '2024-03-01',
      facts: {
        municipality_code: '0802',
        insured: true,
        household_size: 1,
        household_income_annual: 6000.01,
      },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'insured, income unknown',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', insured: true, household_size: 1 },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

const KAPI: SeededRule = {
  rule: {
    criteria: [
      residentOf('4912', 'Σπάτων - Αρτέμιδος', 'Spata - Artemida'),
      { id: 'age', el: 'Ηλικία 60+', en: 'Aged 60 or over', test: { '>=': [v('age'), p('min_age')] } },
    ],
  },
  parameters: [param('min_age', '60.00', ParameterUnit.YEARS, '2020-01-01', undefined, ILLUSTRATIVE)],
  ruleCases: [
    {
      name: 'exactly 60',
      asOf: '2024-03-01',
      facts: { municipality_code: '4912', age: 60 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'aged 59',
      asOf: '2024-03-01',
      facts: { municipality_code: '4912', age: 59 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'age unknown',
      asOf: '2024-03-01',
      facts: { municipality_code: '4912' },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

const KDAP: SeededRule = {
  rule: {
    criteria: [
      residentOf('0802', 'Αλεξάνδρειας', 'Alexandreia'),
      {
        id: 'school_age',
        el: 'Παιδί 5 έως 12 ετών',
        en: 'A child aged 5 to 12',
        test: { '<=': [p('min_age'), v('age'), p('max_age')] },
      },
    ],
  },
  parameters: [
    param('min_age', '5.00', ParameterUnit.YEARS, '2020-01-01', undefined, ILLUSTRATIVE),
    param('max_age', '12.00', ParameterUnit.YEARS, '2020-01-01', undefined, ILLUSTRATIVE),
  ],
  ruleCases: [
    {
      name: 'aged 12',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', age: 12 },
      expectedOutcome: ELIGIBLE,
    },
    {
      name: 'aged 13',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', age: 13 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'aged 4',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802', age: 4 },
      expectedOutcome: NOT_ELIGIBLE,
    },
    {
      name: 'age unknown',
      asOf: '2024-03-01',
      facts: { municipality_code: '0802' },
      expectedOutcome: CANNOT_TELL,
    },
  ],
};

/** By programme code. */
export const SEEDED_RULES: Record<string, SeededRule> = {
  GMI,
  TEBA,
  'CHILD-BENEFIT': CHILD_BENEFIT,
  'HOUSING-BENEFIT': HOUSING_BENEFIT,
  'UNINSURED-ELDERLY': UNINSURED_ELDERLY,
  'HOME-HELP': HOME_HELP,
  'DISABILITY-ALLOWANCE': DISABILITY_ALLOWANCE,
  'SOCIAL-GROCERY-0802': SOCIAL_GROCERY,
  'SOCIAL-PHARMACY-0802': SOCIAL_PHARMACY,
  'KAPI-4912': KAPI,
  'KDAP-0802': KDAP,
};
