import { Field, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar, UuidScalar } from '../common/graphql/scalars.js';
import { StatisticsArea, StatisticsCell } from './statistics.model.js';

@ObjectType({
  description: 'One programme in one area: people likely eligible, and those of them not enrolled',
})
export class LikelyEligibleFigure {
  @Field(() => StatisticsArea, { description: 'A municipality of the area, or the area itself' })
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field(() => UuidScalar)
  @ApiProperty({ format: 'uuid' })
  programmeId: string;

  @Field()
  @ApiProperty({ example: 'KEA' })
  programmeCode: string;

  @Field(() => StatisticsCell, { description: 'Active people the programme reaches, evaluated' })
  @ApiProperty({ type: StatisticsCell })
  evaluated: StatisticsCell;

  @Field(() => StatisticsCell, { description: 'Likely eligible (ELIGIBLE on the facts recorded)' })
  @ApiProperty({ type: StatisticsCell })
  eligible: StatisticsCell;

  @Field(() => StatisticsCell, { description: 'Likely eligible and without an open enrolment in it' })
  @ApiProperty({ type: StatisticsCell })
  eligibleNotEnrolled: StatisticsCell;

  @Field(() => StatisticsCell, { description: 'Cannot tell yet (a fact missing)' })
  @ApiProperty({ type: StatisticsCell })
  cannotTell: StatisticsCell;
}

@ObjectType({
  description: 'People likely eligible but not enrolled, per programme, of an area (docs/statistics.md)',
})
export class LikelyEligibleReport {
  @Field(() => StatisticsArea)
  @ApiProperty({ type: StatisticsArea })
  area: StatisticsArea;

  @Field(() => DateTimeScalar, {
    description: 'When the counts were computed (facts and enrolments as they were then)',
  })
  @ApiProperty({ type: String, format: 'date-time' })
  asOf: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The day the rules were evaluated for; null before a first run',
  })
  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-12-01' })
  evaluatedOn: string | null;

  @Field({ description: 'True when small counts are suppressed for this caller (below national level)' })
  @ApiProperty()
  smallCellsSuppressed: boolean;

  @Field(() => [LikelyEligibleFigure])
  @ApiProperty({ type: LikelyEligibleFigure, isArray: true })
  rows: LikelyEligibleFigure[];
}
