import { FeedFormat, FeedKind, type FeedDefinition, type FeedField } from './contracts.js';

/**
 * The fields of each feed (issue 13): canonical names (the staging columns and the keys of
 * `FeedRow.values`), types, bounds and the header names accepted in CSV. docs/imports.md lists the
 * same with the fact of the eligibility catalogue (src/eligibility/contracts.ts) each field feeds.
 *
 * Header names are compared after `normalizeHeader`: accents and case do not matter, dots are
 * dropped ("Α.Φ.Μ." is "αφμ") and any run of other separators is one space ("tax_year",
 * "Tax Year" and "TAX-YEAR" are the same header). Within a feed no two fields share a header.
 */

/** A header as compared: no accents, lower case (final sigma as sigma), no dots, single spaces. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ς/g, 'σ')
    .replace(/\./g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export const EMPLOYMENT_STATUS_CODES = [
  'EMPLOYED',
  'SELF_EMPLOYED',
  'UNEMPLOYED',
  'INACTIVE',
  'RETIRED',
] as const;
export const BENEFIT_CODES = [
  'KEA',
  'A21',
  'HOUSING',
  'DISABILITY',
  'UNINSURED_ELDERLY',
  'BIRTH',
  'HEATING',
] as const;
export const GENDER_CODES = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] as const;

/** Amounts in euros: a declared income or value above this is a typing error, not a fortune. */
const MAX_EUR = 100_000_000;

function field(
  name: string,
  type: FeedField['type'],
  required: boolean,
  aliases: string[],
  extra: Pick<FeedField, 'codes' | 'min' | 'max'> = {},
): FeedField {
  return { name, type, required, headers: [name, ...aliases], ...extra };
}

const AFM_HEADERS = ['ΑΦΜ', 'tin', 'vat number', 'tax id', 'αριθμός φορολογικού μητρώου'];
const AMKA_HEADERS = ['ΑΜΚΑ', 'ssn', 'social security number', 'αριθμός μητρώου κοινωνικής ασφάλισης'];
const euros = (name: string, aliases: string[], required = false): FeedField =>
  field(name, 'decimal', required, aliases, { min: 0, max: MAX_EUR });

const TAXIS: FeedDefinition = {
  kind: FeedKind.TAXIS,
  formats: [FeedFormat.CSV, FeedFormat.FIXED_WIDTH, FeedFormat.JSONL],
  personKeys: ['afm'],
  fields: [
    field('afm', 'afm', true, AFM_HEADERS),
    field('tax_year', 'integer', true, ['ΕΤΟΣ', 'φορολογικό έτος', 'οικονομικό έτος', 'year'], {
      min: 2000,
      max: 2099,
    }),
    euros(
      'household_income',
      [
        'οικογενειακό εισόδημα',
        'συνολικό οικογενειακό εισόδημα',
        'δηλωθέν εισόδημα',
        'income',
        'total income',
      ],
      true,
    ),
    euros('income_salary', ['μισθωτές υπηρεσίες', 'εισόδημα από μισθωτές υπηρεσίες', 'μισθοί', 'salary']),
    euros('income_pension', ['συντάξεις', 'εισόδημα από συντάξεις', 'pension', 'pensions']),
    euros('income_business', [
      'επιχειρηματική δραστηριότητα',
      'εισόδημα από επιχειρηματική δραστηριότητα',
      'business',
    ]),
    euros('income_farming', ['αγροτική δραστηριότητα', 'εισόδημα από αγροτική δραστηριότητα', 'farming']),
    euros('income_rental', ['ενοίκια', 'εισόδημα από ακίνητα', 'rental', 'rent income']),
    euros('income_other', ['λοιπά εισοδήματα', 'λοιπό εισόδημα', 'other income']),
    euros('real_estate_value', [
      'αξία ακινήτων',
      'ακίνητη περιουσία',
      'αξία ακίνητης περιουσίας',
      'real estate',
    ]),
    field('vehicles', 'integer', false, ['οχήματα', 'αριθμός οχημάτων', 'vehicle count'], {
      min: 0,
      max: 99,
    }),
    euros('vehicle_value', ['αξία οχημάτων', 'vehicles value']),
  ],
};

const EFKA: FeedDefinition = {
  kind: FeedKind.EFKA,
  formats: [FeedFormat.CSV, FeedFormat.JSONL],
  personKeys: ['amka'],
  fields: [
    field('amka', 'amka', true, AMKA_HEADERS),
    field('reference_date', 'date', true, ['ημερομηνία αναφοράς', 'ημερομηνία', 'as of', 'date']),
    field('insured', 'boolean', true, ['ασφαλισμένος', 'ασφαλιστική ικανότητα', 'ασφάλιση', 'insurance']),
    field('employment_status', 'code', false, ['εργασιακή κατάσταση', 'κατάσταση απασχόλησης', 'status'], {
      codes: EMPLOYMENT_STATUS_CODES,
    }),
    field('receives_pension', 'boolean', false, ['συνταξιούχος', 'λαμβάνει σύνταξη', 'pensioner']),
    field('pension_amount', 'decimal', false, ['ποσό σύνταξης', 'σύνταξη', 'pension'], {
      min: 0,
      max: 100_000,
    }),
  ],
};

