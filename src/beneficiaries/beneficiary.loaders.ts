import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestContext } from '../auth/request-context.js';
import type {
  Beneficiary,
  EsfParticipation,
  GroupMembership,
  HouseholdView,
  PersonConsent,
  PersonFactView,
} from './beneficiary.model.js';
import { BeneficiaryService } from './beneficiary.service.js';
import { HouseholdService } from './household.service.js';
import { PersonRecordsService } from './person-records.service.js';

export interface BeneficiaryLoaderSet {
  person: DataLoader<string, Beneficiary | null>;
  groups: DataLoader<string, GroupMembership[]>;
  household: DataLoader<string, HouseholdView | null>;
  esf: DataLoader<string, EsfParticipation | null>;
  consents: DataLoader<string, PersonConsent[]>;
  facts: DataLoader<string, PersonFactView[]>;
}

/**
 * Per-request DataLoaders for the relation fields of people (rule 7): a page of 100 people with
 * their groups and households costs one query per relation, not one per person. They live as long
 * as the request's context, so nothing is cached across callers.
 */
@Injectable()
export class BeneficiaryLoaders {
  private readonly byRequest = new WeakMap<RequestContext, BeneficiaryLoaderSet>();

  constructor(
    private readonly beneficiaries: BeneficiaryService,
    private readonly records: PersonRecordsService,
    private readonly households: HouseholdService,
  ) {}

  for(ctx: RequestContext): BeneficiaryLoaderSet {
    let set = this.byRequest.get(ctx);
    if (!set) {
      set = {
        person: new DataLoader((ids) => this.beneficiaries.getMany(ctx, ids)),
        groups: new DataLoader((ids) => this.records.groupsOf(ctx, ids)),
        household: new DataLoader((ids) => this.households.householdsOf(ctx, ids)),
        esf: new DataLoader((ids) => this.records.esfOf(ctx, ids)),
        consents: new DataLoader((ids) => this.records.consentsOf(ctx, ids)),
        facts: new DataLoader((ids) => this.records.factsOf(ctx, ids)),
      };
      this.byRequest.set(ctx, set);
    }
    return set;
  }
}
