import { BeneficiaryError, BeneficiaryErrorCode } from '../beneficiaries/beneficiary.errors.js';
import {
  EnrolmentError,
  EnrolmentErrorCode,
  ProgrammeError,
  ProgrammeErrorCode,
} from '../programmes/programmes.errors.js';
import { ImportError, ImportErrorCode } from '../imports/imports.errors.js';
import { OutboxError, OutboxErrorCode } from '../outbox/outbox.errors.js';
import { ProviderError, ProviderErrorCode } from '../providers/providers.errors.js';
import { ReferralError, ReferralErrorCode } from '../referrals/referrals.errors.js';
import type { DomainError } from './domain-error.js';

/**
 * The typed error for each database constraint that a client's input can break. Services check
 * these rules before they write; the constraint is what still holds when two requests race past
 * those checks at once (twelve `enrol` of one person, two registrations of one AMKA), and then the
 * loser gets the same typed answer as a caller who came second, never a 500. Messages are fixed
 * text: the database's own detail (`Key (amka)=(...)`) carries personal data and is never used.
 */
export const CONSTRAINT_ERRORS: Readonly<Record<string, () => DomainError>> = {
  enrolment_open_uq: () =>
    new EnrolmentError(
      EnrolmentErrorCode.ALREADY_ENROLLED,
      'The person already has an open enrolment in this programme.',
    ),
  programme_code_key: () =>
    new ProgrammeError(ProgrammeErrorCode.CODE_TAKEN, 'Another programme already has this code.', [
      { field: 'code', reason: 'taken' },
    ]),
  programme_parameter_programme_id_name_daterange_excl: () =>
    new ProgrammeError(
      ProgrammeErrorCode.PARAMETER_PERIODS_OVERLAP,
      'A parameter has two values for the same days: end the old one the day before the new one starts.',
      [{ field: 'parameters', reason: 'overlapping periods' }],
    ),
  // Case names are checked for duplicates before the write (INVALID_RULE_CASE); this answers a race.
  programme_rule_case_name_uq: () =>
    new ProgrammeError(
      ProgrammeErrorCode.INVALID_RULE_CASE,
      'Two test cases of the rule have the same name.',
      [{ field: 'ruleCases', reason: 'duplicate name' }],
    ),
  referral_open_handover_uq: () =>
    new ReferralError(
      ReferralErrorCode.HANDOVER_PENDING,
      'A hand-over of this person is already asked for: wait for its answer.',
    ),
  webhook_subscription_name_key: () =>
    new OutboxError(OutboxErrorCode.SUBSCRIPTION_NAME_TAKEN, 'Another webhook subscription has this name.', [
      { field: 'name', reason: 'taken' },
    ]),
  // An upload of a file already imported is recorded as its duplicate (INSERT ... ON CONFLICT DO
  // NOTHING, then duplicate_of); this answers any other write racing it.
  import_job_file_uq: () =>
    new ImportError(
      ImportErrorCode.FILE_ALREADY_IMPORTED,
      'This file of this feed is being imported by another job: follow that one.',
      [{ field: 'file', reason: 'already imported' }],
    ),
  person_afm_uq: () => identifierTaken('afm'),
  person_amka_uq: () => identifierTaken('amka'),
  household_member_current_uq: () =>
    new BeneficiaryError(
      BeneficiaryErrorCode.ALREADY_IN_HOUSEHOLD,
      'This person is already a member of a household: remove them from it first.',
      [{ field: 'personId', reason: 'already in a household' }],
    ),
  // Foreign keys to rows a client names, checked before the write; these answer a delete racing it.
  programme_provider_provider_id_fkey: () => unknownProvider('deliveringProviderIds'),
  programme_administering_provider_id_fkey: () => unknownProvider('administeringProviderId'),
  provider_parent_id_fkey: () =>
    new ProviderError(ProviderErrorCode.UNKNOWN_PARENT, 'The parent provider does not exist.', [
      { field: 'parentId', reason: 'unknown provider' },
    ]),
};

/**
 * Unique and exclusion constraints that no client input can break, each with the reason. A new
 * unique or exclusion constraint must be added to CONSTRAINT_ERRORS or here, or
 * test/constraint-errors.e2e-spec.ts fails.
 */
