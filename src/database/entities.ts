import { AuditEvent } from '../audit/audit-event.entity.js';
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

/** Every entity, listed explicitly so that ESM builds and jest load the same set. */
export const ALL_ENTITIES = [
  AuditEvent,
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
];
