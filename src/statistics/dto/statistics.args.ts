import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { AreaLevel, PERIOD_PATTERN, StatisticsMeasure } from '../statistics-cube.js';

const PERIOD_MESSAGE = 'period must be ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01)';

@InputType('StatisticsAreaInput')
export class AreaInput {
  @Field(() => AreaLevel)
  @IsEnum(AreaLevel)
  level: AreaLevel;

  @Field({
    description: 'ELSTAT code (municipality 4912, regional unit 0907, region 9), old prefecture name, EL',
  })
  @IsString()
  @Length(1, 60)
  code: string;
}

@ArgsType()
export class StatisticsArgs {
  @Field(() => AreaInput)
  @ValidateNested()
  @Type(() => AreaInput)
  area: AreaInput;

  @Field({ defaultValue: 'ALL', description: 'ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01)' })
  @Matches(PERIOD_PATTERN, { message: PERIOD_MESSAGE })
  period: string = 'ALL';
}

@ArgsType()
export class MunicipalityFiguresArgs extends StatisticsArgs {
  @Field(() => StatisticsMeasure, { defaultValue: StatisticsMeasure.PEOPLE })
  @IsEnum(StatisticsMeasure)
  measure: StatisticsMeasure = StatisticsMeasure.PEOPLE;
}

/** REST: the area is in the path (/statistics/{level}/{code}). */
export class StatisticsQuery {
  @ApiPropertyOptional({ example: '2025', default: 'ALL', description: PERIOD_MESSAGE })
  @IsOptional()
  @Matches(PERIOD_PATTERN, { message: PERIOD_MESSAGE })
  period?: string;
}

export class MunicipalityFiguresQuery extends StatisticsQuery {
  @ApiPropertyOptional({
    enum: StatisticsMeasure,
    enumName: 'StatisticsMeasure',
    default: StatisticsMeasure.PEOPLE,
  })
  @IsOptional()
  @IsEnum(StatisticsMeasure)
  measure?: StatisticsMeasure;
}

export class AreaParams {
  @ApiProperty({ enum: AreaLevel, enumName: 'StatisticsAreaLevel' })
  @IsEnum(AreaLevel)
  level: AreaLevel;

  @ApiProperty({ example: '9' })
  @IsString()
  @Length(1, 60)
  code: string;
}

export enum EsfExportFormat {
  JSON = 'json',
  CSV = 'csv',
}

/** REST: the ESF+ indicators of an area, as JSON (default) or CSV. */
export class EsfIndicatorsQuery extends StatisticsQuery {
  @ApiPropertyOptional({ enum: EsfExportFormat, enumName: 'EsfExportFormat', default: EsfExportFormat.JSON })
  @IsOptional()
  @IsEnum(EsfExportFormat)
  format?: EsfExportFormat;
}
