import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { StatisticsMapArgs } from './dto/statistics-map.args.js';
import { StatisticsMap } from './statistics-map.model.js';
import { StatisticsMapService } from './statistics-map.service.js';

/** Maps for centres (their own municipalities) and everyone with statistics:read (docs/statistics.md). */
@Resolver(() => StatisticsMap)
export class StatisticsMapResolver {
  constructor(private readonly maps: StatisticsMapService) {}

  @Query(() => StatisticsMap, {
    description:
      'A choropleth of one measure per municipality of an area, as GeoJSON and SVG; suppressed like every other figure',
  })
  statisticsMap(@Ctx() ctx: RequestContext, @Args() args: StatisticsMapArgs): Promise<StatisticsMap> {
    return this.maps.graphqlMap(
      ctx,
      { area: args.area, period: args.period, measure: args.measure, indicator: args.indicator },
      args.width,
    );
  }
}
