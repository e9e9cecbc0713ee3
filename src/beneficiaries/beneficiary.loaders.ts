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
import { includedWith } from './person-includes.js';
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

  /**
   * Hands the loaders the relations a read brought with its people (person-includes.ts), so that
   * the field resolvers find them without a statement of their own. A loader keeps what it already
   * holds.
   */
  prime(ctx: RequestContext, people: ReadonlyArray<Beneficiary | null | undefined>): void {
    const set = this.for(ctx);
    for (const person of people) {
      const included = person && includedWith(person);
      if (!person || !included) continue;
      if (included.groups) set.groups.prime(person.id, included.groups);
      if (included.household !== undefined) set.household.prime(person.id, included.household);
      for (const other of included.householdPeople ?? []) set.person.prime(other.id, other);
    }
  }
}
