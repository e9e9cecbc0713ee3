import { FeedKind } from './contracts.js';
import { FEEDS } from './feeds.js';

/** A feed's staging columns: its fields, in the order the feed defines them (feeds.ts). */
const columnsOf = (kind: FeedKind): readonly string[] => FEEDS[kind].fields.map((f) => f.name);

/**
 * How each fact feed's staged rows become person facts (docs/imports.md, "Pipeline"): its staging
 * table and columns (the canonical field names, migration 1764530000000-imports), the identifiers
 * people are matched by, what "the same person and period" is (DUPLICATE_IN_FILE), and the SQL that
 * turns staged rows into `person_fact` rows. All of it is SQL so that the merge stays set-based
 * (rule 10); the values are the format readers' canonical text (decimals with '.', ISO dates,
 * 'true'/'false', upper-case codes), cast here.
 *
 * The facts SQL takes $1 = job id, $2 < group_end <= $3 (a range of lines), and yields one row per
 * fact: line (the group's last line), person_id, kind, tax_year, as_of, valid_from, valid_to and one
 * value. Rows of a group are merged together by the batch holding the group's last line.
 */
export interface FactFeed {
  feed: FeedKind;
  table: string;
  columns: readonly string[];
  /** Identifiers tried in order to find the person (person.afm / person.amka, not merged). */
  personKeys: ReadonlyArray<'afm' | 'amka'>;
  /** SQL over staging alias `s`: the period part of "the same person and period". */
  period: string;
  /** SQL over `s` for the rows merged together (OPEKA: one person's benefits of one period). */
  group?: string;
  /** Checks across fields (and of what a fact column holds), in SQL over `s`: a row failing one is rejected. */
  checks: ReadonlyArray<{ field: string; bad: string; code: 'OUT_OF_RANGE'; message: string }>;
  facts: string;
}

const AMOUNT = (field: string) => ({
  field,
  bad: `abs(s.${field}::numeric) >= 1e12`,
  code: 'OUT_OF_RANGE' as const,
  message: `${field} is too large to be an amount in euros.`,
});

export type FactFeedKind = Exclude<FeedKind, FeedKind.REGISTRY>;

const ELIGIBLE = `s.job_id = $1 AND s.outcome IS NULL AND NOT s.rejected AND s.group_end > $2 AND s.group_end <= $3`;

/** One fact per listed value of a row, the null ones left out. */
function perRow(
  table: string,
  asOf: string,
  validFrom: string,
  validTo: string,
  taxYear: string,
  values: string,
): string {
  return `
    SELECT s.group_end AS line, s.person_id, v.kind, ${taxYear} AS tax_year, ${asOf} AS as_of,
           ${validFrom} AS valid_from, ${validTo} AS valid_to,
           v.value_numeric::numeric(14, 2) AS value_numeric, v.value_boolean, v.value_list
      FROM ${table} s
      CROSS JOIN LATERAL (VALUES ${values}) AS v(kind, value_numeric, value_boolean, value_list)
     WHERE ${ELIGIBLE} AND num_nonnulls(v.value_numeric, v.value_boolean, v.value_list) = 1`;
}

