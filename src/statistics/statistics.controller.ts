import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { StatisticsMeasure } from './statistics-cube.js';
import { AreaParams, MunicipalityFiguresQuery, StatisticsQuery } from './dto/statistics.args.js';
import { AreaStatistics, MunicipalityFigures } from './statistics.model.js';
import { StatisticsService } from './statistics.service.js';

/**
 * Figures over REST for regions (their region and the areas in it) and national roles: the same
 * service as GraphQL, so the same figure is suppressed the same way (docs/statistics.md).
 */
@ApiTags('statistics')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get(':level/:code')
  @ApiRoute(
    'Registry figures of an area (municipality, regional unit, old prefecture, region, country EL) for a fixed period, with asOf; small counts suppressed below national level',
    [403, 404],
  )
  @ApiOkResponse({ type: AreaStatistics })
  figures(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: StatisticsQuery,
  ): Promise<AreaStatistics> {
    return this.statistics.figures(ctx, params, query.period ?? 'ALL');
  }

  @Get(':level/:code/municipalities')
  @ApiRoute(
    'One measure per municipality of an area, for maps, suppressed like every other figure',
    [403, 404],
  )
  @ApiOkResponse({ type: MunicipalityFigures })
  municipalities(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: MunicipalityFiguresQuery,
  ): Promise<MunicipalityFigures> {
    return this.statistics.municipalityFigures(
      ctx,
      params,
      query.period ?? 'ALL',
      query.measure ?? StatisticsMeasure.PEOPLE,
    );
  }
}
