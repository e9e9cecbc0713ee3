import { Args, Info, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { AccessPurpose } from '../audit/purpose.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { Connection, PageArgs } from '../common/pagination.js';
import { Municipality } from '../geography/geography.entity.js';
import { GeographyService } from '../geography/geography.service.js';
import { BeneficiaryLoaders } from './beneficiary.loaders.js';
import {
  Beneficiary,
  DuplicateReviewStatus,
  DuplicateReviewView,
  EsfParticipation,
  FactKind,
  GroupMembership,
  HouseholdMemberView,
  HouseholdView,
  PersonChange,
  PersonConsent,
  PersonFactView,
  RegisterPersonResult,
} from './beneficiary.model.js';
import { BeneficiaryService } from './beneficiary.service.js';
import { DuplicateService } from './duplicate.service.js';
import { DuplicateReviewArgs, PersonSearchArgs } from './dto/person-search.args.js';
import {
  ClosePersonInput,
  MovePersonInput,
  RegisterPersonInput,
  UpdatePersonInput,
} from './dto/person.input.js';
import {
  AddGroupMembershipInput,
  AddHouseholdMemberInput,
  CreateHouseholdInput,
  EndGroupMembershipInput,
  EsfLeavingInput,
  EsfParticipationInput,
  GiveConsentInput,
  RemoveHouseholdMemberInput,
} from './dto/records.input.js';
import { HouseholdService } from './household.service.js';
import { PersonRecordsService } from './person-records.service.js';
import { EnrolmentView } from '../programmes/programme.entity.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { selectsField } from '../common/graphql/selection.js';
import { personIncludes } from './person-includes.js';

export const BeneficiaryConnection = Connection(Beneficiary);
export const PersonChangeConnection = Connection(PersonChange);
export const DuplicateReviewConnection = Connection(DuplicateReviewView, 'DuplicateReview');

const purposeArg = {
  name: 'purpose',
  type: () => AccessPurpose,
  nullable: true,
  description: 'Why you read this person (or send the X-Purpose header); recorded in the audit trail',
} as const;

/** A purpose given as an argument overrides the X-Purpose header for this operation. */
function declare(ctx: RequestContext, purpose?: AccessPurpose | null): RequestContext {
  if (purpose) ctx.purpose = purpose;
  return ctx;
}

@Resolver(() => Beneficiary)
export class BeneficiaryResolver {
  constructor(
    private readonly people: BeneficiaryService,
    private readonly records: PersonRecordsService,
    private readonly loaders: BeneficiaryLoaders,
    private readonly geography: GeographyService,
  ) {}

  @Query(() => Beneficiary, { description: 'A person of your area by id' })
  beneficiary(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args(purposeArg) purpose?: AccessPurpose,
  ): Promise<Beneficiary> {
    return this.people.get(declare(ctx, purpose), id);
  }

  @Query(() => Beneficiary, { nullable: true, description: 'A person of your area by exact AFM or AMKA' })
  async beneficiaryByIdentifier(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Args('afm', { nullable: true }) afm?: string,
    @Args('amka', { nullable: true }) amka?: string,
    @Args(purposeArg) purpose?: AccessPurpose,
  ): Promise<Beneficiary | null> {
    const person = await this.people.findByIdentifier(
      declare(ctx, purpose),
      { afm, amka },
      personIncludes(info),
    );
    this.loaders.prime(ctx, [person]);
    return person;
  }

  @Query(() => BeneficiaryConnection, {
    description:
      'People of your area by name (any script, accents, case; typos tolerated), AFM/AMKA and filters',
  })
  async beneficiaries(
    @Ctx() ctx: RequestContext,
    @Args() args: PersonSearchArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    const page = await this.people.search(
      declare(ctx, args.purpose),
      {
        text: args.search,
        birthYear: args.birthYear,
        municipalityCode: args.municipalityCode,
        group: args.group,
        includeClosed: args.includeClosed,
      },
      args,
      { count: selectsField(info, 'totalCount'), include: personIncludes(info, ['edges', 'node']) },
    );
    this.loaders.prime(
      ctx,
      page.edges.map((e) => e.node),
    );
    return page;
  }

  @Query(() => Beneficiary, { nullable: true, description: 'A person as the registry knew them at a moment' })
  beneficiaryAsOf(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('at') at: Date,
    @Args(purposeArg) purpose?: AccessPurpose,
  ): Promise<Beneficiary | null> {
    return this.people.asOf(declare(ctx, purpose), id, at);
  }

  @Mutation(() => RegisterPersonResult, {
    description: 'Register a person; an AFM or AMKA already registered returns DuplicatePerson',
  })
  registerPerson(@Ctx() ctx: RequestContext, @Args('input') input: RegisterPersonInput) {
    return this.people.register(ctx, input);
  }

  @Mutation(() => Beneficiary)
  updatePerson(@Ctx() ctx: RequestContext, @Args('input') input: UpdatePersonInput): Promise<Beneficiary> {
    return this.people.update(ctx, input);
  }

  @Mutation(() => Beneficiary, { description: 'Hand a person over to another municipality' })
  movePerson(@Ctx() ctx: RequestContext, @Args('input') input: MovePersonInput): Promise<Beneficiary> {
    return this.people.move(ctx, input);
  }

  @Mutation(() => Beneficiary)
  closePerson(@Ctx() ctx: RequestContext, @Args('input') input: ClosePersonInput): Promise<Beneficiary> {
    return this.people.close(ctx, input);
  }

  @Mutation(() => GroupMembership)
  addGroupMembership(@Ctx() ctx: RequestContext, @Args('input') input: AddGroupMembershipInput) {
    return this.records.addGroup(ctx, input);
  }

  @Mutation(() => GroupMembership)
  endGroupMembership(@Ctx() ctx: RequestContext, @Args('input') input: EndGroupMembershipInput) {
    return this.records.endGroup(ctx, input);
  }

  @Mutation(() => EsfParticipation)
  setEsfParticipation(@Ctx() ctx: RequestContext, @Args('input') input: EsfParticipationInput) {
    return this.records.setEsf(ctx, input);
  }

  @Mutation(() => EsfParticipation, {
    description: 'Record that an ESF participant left, with their situation upon leaving',
  })
  setEsfLeaving(@Ctx() ctx: RequestContext, @Args('input') input: EsfLeavingInput) {
    return this.records.setEsfLeaving(ctx, input);
  }

  @Mutation(() => PersonConsent)
  giveConsent(@Ctx() ctx: RequestContext, @Args('input') input: GiveConsentInput) {
    return this.records.giveConsent(ctx, input);
  }

  @Mutation(() => PersonConsent)
  withdrawConsent(
    @Ctx() ctx: RequestContext,
    @Args('consentId', { type: () => UuidScalar }) consentId: string,
  ) {
    return this.records.withdrawConsent(ctx, consentId);
  }

  @ResolveField(() => Municipality)
  municipality(@Parent() person: Beneficiary): Municipality {
    return this.geography.getMunicipality(person.municipalityCode);
  }

  @ResolveField(() => [GroupMembership], {
    description:
      'The six groups: CHILD and ELDERLY derived from the birth date; ROMA and DISABILITY only with special_category',
  })
  async groups(@Ctx() ctx: RequestContext, @Parent() person: Beneficiary): Promise<GroupMembership[]> {
    const recorded = await this.loaders.for(ctx).groups.load(person.id);
    return [...this.records.derivedGroups(person), ...recorded];
  }

  @ResolveField(() => HouseholdView, { nullable: true, description: 'The current household' })
  household(@Ctx() ctx: RequestContext, @Parent() person: Beneficiary) {
    return this.loaders.for(ctx).household.load(person.id);
  }

  @ResolveField(() => EsfParticipation, { nullable: true })
  esf(@Ctx() ctx: RequestContext, @Parent() person: Beneficiary) {
    return this.loaders.for(ctx).esf.load(person.id);
  }

  @ResolveField(() => [PersonConsent])
  consents(@Ctx() ctx: RequestContext, @Parent() person: Beneficiary) {
    return this.loaders.for(ctx).consents.load(person.id);
  }

  @ResolveField(() => [PersonFactView], {
    description: 'Recorded facts (feeds, documents, staff, declarations), newest first',
  })
  async facts(
    @Ctx() ctx: RequestContext,
    @Parent() person: Beneficiary,
    @Args('kind', { type: () => FactKind, nullable: true }) kind?: FactKind,
  ): Promise<PersonFactView[]> {
    const facts = await this.loaders.for(ctx).facts.load(person.id);
    return kind ? facts.filter((f) => f.kind === kind) : facts;
  }

  @ResolveField(() => PersonChangeConnection, {
    description: 'Every change, newest first, merged records included',
  })
  history(@Ctx() ctx: RequestContext, @Parent() person: Beneficiary, @Args() page: PageArgs) {
    return this.people.history(ctx, person.id, page);
  }
}

@Resolver(() => HouseholdView)
export class HouseholdResolver {
  constructor(
    private readonly households: HouseholdService,
    private readonly geography: GeographyService,
  ) {}

  @Query(() => HouseholdView, { description: 'A household of your area' })
  household(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args(purposeArg) purpose?: AccessPurpose,
  ): Promise<HouseholdView> {
    return this.households.get(declare(ctx, purpose), id);
  }

  @Mutation(() => HouseholdView)
  createHousehold(@Ctx() ctx: RequestContext, @Args('input') input: CreateHouseholdInput) {
    return this.households.create(ctx, input);
  }

  @Mutation(() => HouseholdView)
  addHouseholdMember(@Ctx() ctx: RequestContext, @Args('input') input: AddHouseholdMemberInput) {
    return this.households.addMember(ctx, input);
  }

  @Mutation(() => HouseholdView)
  removeHouseholdMember(@Ctx() ctx: RequestContext, @Args('input') input: RemoveHouseholdMemberInput) {
    return this.households.removeMember(ctx, input);
  }

  @ResolveField(() => Municipality)
  municipality(@Parent() household: HouseholdView): Municipality {
    return this.geography.getMunicipality(household.municipalityCode);
  }
}

@Resolver(() => HouseholdMemberView)
export class HouseholdMemberResolver {
  constructor(private readonly loaders: BeneficiaryLoaders) {}

  @ResolveField(() => Beneficiary, { nullable: true })
  person(@Ctx() ctx: RequestContext, @Parent() member: HouseholdMemberView) {
    return this.loaders.for(ctx).person.load(member.personId);
  }
}

@Resolver(() => DuplicateReviewView)
export class DuplicateReviewResolver {
  constructor(
    private readonly duplicates: DuplicateService,
    private readonly loaders: BeneficiaryLoaders,
  ) {}

  @Query(() => DuplicateReviewConnection, {
    description: 'Pairs of records of your area that may be the same person',
  })
  duplicateReviews(@Ctx() ctx: RequestContext, @Args() args: DuplicateReviewArgs) {
    return this.duplicates.list(declare(ctx, args.purpose), args.status ?? DuplicateReviewStatus.OPEN, args);
  }

  @Mutation(() => DuplicateReviewView, { description: 'The two records are different people' })
  dismissDuplicate(
    @Ctx() ctx: RequestContext,
    @Args('reviewId', { type: () => UuidScalar }) reviewId: string,
  ) {
    return this.duplicates.dismiss(ctx, reviewId);
  }

  @Mutation(() => Beneficiary, { description: 'The two records are one person: merge into survivorId' })
  mergePeople(
    @Ctx() ctx: RequestContext,
    @Args('reviewId', { type: () => UuidScalar }) reviewId: string,
    @Args('survivorId', { type: () => UuidScalar }) survivorId: string,
  ): Promise<Beneficiary> {
    return this.duplicates.merge(ctx, reviewId, survivorId);
  }

  @ResolveField(() => Beneficiary, { nullable: true })
  personA(@Ctx() ctx: RequestContext, @Parent() review: DuplicateReviewView) {
    return this.loaders.for(ctx).person.load(review.personAId);
  }

  @ResolveField(() => Beneficiary, { nullable: true })
  personB(@Ctx() ctx: RequestContext, @Parent() review: DuplicateReviewView) {
    return this.loaders.for(ctx).person.load(review.personBId);
  }
}

/** The person of an enrolment, read through the same scoped, audited loader as any person. */
@Resolver(() => EnrolmentView)
export class EnrolmentPersonResolver {
  constructor(private readonly loaders: BeneficiaryLoaders) {}

  @ResolveField(() => Beneficiary, { nullable: true })
  person(@Ctx() ctx: RequestContext, @Parent() enrolment: EnrolmentView) {
    return this.loaders.for(ctx).person.load(enrolment.personId);
  }
}
