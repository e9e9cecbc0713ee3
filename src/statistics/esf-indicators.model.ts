import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar } from '../common/graphql/scalars.js';
import { EsfIndicatorKind } from './esf-indicators.js';
import { StatisticsArea } from './statistics.model.js';

registerEnumType(EsfIndicatorKind, {
  name: 'EsfIndicatorKind',
  description: 'OUTPUT and RESULT are Annex I codes; LEAVERS and NOT_ANSWERED are national rows kept apart',
});

@ObjectType({ description: 'One published count of an ESF+ indicator' })
export class EsfCount {
  @Field(() => Int, { nullable: true, description: 'null when suppressed (a small count, or its partner)' })
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null when suppressed' })
  count: number | null;

  @Field({ description: 'Withheld because it could single out a person (docs/statistics.md)' })
  @ApiProperty()
  suppressed: boolean;
}

@ObjectType({ description: 'One indicator of one centre (municipality) or area for one period, by gender' })
export class EsfIndicatorRow {
  @Field({ description: 'ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01)' })
  @ApiProperty({ example: '2025' })
  period: string;

  @Field(() => StatisticsArea, {
    description: 'The centre (its municipality), or the whole area asked for (its total row)',
  })
  @ApiProperty({ type: StatisticsArea })
  centre: StatisticsArea;

  @Field({ description: 'EECO01…EECO17, EECR01…EECR04, or a national row (LEAVERS, PNA-…, UNK-…)' })
  @ApiProperty({ example: 'EECO02' })
  code: string;

  @Field()
  @ApiProperty({ example: 'Unemployed, including long-term unemployed' })
  name: string;

  @Field(() => EsfIndicatorKind)
  @ApiProperty({ enum: EsfIndicatorKind })
  kind: EsfIndicatorKind;

  @Field(() => EsfCount)
  @ApiProperty({ type: EsfCount })
  total: EsfCount;

  @Field(() => EsfCount)
  @ApiProperty({ type: EsfCount })
  women: EsfCount;

  @Field(() => EsfCount)
  @ApiProperty({ type: EsfCount })
  men: EsfCount;

  @Field(() => EsfCount, { description: 'Gender recorded as OTHER' })
  @ApiProperty({ type: EsfCount })
  nonBinary: EsfCount;

  @Field(() => EsfCount, { description: 'Gender not recorded (UNKNOWN)' })
  @ApiProperty({ type: EsfCount })
  genderNotRecorded: EsfCount;
}

@ObjectType({
  description: 'ESF+ participant indicators (Reg. 2021/1057 Annex I) of an area (docs/statistics.md)',
})
export class EsfIndicatorReport {
  @Field(() => StatisticsArea)
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field()
  @ApiProperty({ example: '2025' })
  period: string;

  @Field(() => DateTimeScalar, {
    description: 'When these figures were computed (they include every change before it)',
  })
  @ApiProperty({ type: String, format: 'date-time' })
  asOf: Date;

  @Field({ description: 'True when small counts are suppressed for this caller (below national level)' })
  @ApiProperty()
  smallCellsSuppressed: boolean;

  @Field({
    description:
      'False when the caller lacks special_category: EECO12, EECO15 and their PNA rows are left out',
  })
  @ApiProperty()
  specialCategoryIncluded: boolean;

  @Field(() => [EsfIndicatorRow], {
    description:
      'Per centre (municipality of the area with any ESF participant), then the area itself when it is larger',
  })
  @ApiProperty({ type: EsfIndicatorRow, isArray: true })
  rows: EsfIndicatorRow[];
}
