import { Foundation1763800000000 } from './1763800000000-foundation.js';
import { Beneficiaries1763900000000 } from './1763900000000-beneficiaries.js';
import { Providers1764000000000 } from './1764000000000-providers.js';
import { Programmes1764000000001 } from './1764000000001-programmes.js';
import { RowSecurity1764100000000 } from './1764100000000-row-security.js';
import { NameSearch1764200000000 } from './1764200000000-name-search.js';
import { MunicipalityAliases1764200000001 } from './1764200000001-municipality-aliases.js';
import { RateLimits1764200000002 } from './1764200000002-rate-limits.js';
import { PersonMunicipalitySort1764200000900 } from './1764200000900-person-municipality-sort.js';
import { PersonFacts1764300000000 } from './1764300000000-person-facts.js';
import { ProgrammeRuleCases1764300000100 } from './1764300000100-programme-rule-cases.js';
import { EnrolmentEntitlement1764300000200 } from './1764300000200-enrolment-entitlement.js';
import { Referrals1764400000000 } from './1764400000000-referrals.js';
import { Outbox1764400000100 } from './1764400000100-outbox.js';
import { AuditBulkPeople1764400000200 } from './1764400000200-audit-bulk-people.js';
import { ReferralLinks1764500000000 } from './1764500000000-referral-links.js';
import { ReferralListIndexes1764510000000 } from './1764510000000-referral-list-indexes.js';
import { Statistics1764550000000 } from './1764550000000-statistics.js';
import { Imports1764530000000 } from './1764530000000-imports.js';
import { StatisticsIncremental1764600000000 } from './1764600000000-statistics-incremental.js';
import { RegistryFeed1764640000000 } from './1764640000000-registry-feed.js';
import { EsfIndicators1764620000000 } from './1764620000000-esf-indicators.js';
import { LikelyEligible1764620000100 } from './1764620000100-likely-eligible.js';
import { HouseholdComposition1764650000000 } from './1764650000000-household-composition.js';
import { SpecialCategoryProgrammes1764700000000 } from './1764700000000-special-category-programmes.js';
import { SpecialCategoryListFacts1764700000100 } from './1764700000100-special-category-list-facts.js';

/** Every migration in order, listed explicitly so that ESM builds and jest load the same set. */
export const ALL_MIGRATIONS = [
  Foundation1763800000000,
  Beneficiaries1763900000000,
  Providers1764000000000,
  Programmes1764000000001,
  RowSecurity1764100000000,
  NameSearch1764200000000,
  MunicipalityAliases1764200000001,
  RateLimits1764200000002,
  PersonMunicipalitySort1764200000900,
  PersonFacts1764300000000,
  ProgrammeRuleCases1764300000100,
  EnrolmentEntitlement1764300000200,
  Referrals1764400000000,
  Outbox1764400000100,
  AuditBulkPeople1764400000200,
  ReferralLinks1764500000000,
  ReferralListIndexes1764510000000,
  Statistics1764550000000,
  Imports1764530000000,
  StatisticsIncremental1764600000000,
  RegistryFeed1764640000000,
  EsfIndicators1764620000000,
  LikelyEligible1764620000100,
  HouseholdComposition1764650000000,
  SpecialCategoryProgrammes1764700000000,
  SpecialCategoryListFacts1764700000100,
];