const OPEKA: FeedDefinition = {
  kind: FeedKind.OPEKA,
  formats: [FeedFormat.CSV, FeedFormat.JSONL],
  personKeys: ['amka', 'afm'],
  fields: [
    field('amka', 'amka', false, AMKA_HEADERS),
    field('afm', 'afm', false, AFM_HEADERS),
    field('benefit_code', 'code', true, ['κωδικός επιδόματος', 'επίδομα', 'benefit'], {
      codes: BENEFIT_CODES,
    }),
    field('period_start', 'date', true, ['από', 'έναρξη περιόδου', 'περίοδος από', 'from', 'start']),
    field('period_end', 'date', true, ['έως', 'λήξη περιόδου', 'περίοδος έως', 'to', 'end']),
    field('amount_paid', 'decimal', true, ['ποσό', 'καταβληθέν ποσό', 'ποσό πληρωμής', 'amount'], {
      min: 0,
      max: 1_000_000,
    }),
  ],
};

const KEPA: FeedDefinition = {
  kind: FeedKind.KEPA,
  formats: [FeedFormat.CSV, FeedFormat.JSONL],
  personKeys: ['amka'],
  fields: [
    field('amka', 'amka', true, AMKA_HEADERS),
    field('percentage', 'decimal', true, ['ποσοστό', 'ποσοστό αναπηρίας', 'disability percentage'], {
      min: 0,
      max: 100,
    }),
    field('valid_from', 'date', true, ['ισχύει από', 'από', 'έναρξη ισχύος', 'from']),
    field('valid_to', 'date', false, ['ισχύει έως', 'έως', 'λήξη ισχύος', 'to']),
  ],
};

const DYPA: FeedDefinition = {
  kind: FeedKind.DYPA,
  formats: [FeedFormat.CSV, FeedFormat.JSONL],
  personKeys: ['amka'],
  fields: [
    field('amka', 'amka', true, AMKA_HEADERS),
    field('registered_since', 'date', true, [
      'εγγεγραμμένος από',
      'ημερομηνία εγγραφής',
      'έναρξη ανεργίας',
      'unemployed since',
      'registration date',
    ]),
    field('reference_date', 'date', true, ['ημερομηνία αναφοράς', 'ημερομηνία', 'as of', 'date']),
  ],
};

/** REGISTRY rows may carry neither key (contracts.ts): they are then matched by name and birth date. */
const REGISTRY: FeedDefinition = {
  kind: FeedKind.REGISTRY,
  formats: [FeedFormat.CSV, FeedFormat.JSONL],
  personKeys: ['afm', 'amka'],
  fields: [
    field('afm', 'afm', false, AFM_HEADERS),
    field('amka', 'amka', false, AMKA_HEADERS),
    field('given_name', 'text', true, ['όνομα', 'first name', 'firstname', 'name']),
    field('surname', 'text', true, ['επώνυμο', 'last name', 'lastname', 'family name']),
    field('father_name', 'text', false, ['πατρώνυμο', 'όνομα πατέρα', 'father']),
    field('mother_name', 'text', false, ['μητρώνυμο', 'όνομα μητέρας', 'mother']),
    field('birth_date', 'date', true, [
      'ημερομηνία γέννησης',
      'γέννηση',
      'date of birth',
      'dob',
      'birthdate',
    ]),
    field('gender', 'code', false, ['φύλο', 'sex'], { codes: GENDER_CODES }),
    field('municipality', 'municipality', true, [
      'δήμος',
      'κωδικός δήμου',
      'municipality code',
      'kallikratis',
    ]),
    field('phone', 'text', false, ['τηλέφωνο', 'κινητό', 'telephone', 'mobile']),
    field('address', 'text', false, ['διεύθυνση', 'street address']),
    field('external_id', 'text', false, ['αριθμός μητρώου', 'κωδικός', 'id', 'record id']),
  ],
};

export const FEEDS: Record<FeedKind, FeedDefinition> = { TAXIS, EFKA, OPEKA, KEPA, DYPA, REGISTRY };

export function feedDefinition(kind: FeedKind): FeedDefinition {
  const definition = FEEDS[kind];
  if (!definition) throw new Error(`Unknown feed ${String(kind)}`);
  return definition;
}

/** The field of a feed a CSV header names, or undefined when the header is not one of the feed's. */
export function fieldForHeader(definition: FeedDefinition, header: string): FeedField | undefined {
  const wanted = normalizeHeader(header);
  return definition.fields.find((f) => f.headers.some((h) => normalizeHeader(h) === wanted));
}
