/**
 * The vocabulary shared by the parts of the entitlements feature (issue 11): the facts a rule may
 * ask about, the shape of a programme's rule, and what an evaluation answers. The facts view
 * (src/eligibility/facts/), the rule compiler (src/eligibility/rules/) and the entitlements
 * service all speak these types, so each can be read and tested on its own.
 */

/** How a fact came to be known, strongest first: a national feed outranks a document seen by staff, ... */
export enum FactBasis {
  FEED = 'FEED',
  DOCUMENT = 'DOCUMENT',
  STAFF = 'STAFF',
  SELF_DECLARED = 'SELF_DECLARED',
}

/** Precedence of bases (lower wins); within one basis the newest `asOf` wins. */
export const BASIS_RANK: Record<FactBasis, number> = {
  [FactBasis.FEED]: 0,
  [FactBasis.DOCUMENT]: 1,
  [FactBasis.STAFF]: 2,
  [FactBasis.SELF_DECLARED]: 3,
};

export type FactType = 'number' | 'boolean' | 'string' | 'list';

/** The bodies whose feeds supply facts (issue 13 imports them); REGISTRY = the person's own record. */
export type FactSupplier = 'REGISTRY' | 'TAXIS' | 'EFKA' | 'OPEKA' | 'KEPA' | 'DYPA' | 'DOCUMENT';

export interface FactDefinition {
  type: FactType;
  unit?: 'EUR' | 'EUR_PER_MONTH' | 'YEARS' | 'MONTHS' | 'PERCENT' | 'COUNT';
  /** Derived from the registry (age, household, area, enrolments), or recorded (from a feed, a document, staff). */
  derived: boolean;
  /** Who supplies it when it is missing: named in the "cannot tell yet" explanation. */
  suppliers: FactSupplier[];
  /** Art. 9 data: reading or recording it needs the special_category permission. */
  specialCategory?: boolean;
  el: string;
  en: string;
}

/**
 * Every fact a rule may name. Recorded facts are stored in `person_fact` under these names;
 * derived ones are computed from the registry as of the date asked.
 */
export const FACT_CATALOGUE = {
  age: { type: 'number', unit: 'YEARS', derived: true, suppliers: ['REGISTRY'], el: 'Ηλικία', en: 'Age' },
  gender: { type: 'string', derived: true, suppliers: ['REGISTRY'], el: 'Φύλο', en: 'Gender' },
  municipality_code: {
    type: 'string',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Δήμος κατοικίας',
    en: 'Municipality of residence',
  },
  regional_unit_code: {
    type: 'string',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Περιφερειακή ενότητα κατοικίας',
    en: 'Regional unit of residence',
  },
  region_code: {
    type: 'string',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Περιφέρεια κατοικίας',
    en: 'Region of residence',
  },
  groups: {
    type: 'list',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Ομάδες-στόχος',
    en: 'Target groups',
  },
  household_size: {
    type: 'number',
    unit: 'COUNT',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Μέλη νοικοκυριού',
    en: 'Household members',
  },
  household_adults: {
    type: 'number',
    unit: 'COUNT',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Ενήλικα μέλη',
    en: 'Adult members',
  },
  household_minors: {
    type: 'number',
    unit: 'COUNT',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Ανήλικα μέλη',
    en: 'Minor members',
  },
  household_dependants: {
    type: 'number',
    unit: 'COUNT',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Εξαρτώμενα μέλη',
    en: 'Dependent members',
  },
  household_income_annual: {
    type: 'number',
    unit: 'EUR',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Δηλωθέν οικογενειακό εισόδημα φορολογικού έτους',
    en: 'Declared household income of the tax year',
  },
  household_income_last_6_months: {
    type: 'number',
    unit: 'EUR',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Οικογενειακό εισόδημα τελευταίου εξαμήνου',
    en: 'Household income of the last 6 months',
  },
  real_estate_value: {
    type: 'number',
    unit: 'EUR',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Αξία ακίνητης περιουσίας',
    en: 'Value of real estate',
  },
  vehicle_value: {
    type: 'number',
    unit: 'EUR',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Αξία οχημάτων',
    en: 'Value of vehicles',
  },
  deposits_value: {
    type: 'number',
    unit: 'EUR',
    derived: false,
    suppliers: ['DOCUMENT'],
    el: 'Καταθέσεις',
    en: 'Bank deposits',
  },
  disability_percentage: {
    type: 'number',
    unit: 'PERCENT',
    derived: false,
    suppliers: ['KEPA'],
    specialCategory: true,
    el: 'Ποσοστό αναπηρίας (ΚΕΠΑ)',
    en: 'Certified disability percentage (KEPA)',
  },
  unemployed: {
    type: 'boolean',
    derived: false,
    suppliers: ['DYPA'],
    el: 'Εγγεγραμμένος άνεργος',
    en: 'Registered unemployed',
  },
  unemployment_months: {
    type: 'number',
    unit: 'MONTHS',
    derived: false,
    suppliers: ['DYPA'],
    el: 'Μήνες ανεργίας',
    en: 'Months registered unemployed',
  },
  insured: { type: 'boolean', derived: false, suppliers: ['EFKA'], el: 'Ασφαλισμένος', en: 'Insured' },
  receives_pension: {
    type: 'boolean',
    derived: false,
    suppliers: ['EFKA'],
    el: 'Λαμβάνει σύνταξη',
    en: 'Receives a pension',
  },
  pension_amount: {
    type: 'number',
    unit: 'EUR_PER_MONTH',
    derived: false,
    suppliers: ['EFKA'],
    el: 'Ποσό σύνταξης',
    en: 'Pension amount',
  },
  benefits_received: {
    type: 'list',
    derived: false,
    suppliers: ['OPEKA'],
    el: 'Επιδόματα που λαμβάνει',
    en: 'Benefits received',
  },
  enrolled_programmes: {
    type: 'list',
    derived: true,
    suppliers: ['REGISTRY'],
    el: 'Προγράμματα στα οποία είναι ενταγμένος',
    en: 'Programmes enrolled in',
  },
  monthly_rent: {
    type: 'number',
    unit: 'EUR_PER_MONTH',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Μηνιαίο μίσθωμα κύριας κατοικίας',
    en: 'Monthly rent of the main home',
  },
  has_active_lease: {
    type: 'boolean',
    derived: false,
    suppliers: ['TAXIS', 'DOCUMENT'],
    el: 'Ενεργό μισθωτήριο',
    en: 'Active registered lease',
  },
  legal_residence: {
    type: 'boolean',
    derived: false,
    suppliers: ['DOCUMENT'],
    el: 'Νόμιμη και μόνιμη διαμονή στην Ελλάδα',
    en: 'Legal and permanent residence in Greece',
  },
  lives_alone: {
    type: 'boolean',
    derived: false,
    suppliers: ['DOCUMENT'],
    el: 'Ζει μόνος/η',
    en: 'Lives alone',
  },
  self_sufficient: {
    type: 'boolean',
    derived: false,
    suppliers: ['DOCUMENT'],
    specialCategory: true,
    el: 'Αυτοεξυπηρετείται',
    en: 'Can look after themselves',
  },
} as const satisfies Record<string, FactDefinition>;

