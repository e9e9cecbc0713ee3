import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { CreateReferralLinkArgs } from './dto/referral-link.input.js';
import { ReferralLinkView } from './referral.model.js';
import { ReferralLinksService } from './referral-links.service.js';

/** Signed links for providers without an account (docs/referrals.md); made and revoked by the referring centre. */
@Resolver(() => ReferralLinkView)
export class ReferralLinksResolver {
  constructor(private readonly links: ReferralLinksService) {}

  @Mutation(() => ReferralLinkView, {
    description:
      'A signed, expiring link through which the provider of a referral you sent sees and answers it without an account; url and token are shown only here',
  })
  createReferralLink(@Ctx() ctx: RequestContext, @Args() args: CreateReferralLinkArgs) {
    return this.links.create(ctx, args.referralId, args.expiresInDays);
  }

  @Mutation(() => ReferralLinkView, { description: 'Revokes a referral link at once' })
  revokeReferralLink(@Ctx() ctx: RequestContext, @Args('id', { type: () => UuidScalar }) id: string) {
    return this.links.revoke(ctx, id);
  }
}
