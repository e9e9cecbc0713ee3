import { Args, ArgsType, Field, Query, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { AreaInput } from './dto/statistics.args.js';
import { LikelyEligibleReport } from './likely-eligible.model.js';
import { LikelyEligibleService } from './likely-eligible.service.js';

@ArgsType()
export class LikelyEligibleArgs {
  @Field(() => AreaInput)
  @ValidateNested()
  @Type(() => AreaInput)
  area: AreaInput;
}

/** People likely eligible but not enrolled, per programme, for centres (their area) and statistics:read. */
@Resolver(() => LikelyEligibleReport)
export class LikelyEligibleResolver {
  constructor(private readonly service: LikelyEligibleService) {}

  @Query(() => LikelyEligibleReport, {
    description:
      'People likely eligible but not enrolled, per programme and municipality of an area, as last computed; small counts suppressed below national level',
  })
  likelyEligibleStatistics(@Ctx() ctx: RequestContext, @Args() args: LikelyEligibleArgs) {
    return this.service.report(ctx, args.area);
  }
}
