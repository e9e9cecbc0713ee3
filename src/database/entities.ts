import { Municipality, Region, RegionalUnit } from '../geography/geography.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { Household, HouseholdMember } from '../beneficiaries/household.entity.js';
import {
  Consent,
  DuplicateReview,
  EsfParticipant,
  Person,
  PersonFact,
  PersonGroup,
  PersonHistory,
} from '../beneficiaries/person.entity.js';
import {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderClosure,
  ProviderKind,
  ProviderLocation,
  ProviderServiceArea,
  ServiceCategory,
  TargetGroup,
} from '../providers/provider.entity.js';
import {
  Enrolment,
  Programme,
  ProgrammeCoverage,
  ProgrammeParameter,
  ProgrammeProvider,
} from '../programmes/programme.entity.js';

/** Every entity, listed explicitly so that ESM builds and jest load the same set. */
export const ALL_ENTITIES = [
  Region,
  RegionalUnit,
  Municipality,
  ApiKey,
  Person,
  PersonGroup,
  EsfParticipant,
  Consent,
  PersonFact,
  PersonHistory,
  DuplicateReview,
  Household,
  HouseholdMember,
  ProviderKind,
  ServiceCategory,
  TargetGroup,
  Provider,
  ProviderServiceArea,
  ProviderLocation,
  OpeningHours,
  ProviderClosure,
  OfferedService,
  Programme,
  ProgrammeCoverage,
  ProgrammeProvider,
  ProgrammeParameter,
  Enrolment,
];