export type FactName = keyof typeof FACT_CATALOGUE;
export type FactScalar = number | boolean | string | string[];

/** One fact's value with where it came from; the facts view returns the one that wins precedence. */
export interface FactValue {
  value: FactScalar;
  basis: FactBasis;
  /** TAXIS, EFKA, ..., REGISTRY, or the staff member's id for a recorded declaration. */
  source: string;
  /** The date the value describes (a tax year's end, a feed's reference date, the date asked for a derived fact). */
  asOf: string;
  validFrom?: string | null;
  validTo?: string | null;
}

/** A person's facts as of a date: a missing key is a fact nobody has supplied (or that has expired). */
export type PersonFacts = Partial<Record<FactName, FactValue>>;

/**
 * A programme's eligibility rule, stored as JSON with the programme. Tests and the amount are JSON
 * Logic (jsonlogic.com): `{"var": "<fact>"}` reads a fact, `{"param": "<name>"}` a parameter of the
 * programme valid on the date asked. Each criterion is explained on its own.
 */
export interface ProgrammeRule {
  criteria: Array<{ id: string; el: string; en: string; test: JsonLogic }>;
  /** What the person would receive (euro, in the unit of the programme), when the programme pays one. */
  amount?: JsonLogic;
}

export type JsonLogic = boolean | number | string | null | JsonLogic[] | { [operator: string]: JsonLogic };

export enum EligibilityOutcome {
  ELIGIBLE = 'ELIGIBLE',
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  CANNOT_TELL = 'CANNOT_TELL',
}

export enum CriterionStatus {
  MET = 'MET',
  NOT_MET = 'NOT_MET',
  MISSING_FACTS = 'MISSING_FACTS',
}

export interface CriterionResult {
  id: string;
  status: CriterionStatus;
  /** In the language asked: "Household income of the last 6 months 1,450.00 € is 154.00 € over the limit 1,296.00 €". */
  explanation: string;
  /** For a comparison that failed: by how much (absolute difference), else undefined. */
  shortfall?: number;
  /** Facts the criterion needs that are missing, with who supplies them. */
  missing: Array<{ fact: FactName; suppliers: FactSupplier[] }>;
}

export interface RuleEvaluation {
  outcome: EligibilityOutcome;
  criteria: CriterionResult[];
  /** Only when eligible and the rule yields one. */
  amount?: number;
}

/** Parameters of a programme valid on the date asked, by name. */
export type ParameterValues = Record<string, number>;
