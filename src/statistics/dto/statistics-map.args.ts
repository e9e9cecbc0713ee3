import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MapIndicator } from '../statistics-map.service.js';
import { MunicipalityFiguresArgs, MunicipalityFiguresQuery } from './statistics.args.js';

export const MAP_WIDTH = { min: 300, max: 2400, default: 800 } as const;
const INDICATOR =
  'What the municipalities are coloured by: the count, or the count per 1,000 residents (2021 census)';

@ArgsType()
export class StatisticsMapArgs extends MunicipalityFiguresArgs {
  @Field(() => MapIndicator, { defaultValue: MapIndicator.PER_1000_RESIDENTS, description: INDICATOR })
  @IsEnum(MapIndicator)
  indicator: MapIndicator = MapIndicator.PER_1000_RESIDENTS;

  @Field(() => Int, { defaultValue: MAP_WIDTH.default, description: 'Width of the SVG map, in pixels' })
  @IsInt()
  @Min(MAP_WIDTH.min)
  @Max(MAP_WIDTH.max)
  width: number = MAP_WIDTH.default;
}

/** REST: /statistics/{level}/{code}/map.geojson|svg|png */
export class StatisticsMapQuery extends MunicipalityFiguresQuery {
  @ApiPropertyOptional({
    enum: MapIndicator,
    enumName: 'MapIndicator',
    default: MapIndicator.PER_1000_RESIDENTS,
    description: INDICATOR,
  })
  @IsOptional()
  @IsEnum(MapIndicator)
  indicator?: MapIndicator;

  @ApiPropertyOptional({
    type: Number,
    minimum: MAP_WIDTH.min,
    maximum: MAP_WIDTH.max,
    default: MAP_WIDTH.default,
    description: 'Width of the SVG or PNG map, in pixels (ignored by GeoJSON)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MAP_WIDTH.min)
  @Max(MAP_WIDTH.max)
  width?: number;
}
