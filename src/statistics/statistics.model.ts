import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar } from '../common/graphql/scalars.js';
import { AreaLevel, StatisticsMeasure } from './statistics-cube.js';

registerEnumType(AreaLevel, {
  name: 'StatisticsAreaLevel',
  description: 'A level of the geography figures are given for',
});
registerEnumType(StatisticsMeasure, { name: 'StatisticsMeasure', description: 'What is counted' });

@ObjectType({ description: 'One published count' })
export class StatisticsCell {
  @Field({ description: 'The category (or period, in a trend); `total` for a total' })
  @ApiProperty({ example: 'FEMALE' })
  key: string;

  @Field(() => Int, { nullable: true, description: 'null when suppressed (a small count, or its partner)' })
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null when suppressed' })
  count: number | null;

  @Field({ description: 'Withheld because it could single out a person (docs/statistics.md)' })
  @ApiProperty()
  suppressed: boolean;
}

@ObjectType()
export class StatisticsBreakdown {
  @Field({
    description:
      'gender, ageBand, group, size, composition, programme, status, outcome, need, providerKind, acceptTime or completeTime',
  })
  @ApiProperty({ example: 'gender' })
  dimension: string;

  @Field(() => [StatisticsCell])
  @ApiProperty({ type: StatisticsCell, isArray: true })
  cells: StatisticsCell[];
}

@ObjectType({ description: 'One measure of an area and period: its total, breakdowns and trend' })
export class StatisticsTable {
  @Field(() => StatisticsMeasure)
  @ApiProperty({ enum: StatisticsMeasure })
  measure: StatisticsMeasure;

  @Field(() => DateTimeScalar, {
    description: 'When these figures were computed (they include every change before it)',
  })
  @ApiProperty({ type: String, format: 'date-time' })
  asOf: Date;

  @Field(() => StatisticsCell)
  @ApiProperty({ type: StatisticsCell })
  total: StatisticsCell;

  @Field(() => [StatisticsBreakdown])
  @ApiProperty({ type: StatisticsBreakdown, isArray: true })
  breakdowns: StatisticsBreakdown[];

  @Field(() => [StatisticsCell], {
    description: 'The total of each part of the period: the years of ALL, the months of a year or quarter',
  })
  @ApiProperty({ type: StatisticsCell, isArray: true })
  trend: StatisticsCell[];
}

@ObjectType()
export class StatisticsArea {
  @Field(() => AreaLevel)
  @ApiProperty({ enum: AreaLevel })
  level: AreaLevel;

  @Field({ description: 'ELSTAT code; the old prefecture by its name; EL for the country' })
  @ApiProperty({ example: '9' })
  code: string;

  @Field()
  @ApiProperty({ example: 'ΑΤΤΙΚΗΣ' })
  name: string;

  @Field(() => Int, { nullable: true, description: '2021 census population' })
  @ApiPropertyOptional({ type: Number, nullable: true })
  population: number | null;
}

@ObjectType({ description: 'Registry figures of one area and fixed period (docs/statistics.md)' })
export class AreaStatistics {
  @Field(() => StatisticsArea)
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field({ description: 'ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01)' })
  @ApiProperty({ example: '2025' })
  period: string;

  @Field(() => DateTimeScalar, { description: 'When the oldest of the tables was computed' })
  @ApiProperty({ type: String, format: 'date-time' })
  asOf: Date;

  @Field({ description: 'True when small counts are suppressed for this caller (below national level)' })
  @ApiProperty()
  smallCellsSuppressed: boolean;

  @Field(() => Float, {
    nullable: true,
    description: 'People registered per 1,000 residents (2021 census); null when the count is suppressed',
  })
  @ApiPropertyOptional({ type: Number, nullable: true })
  peoplePer1000Residents: number | null;

  @Field(() => [StatisticsTable])
  @ApiProperty({ type: StatisticsTable, isArray: true })
  tables: StatisticsTable[];
}

@ObjectType({ description: "One municipality's total of a measure, for maps" })
export class MunicipalityFigure {
  @Field(() => StatisticsArea)
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field(() => StatisticsCell)
  @ApiProperty({ type: StatisticsCell })
  total: StatisticsCell;

  @Field(() => Float, { nullable: true, description: 'Per 1,000 residents; null when suppressed or unknown' })
  @ApiPropertyOptional({ type: Number, nullable: true })
  per1000Residents: number | null;
}

@ObjectType({ description: 'A measure per municipality of an area (what a map draws)' })
export class MunicipalityFigures {
  @Field(() => StatisticsArea, { description: 'The area whose municipalities these are' })
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field(() => StatisticsMeasure)
  @ApiProperty({ enum: StatisticsMeasure })
  measure: StatisticsMeasure;

  @Field()
  @ApiProperty()
  period: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ type: String, format: 'date-time' })
  asOf: Date;

  @Field()
  @ApiProperty()
  smallCellsSuppressed: boolean;

  @Field(() => [MunicipalityFigure])
  @ApiProperty({ type: MunicipalityFigure, isArray: true })
  municipalities: MunicipalityFigure[];
}