export const FACT_FEEDS: Record<FactFeedKind, FactFeed> = {
  [FeedKind.TAXIS]: {
    feed: FeedKind.TAXIS,
    table: 'import_staging_taxis',
    columns: columnsOf(FeedKind.TAXIS),
    personKeys: ['afm'],
    period: `s.tax_year`,
    checks: [AMOUNT('household_income'), AMOUNT('real_estate_value'), AMOUNT('vehicle_value')],
    // A tax year's declaration is known from the end of the filing season (as the demo data has it).
    facts: perRow(
      'import_staging_taxis',
      `make_date(s.tax_year::int + 1, 7, 31)`,
      'NULL::date',
      'NULL::date',
      's.tax_year::int',
      `('household_income_annual', s.household_income::numeric, NULL::boolean, NULL::text[]),
       ('real_estate_value', s.real_estate_value::numeric, NULL, NULL),
       ('vehicle_value', s.vehicle_value::numeric, NULL, NULL)`,
    ),
  },
  [FeedKind.EFKA]: {
    feed: FeedKind.EFKA,
    table: 'import_staging_efka',
    columns: columnsOf(FeedKind.EFKA),
    personKeys: ['amka'],
    period: `s.reference_date`,
    checks: [AMOUNT('pension_amount')],
    facts: perRow(
      'import_staging_efka',
      's.reference_date::date',
      'NULL::date',
      'NULL::date',
      'NULL::int',
      `('insured', NULL::numeric, s.insured::boolean, NULL::text[]),
       ('receives_pension', NULL, s.receives_pension::boolean, NULL),
       ('pension_amount', s.pension_amount::numeric, NULL, NULL),
       ('unemployed', NULL, CASE WHEN s.employment_status IS NOT NULL
                                 THEN s.employment_status LIKE '%UNEMPLOYED' END, NULL)`,
    ),
  },
  [FeedKind.OPEKA]: {
    feed: FeedKind.OPEKA,
    table: 'import_staging_opeka',
    columns: columnsOf(FeedKind.OPEKA),
    personKeys: ['amka', 'afm'],
    period: `s.benefit_code || '|' || s.period_start`,
    group: `s.person_id, s.period_start`,
    checks: [
      {
        field: 'period_end',
        bad: `s.period_end::date < s.period_start::date`,
        code: 'OUT_OF_RANGE',
        message: 'The period ends before it starts.',
      },
    ],
    // benefits_received is a list: the codes of every benefit paid to the person for the period.
    facts: `
      SELECT max(s.group_end) AS line, s.person_id, 'benefits_received' AS kind, NULL::int AS tax_year,
             s.period_start::date AS as_of, s.period_start::date AS valid_from,
             max(s.period_end::date) AS valid_to, NULL::numeric(14, 2) AS value_numeric,
             NULL::boolean AS value_boolean, array_agg(DISTINCT s.benefit_code ORDER BY s.benefit_code) AS value_list
        FROM import_staging_opeka s
       WHERE ${ELIGIBLE}
       GROUP BY s.person_id, s.period_start`,
  },
  [FeedKind.KEPA]: {
    feed: FeedKind.KEPA,
    table: 'import_staging_kepa',
    columns: columnsOf(FeedKind.KEPA),
    personKeys: ['amka'],
    period: `s.valid_from`,
    checks: [
      {
        field: 'valid_to',
        bad: `s.valid_to::date < s.valid_from::date`,
        code: 'OUT_OF_RANGE',
        message: 'The certificate is valid to a date before it is valid from.',
      },
    ],
    facts: perRow(
      'import_staging_kepa',
      's.valid_from::date',
      's.valid_from::date',
      's.valid_to::date',
      'NULL::int',
      `('disability_percentage', s.percentage::numeric, NULL::boolean, NULL::text[])`,
    ),
  },
  [FeedKind.DYPA]: {
    feed: FeedKind.DYPA,
    table: 'import_staging_dypa',
    columns: columnsOf(FeedKind.DYPA),
    personKeys: ['amka'],
    period: `coalesce(s.reference_date, s.registered_since)`,
    checks: [
      {
        field: 'registered_since',
        bad: `s.registered_since::date > s.reference_date::date`,
        code: 'OUT_OF_RANGE',
        message: 'The registration starts after the reference date.',
      },
    ],
    facts: perRow(
      'import_staging_dypa',
      'coalesce(s.reference_date, s.registered_since)::date',
      's.registered_since::date',
      'NULL::date',
      'NULL::int',
      `('unemployed', NULL::numeric, true, NULL::text[])`,
    ),
  },
};

export function isFactFeed(feed: FeedKind): feed is FactFeedKind {
  return feed !== FeedKind.REGISTRY;
}
