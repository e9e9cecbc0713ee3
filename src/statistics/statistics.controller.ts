import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { StatisticsMeasure } from './statistics-cube.js';
import {
  AreaParams,
  EsfExportFormat,
  EsfIndicatorsQuery,
  MunicipalityFiguresQuery,
  StatisticsQuery,
} from './dto/statistics.args.js';
import { EsfIndicatorReport } from './esf-indicators.model.js';
import { EsfIndicatorsService } from './esf-indicators.service.js';
import { LikelyEligibleReport } from './likely-eligible.model.js';
import { LikelyEligibleService } from './likely-eligible.service.js';
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
  constructor(
    private readonly statistics: StatisticsService,
    private readonly esf: EsfIndicatorsService,
    private readonly likelyEligible: LikelyEligibleService,
  ) {}

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

  @Get(':level/:code/esf-indicators')
  @ApiRoute(
    'ESF+ participant indicators (Reg. 2021/1057 Annex I): one row per indicator code per centre of the area for a fixed period, by gender, as JSON or CSV (format=csv); small counts suppressed below national level',
    [403, 404],
  )
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: EsfIndicatorReport,
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/EsfIndicatorReport' } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async esfIndicators(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: EsfIndicatorsQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EsfIndicatorReport | string> {
    const period = query.period ?? 'ALL';
    if (query.format !== EsfExportFormat.CSV) return this.esf.report(ctx, params, period);
    const csv = await this.esf.reportCsv(ctx, params, period);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="esf-indicators-${params.level}-${params.code}-${period}.csv"`,
    );
    return csv;
  }

  @Get(':level/:code/likely-eligible')
  @ApiRoute(
    'People likely eligible but not enrolled, per programme and municipality of an area, as last computed; small counts suppressed below national level',
    [403, 404],
  )
  @ApiOkResponse({ type: LikelyEligibleReport })
  likelyEligibleFigures(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
  ): Promise<LikelyEligibleReport> {
    return this.likelyEligible.report(ctx, params);
  }
}
