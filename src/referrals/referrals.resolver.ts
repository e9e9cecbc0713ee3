import { Args, Info, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { IsOptional } from 'class-validator';
import { AccessPurpose } from '../audit/purpose.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { selectsField } from '../common/graphql/selection.js';
import { IsAfm, IsAmka } from '../common/identifiers/validators.js';
import { Connection } from '../common/pagination.js';
import {
  ChangeReferralStatusInput,
  HandoverInput,
  ReferralCountsArgs,
  ReferralFilterArgs,
  ReferralInput,
} from './dto/referral.input.js';
import { PersonRegistration, ReferralCounts, ReferralView } from './referral.model.js';
import { ReferralsService } from './referrals.service.js';
import { ArgsType, Field } from '@nestjs/graphql';

export const ReferralConnection = Connection(ReferralView, 'Referral');

@ArgsType()
class RegistrationArgs {
  @Field({ nullable: true })
  @IsOptional()
  @IsAfm()
  afm?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsAmka()
  amka?: string;
}

/** Referrals for centres and providers (docs/referrals.md); every field adapts one service call. */
@Resolver(() => ReferralView)
export class ReferralsResolver {
  constructor(private readonly service: ReferralsService) {}

  @Query(() => ReferralConnection, {
    description:
      "Referrals you may see: your centre's (and hand-overs asked of it), your provider's inbox, or one person's history (personId); needs a purpose, audited",
  })
  referrals(
    @Ctx() ctx: RequestContext,
    @Args() filter: ReferralFilterArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    if (filter.purpose) ctx.purpose = filter.purpose;
    return this.service.list(ctx, filter, { count: selectsField(info, 'totalCount') });
  }

  @Query(() => ReferralView, { description: 'One referral with its history; needs a purpose, audited' })
  referral(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.get(ctx, id);
  }

  @Query(() => ReferralCounts, { description: 'Referrals counted by status, provider and need, with times' })
  referralCounts(@Ctx() ctx: RequestContext, @Args() args: ReferralCountsArgs) {
    return this.service.counts(ctx, args);
  }

  @Query(() => PersonRegistration, {
    description:
      'National look-up by exact AFM or AMKA for a hand-over: only whether the person is registered and where; audited',
  })
  personRegistration(
    @Ctx() ctx: RequestContext,
    @Args() args: RegistrationArgs,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.personRegistration(ctx, args.afm, args.amka);
  }

  @Mutation(() => ReferralView, { description: 'Refers a person of your area to a provider or a programme' })
  createReferral(
    @Ctx() ctx: RequestContext,
    @Args('input') input: ReferralInput,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.create(ctx, input);
  }

  @Mutation(() => ReferralView, {
    description:
      'Sends, cancels (referring centre), accepts, rejects, starts or completes (receiver) a referral',
  })
  changeReferralStatus(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('input') input: ChangeReferralStatusInput,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.changeStatus(ctx, id, input);
  }

  @Mutation(() => ReferralView, {
    description: 'Asks the centre holding a person (by exact AFM or AMKA) to hand them over to your area',
  })
  requestHandover(
    @Ctx() ctx: RequestContext,
    @Args('input') input: HandoverInput,
    @Args('purpose', { type: () => AccessPurpose, nullable: true }) purpose?: AccessPurpose,
  ) {
    if (purpose) ctx.purpose = purpose;
    return this.service.requestHandover(ctx, input);
  }
}
