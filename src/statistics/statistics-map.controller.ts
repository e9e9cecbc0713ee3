import { Controller, Get, Header, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { MAP_WIDTH, StatisticsMapQuery } from './dto/statistics-map.args.js';
import { AreaParams } from './dto/statistics.args.js';
import { StatisticsMeasure } from './statistics-cube.js';
import { MapIndicator, StatisticsMapService, type MapRequest } from './statistics-map.service.js';

const request = (params: AreaParams, query: StatisticsMapQuery): MapRequest => ({
  area: params,
  period: query.period ?? 'ALL',
  measure: query.measure ?? StatisticsMeasure.PEOPLE,
  indicator: query.indicator ?? MapIndicator.PER_1000_RESIDENTS,
});

/**
 * Choropleth maps over REST for regions (their region and the areas in it) and national roles:
 * the figures of /statistics/{level}/{code}/municipalities joined to the 2011 boundaries.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('statistics')
export class StatisticsMapController {
  constructor(private readonly maps: StatisticsMapService) {}

  @Get(':level/:code/map.geojson')
  @ApiRoute(
    'GeoJSON FeatureCollection of one measure per municipality of an area, for choropleth maps; a suppressed cell is null with suppressed: true',
    [403, 404],
  )
  @ApiProduces('application/geo+json')
  @ApiOkResponse({
    description:
      'RFC 7946 FeatureCollection; foreign members area, measure, indicator, period, asOf, smallCellsSuppressed, classes, attribution',
    content: { 'application/geo+json': { schema: { type: 'object' } } },
  })
  @Header('Content-Type', 'application/geo+json; charset=utf-8')
  async geojson(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: StatisticsMapQuery,
  ): Promise<string> {
    return this.maps.geojson(ctx, request(params, query));
  }

  @Get(':level/:code/map.svg')
  @ApiRoute(
    'The choropleth drawn as SVG for reports: title, legend, as-of date, attribution, suppressed cells hatched',
    [403, 404],
  )
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  async svg(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: StatisticsMapQuery,
  ): Promise<string> {
    return this.maps.svg(ctx, request(params, query), query.width ?? MAP_WIDTH.default);
  }

  @Get(':level/:code/map.png')
  @ApiRoute('The choropleth rendered to PNG (the SVG map, rasterised)', [403, 404])
  @ApiProduces('image/png')
  @ApiOkResponse({
    description: 'PNG',
    content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
  })
  async png(
    @Ctx() ctx: RequestContext,
    @Param() params: AreaParams,
    @Query() query: StatisticsMapQuery,
  ): Promise<StreamableFile> {
    const png = await this.maps.png(ctx, request(params, query), query.width ?? MAP_WIDTH.default);
    return new StreamableFile(png, { type: 'image/png' });
  }
}
