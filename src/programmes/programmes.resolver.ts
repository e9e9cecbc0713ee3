import {
  Args,
  ArgsType,
  Field,
  Info,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { IsOptional } from 'class-validator';
import { AccessPurpose } from '../audit/purpose.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { selectsField } from '../common/graphql/selection.js';
import { Connection } from '../common/pagination.js';
import { Provider } from '../providers/provider.entity.js';
import { ProviderLoaders } from '../providers/provider-loaders.js';
import { ChangeEnrolmentInput, EnrolInput, EnrolmentFilterArgs } from './dto/enrolment.input.js';
import { ProgrammeFilterArgs, ProgrammeInput } from './dto/programme.input.js';
import { EnrolmentsService } from './enrolments.service.js';
import { ProgrammeLoaders } from './programme-loaders.js';
import {
  EnrolmentView,
  Programme,
  ProgrammeCoverage,
  ProgrammeParameter,
  ProgrammeRuleCase,
} from './programme.entity.js';
import { ProgrammesService } from './programmes.service.js';
import { IsDay } from '../common/validators.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { LagTolerant } from '../database/read-replica.js';
import { EntitlementAtEnrolment } from '../eligibility/entitlements.model.js';

export const ProgrammeConnection = Connection(Programme);
export const EnrolmentConnection = Connection(EnrolmentView, 'Enrolment');

@ArgsType()
class DayArgs {
  @Field({ nullable: true, description: 'A day (YYYY-MM-DD)' })
  @IsOptional()
  @IsDay()
  on?: string;
}

@Resolver(() => Programme)
export class ProgrammeResolver {
  constructor(
    private readonly service: ProgrammesService,
    private readonly loaders: ProgrammeLoaders,
    private readonly providerLoaders: ProviderLoaders,
  ) {}

  @LagTolerant()
  @Query(() => ProgrammeConnection, {
    description: 'Programmes available in a municipality, for a group, active on a day, of a kind, by title',
  })
  programmes(
    @Ctx() ctx: RequestContext,
    @Args() filter: ProgrammeFilterArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    return this.service.search(ctx, filter, { count: selectsField(info, 'totalCount') });
  }

  @Query(() => Programme)
  programme(@Ctx() ctx: RequestContext, @Args('id', { type: () => UuidScalar }) id: string) {
    return this.service.get(ctx, id);
  }

  @Query(() => Programme, { description: 'A programme by its code, e.g. GMI' })
  programmeByCode(@Ctx() ctx: RequestContext, @Args('code') code: string) {
    return this.service.getByCode(ctx, code);
  }

  @Mutation(() => Programme, { description: 'Adds a programme (regions: within their own region)' })
  createProgramme(@Ctx() ctx: RequestContext, @Args('input') input: ProgrammeInput) {
    return this.service.create(ctx, input);
  }

  @Mutation(() => Programme, { description: 'Replaces a programme you maintain as a whole' })
  updateProgramme(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('input') input: ProgrammeInput,
  ) {
    return this.service.replace(ctx, id, input);
  }

  @ResolveField(() => [ProgrammeCoverage], { description: 'Empty for a national programme' })
  coverage(@Ctx() ctx: RequestContext, @Parent() p: Programme) {
    return this.loaders.of(ctx).coverage.load(p.id);
  }

  @ResolveField(() => [ProgrammeParameter], {
    description: 'Amounts and thresholds; with `on`, only those valid that day',
  })
  parameters(@Ctx() ctx: RequestContext, @Parent() p: Programme, @Args() args: DayArgs) {
    return this.loaders.of(ctx).parameters(args.on).load(p.id);
  }

  @ResolveField(() => [ProgrammeRuleCase], {
    description: 'Test cases of the eligibility rule, run on every save (empty without a rule)',
  })
  ruleCases(@Ctx() ctx: RequestContext, @Parent() p: Programme) {
    return this.loaders.of(ctx).ruleCases.load(p.id);
  }

  @ResolveField(() => Provider, { nullable: true })
  administeringProvider(@Ctx() ctx: RequestContext, @Parent() p: Programme) {
    return p.administeringProviderId
      ? this.providerLoaders.of(ctx).provider.load(p.administeringProviderId)
      : null;
  }

  @ResolveField(() => [Provider])
  async deliveringProviders(@Ctx() ctx: RequestContext, @Parent() p: Programme) {
    const ids = await this.loaders.of(ctx).deliveringProviderIds.load(p.id);
    const found = await this.providerLoaders.of(ctx).provider.loadMany(ids);
    return found.filter((x): x is Provider => x instanceof Provider);
  }
}

@Resolver(() => EnrolmentView)
export class EnrolmentResolver {
  constructor(
    private readonly service: EnrolmentsService,
    private readonly loaders: ProgrammeLoaders,
  ) {}

  @Query(() => EnrolmentConnection, {
    description:
      'Enrolments of people of your area (a person, a programme or both); needs a purpose, audited',
  })
  enrolments(
    @Ctx() ctx: RequestContext,
    @Args() filter: EnrolmentFilterArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    if (filter.purpose) ctx.purpose = filter.purpose;
    return this.service.list(ctx, filter, { count: selectsField(info, 'totalCount') });
  }

  @Query(() => EnrolmentView)
  enrolment(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.get(ctx, id);
  }

  @Mutation(() => EnrolmentView, { description: 'Enrols a person of your area in a programme' })
  enrol(
    @Ctx() ctx: RequestContext,
    @Args('input') input: EnrolInput,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.enrol(ctx, input);
  }

  @Mutation(() => EnrolmentView, { description: 'Activates, suspends or ends an enrolment' })
  changeEnrolmentStatus(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('input') input: ChangeEnrolmentInput,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.changeStatus(ctx, id, input);
  }

  @ResolveField(() => EntitlementAtEnrolment, {
    nullable: true,
    description: 'What the registry answered when the person was enrolled (null for older enrolments)',
  })
  entitlementAtEnrolment(@Parent() e: EnrolmentView) {
    return e.entitlementAtEnrolment ?? null;
  }

  @ResolveField(() => Programme)
  programme(@Ctx() ctx: RequestContext, @Parent() e: EnrolmentView) {
    return this.loaders.of(ctx).programme.load(e.programmeId);
  }
}