export const UNREACHABLE_CONSTRAINTS: Readonly<Record<string, string>> = {
  // Referral links (issue 12): the id is drawn by the database.
  referral_link_pkey: 'generated id',
  // Statistics (issue 14): written only by the refresh job, from GROUP BY keys.
  statistics_refresh_pkey: 'one row per view, upserted by the refresh',
  stats_people_uq: 'the GROUP BY key of the summary table, its slices deleted before they are recounted',
  stats_households_uq: 'the GROUP BY key of the summary table, its slices deleted before they are recounted',
  stats_enrolments_uq: 'the GROUP BY key of the summary table, its slices deleted before they are recounted',
  stats_referrals_uq: 'the GROUP BY key of the summary table, its slices deleted before they are recounted',
  stats_dirty_pkey: 'identity',
  stats_esf_uq: 'the GROUP BY key of the materialized view',
  stats_likely_eligible_pkey: 'written only by its refresh step, from the keys of one map',
  // Feed imports (issue 13): every key is the service's or the job's own.
  import_job_pkey: 'a random id the service draws',
  import_file_chunk_pkey: 'the job id and the chunk numbers of one upload',
  import_row_problem_pkey: 'identity',
  fact_source_precedence_pkey: 'configuration written by migrations only',
  import_staging_taxis_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_staging_efka_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_staging_opeka_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_staging_kepa_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_staging_dypa_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_staging_registry_pkey: 'one row per line of a job, staged once (the resumed run skips staged lines)',
  import_person_origin_pkey:
    'a line of a job made into a person: inserted once, in the batch that creates it (a rerun skips lines with an origin)',
  municipality_alias_pkey: 'reference data written by migrations only',
  // Primary keys the database generates (uuid default or identity); no write takes an id from input.
  api_key_pkey: 'generated id',
  audit_event_pkey: 'identity',
  consent_pkey: 'generated id',
  duplicate_review_pkey: 'generated id',
  enrolment_pkey: 'generated id',
  esf_participant_pkey: 'one row per person, written with ON CONFLICT (person_id) DO UPDATE',
  household_member_pkey: 'generated id',
  household_pkey: 'generated id',
  opening_hours_pkey: 'generated id',
  person_fact_pkey: 'generated id',
  person_group_pkey: 'generated id',
  person_name_word_pkey: 'written by a trigger with ON CONFLICT DO NOTHING',
  person_history_pkey: 'identity',
  person_pkey: 'generated id',
  referral_pkey: 'generated id',
  referral_history_pkey: 'identity',
  programme_parameter_pkey: 'generated id',
  programme_pkey: 'generated id',
  programme_rule_case_pkey: 'generated id',
  provider_closure_pkey: 'generated id',
  provider_location_pkey: 'generated id; a create refuses child ids (owned-children.ts)',
  provider_pkey: 'generated id',
  provider_service_pkey: 'generated id; a create refuses child ids (owned-children.ts)',
  // Child rows of one parent, replaced under the parent's row lock and inserted de-duplicated.
  programme_coverage_pkey: 'replaced under the programme row lock, inserted with SELECT DISTINCT',
  programme_provider_pkey: 'replaced under the programme row lock, inserted with SELECT DISTINCT',
  provider_service_area_pkey: 'replaced under the provider row lock, inserted de-duplicated',
  // Reference data: written by migrations and seeds only.
  region_pkey: 'reference data',
  regional_unit_pkey: 'reference data',
  municipality_pkey: 'reference data',
  provider_kind_pkey: 'reference data',
  service_category_pkey: 'reference data',
  target_group_pkey: 'reference data',
  PK_8c82d7f526340ab734260ea46be: "TypeORM's migrations table",
  rate_limit_pkey: 'rate-limit counters, written only with INSERT ... ON CONFLICT (key) DO UPDATE',
  // Rows only the service itself derives.
  duplicate_review_person_a_person_b_key: 'queued by the service with ON CONFLICT DO NOTHING',
  household_reference_uq:
    'the reference person is set only by createHousehold, on a new household; addMember refuses REFERENCE_PERSON',
  person_fact_natural_uq:
    'FEED facts only (partial index): written by feed imports, merged with ON CONFLICT; staff never write FEED',
  outbox_event_pkey: 'generated id',
  outbox_event_position_key: 'given from a sequence by the dispatcher, under the publish lock',
  webhook_subscription_pkey: 'generated id',
  webhook_delivery_pkey: 'generated id',
  webhook_delivery_event_subscription_key: 'fanned out by the dispatcher with ON CONFLICT DO NOTHING',
};

/** PostgreSQL's codes for unique, exclusion and foreign-key violations. */
const CONSTRAINT_VIOLATIONS = new Set(['23505', '23P01', '23503']);

/**
 * The typed error for a violation of a known constraint, or undefined for anything else. Works on
 * the error object alone (TypeORM's QueryFailedError keeps pg's error as `driverError`), so it can
 * run after the request's connection is gone.
 */
export function domainErrorOfDatabase(error: unknown): DomainError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driver = (error as { driverError?: unknown }).driverError;
  const pg = (typeof driver === 'object' && driver !== null ? driver : error) as {
    code?: unknown;
    constraint?: unknown;
  };
  if (typeof pg.code !== 'string' || !CONSTRAINT_VIOLATIONS.has(pg.code)) return undefined;
  if (typeof pg.constraint !== 'string' || !Object.hasOwn(CONSTRAINT_ERRORS, pg.constraint)) return undefined;
  return CONSTRAINT_ERRORS[pg.constraint]!();
}

function identifierTaken(field: 'afm' | 'amka'): DomainError {
  return new BeneficiaryError(
    BeneficiaryErrorCode.IDENTIFIER_TAKEN,
    `Another person is registered with this ${field.toUpperCase()}: if they are the same person, ask for the two records to be merged.`,
    [{ field, reason: 'registered to another person' }],
  );
}

function unknownProvider(field: string): DomainError {
  return new ProgrammeError(ProgrammeErrorCode.UNKNOWN_PROVIDER, 'A provider named here does not exist.', [
    { field, reason: 'unknown provider' },
  ]);
}
