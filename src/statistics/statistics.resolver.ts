import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { MunicipalityFiguresArgs, StatisticsArgs } from './dto/statistics.args.js';
import { AreaStatistics, MunicipalityFigures } from './statistics.model.js';
import { StatisticsService } from './statistics.service.js';

/** Figures for centres (their own municipalities) and everyone with statistics:read (docs/statistics.md). */
@Resolver(() => AreaStatistics)
export class StatisticsResolver {
  constructor(private readonly service: StatisticsService) {}

  @Query(() => AreaStatistics, {
    description:
      'Registry figures of an area for a fixed period: people, households, enrolments, referrals, with asOf; small counts suppressed below national level',
  })
  statistics(@Ctx() ctx: RequestContext, @Args() args: StatisticsArgs) {
    return this.service.figures(ctx, args.area, args.period);
  }

  @Query(() => MunicipalityFigures, {
    description: 'One measure per municipality of an area (for maps), suppressed like every other figure',
  })
  municipalityStatistics(@Ctx() ctx: RequestContext, @Args() args: MunicipalityFiguresArgs) {
    return this.service.municipalityFigures(ctx, args.area, args.period, args.measure);
  }
}
