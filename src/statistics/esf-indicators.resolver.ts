import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { StatisticsArgs } from './dto/statistics.args.js';
import { EsfIndicatorReport } from './esf-indicators.model.js';
import { EsfIndicatorsService } from './esf-indicators.service.js';

/** ESF+ participant indicators for centres (their own area) and everyone with statistics:read. */
@Resolver(() => EsfIndicatorReport)
export class EsfIndicatorsResolver {
  constructor(private readonly service: EsfIndicatorsService) {}

  @Query(() => EsfIndicatorReport, {
    description:
      'ESF+ participant indicators (Reg. 2021/1057 Annex I) per centre of an area for a fixed period, by gender; small counts suppressed below national level',
  })
  esfIndicators(@Ctx() ctx: RequestContext, @Args() args: StatisticsArgs) {
    return this.service.report(ctx, args.area, args.period);
  }
}
