import { Args, ArgsType, Field, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IsEnum, IsOptional } from 'class-validator';
import { Beneficiary } from '../beneficiaries/beneficiary.model.js';
import { IsDay } from '../common/validators.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { Connection } from '../common/pagination.js';
import { EligibleNotEnrolledArgs, EntitlementsArgs, ScreeningInput } from './dto/entitlements.args.js';
import { LikelyEligiblePerson, PersonEntitlements, Screening } from './entitlements.model.js';
import { EntitlementsService } from './entitlements.service.js';
import { AcceptLanguage, Language, languageOf } from './language.js';

export const LikelyEligiblePersonConnection = Connection(LikelyEligiblePerson);

/**
 * The query cost of a person's entitlements (complexity.plugin.ts): every programme available where
 * they live is evaluated with its facts, about a hundred times the work of a plain field. Costed as 1,
 * four aliased pages of 100 people with their entitlements passed the limit and held a connection
 * for a minute each.
 */
export const ENTITLEMENTS_COST = 50;

@Resolver()
export class EntitlementsResolver {
  constructor(private readonly service: EntitlementsService) {}

  @Query(() => PersonEntitlements, {
    complexity: ENTITLEMENTS_COST,
    description:
      'What a person of your area is entitled to on a day: every programme available where they live, eligible / not eligible / cannot tell yet, why, how much, where to go; needs a purpose, audited',
  })
  entitlements(
    @Ctx() ctx: RequestContext,
    @Args() args: EntitlementsArgs,
    @AcceptLanguage() acceptLanguage?: string,
  ) {
    if (args.purpose) ctx.purpose = args.purpose;
    return this.service.forPerson(ctx, {
      personId: args.personId,
      asOf: args.asOf,
      language: languageOf(args.language, acceptLanguage),
    });
  }

  @Query(() => Screening, {
    description:
      'The same answer for someone not registered, from facts typed at the desk: writes nothing, audits nothing personal',
  })
  screen(
    @Ctx() ctx: RequestContext,
    @Args('input') input: ScreeningInput,
    @AcceptLanguage() acceptLanguage?: string,
  ) {
    return this.service.screen(ctx, input, languageOf(input.language, acceptLanguage));
  }

  @Query(() => LikelyEligiblePersonConnection, {
    description:
      'People of your area likely eligible for a programme and not enrolled in it, for outreach; needs a purpose, audited as one bulk read',
  })
  eligibleNotEnrolled(@Ctx() ctx: RequestContext, @Args() args: EligibleNotEnrolledArgs) {
    if (args.purpose) ctx.purpose = args.purpose;
    return this.service.eligibleNotEnrolled(ctx, args);
  }
}

@ArgsType()
class PersonEntitlementsArgs {
  @Field({ nullable: true, description: 'The day to answer for (YYYY-MM-DD), default today in Athens' })
  @IsOptional()
  @IsDay()
  asOf?: string;

  @Field(() => Language, { nullable: true, description: 'Default: Accept-Language, else EL' })
  @IsOptional()
  @IsEnum(Language)
  language?: Language;
}

/** The same answer from a person already read (`beneficiaryByIdentifier(amka:) { entitlements { ... } }`). */
@Resolver(() => Beneficiary)
export class BeneficiaryEntitlementsResolver {
  constructor(private readonly service: EntitlementsService) {}

  @ResolveField(() => PersonEntitlements, {
    complexity: ENTITLEMENTS_COST,
    description: 'What the person is entitled to (see Query.entitlements)',
  })
  entitlements(
    @Ctx() ctx: RequestContext,
    @Parent() person: Beneficiary,
    @Args() args: PersonEntitlementsArgs,
    @AcceptLanguage() acceptLanguage?: string,
  ) {
    return this.service.forPerson(ctx, {
      personId: person.id,
      asOf: args.asOf,
      language: languageOf(args.language, acceptLanguage),
    });
  }
}
