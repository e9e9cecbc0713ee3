import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { GraphQLJSONObject } from 'graphql-scalars';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { EURO_AMOUNT, IsDay, MUNICIPALITY_CODE, REFERENCE_CODE } from '../../common/validators.js';
import {
  AreaLevel,
  FundingSource,
  ParameterUnit,
  ProgrammeKind,
  ProgrammeStatus,
} from '../programme.entity.js';
import { UuidScalar } from '../../common/graphql/scalars.js';
import { RuleCaseInput } from './rule-case.input.js';

@InputType()
export class CoverageInput {
  @Field(() => AreaLevel)
  @ApiProperty({ enum: AreaLevel })
  @IsEnum(AreaLevel)
  areaLevel: AreaLevel;

  @Field({ description: 'Region 1..13, regional unit or municipality code' })
  @ApiProperty({ example: '9' })
  @Matches(/^\d{1,4}$/, { message: 'areaCode must be a region, regional unit or municipality code' })
  areaCode: string;
}

@InputType()
export class ParameterInput {
  @Field({ description: 'snake_case, e.g. guaranteed_amount_single' })
  @ApiProperty({ example: 'guaranteed_amount_single' })
  @Matches(/^[a-z][a-z0-9_]{1,79}$/, { message: 'name must be snake_case, e.g. guaranteed_amount_single' })
  name: string;

  @Field({ description: 'Decimal string with at most two decimals, e.g. "216.00"' })
  @ApiProperty({ example: '216.00' })
  @Matches(EURO_AMOUNT, { message: 'value must be a decimal number with at most two decimals, e.g. 216.00' })
  value: string;

  @Field(() => ParameterUnit)
  @ApiProperty({ enum: ParameterUnit })
  @IsEnum(ParameterUnit)
  unit: ParameterUnit;

  @Field()
  @ApiProperty({ format: 'date', example: '2023-12-01' })
  @IsDay()
  validFrom: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  validTo?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

/** The whole programme, for creating one or replacing one. */
@InputType()
export class ProgrammeInput {
  @Field()
  @ApiProperty({ example: 'GMI' })
  @Matches(/^[A-Z0-9][A-Z0-9_.-]{1,49}$/, { message: 'code must be upper-case letters, digits, _ . or -' })
  code: string;

  @Field()
  @ApiProperty({ example: 'Ελάχιστο Εγγυημένο Εισόδημα' })
  @IsString()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  description?: string;

  @Field(() => ProgrammeKind)
  @ApiProperty({ enum: ProgrammeKind })
  @IsEnum(ProgrammeKind)
  kind: ProgrammeKind;

  @Field()
  @ApiProperty({ example: 'ΟΠΕΚΑ' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  administeringBody: string;

  @Field(() => UuidScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  administeringProviderId?: string;

  @Field(() => [UuidScalar], { nullable: true, description: 'Providers that deliver it' })
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID(undefined, { each: true })
  deliveringProviderIds?: string[];

  @Field(() => FundingSource)
  @ApiProperty({ enum: FundingSource })
  @IsEnum(FundingSource)
  fundingSource: FundingSource;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: 'Αττική 2014-2020' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  operationalProgramme?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: 'Προώθηση της κοινωνικής ένταξης και καταπολέμηση της φτώχειας' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  priorityAxis?: string;

  @Field({ nullable: true, description: 'Euro with cents as a decimal string, e.g. "317307.17"' })
  @ApiPropertyOptional({ example: '317307.17' })
  @IsOptional()
  @Matches(EURO_AMOUNT, {
    message: 'budget must be an amount in euro with at most two decimals, e.g. 317307.17',
  })
  budget?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  startsOn?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  endsOn?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String], example: ['DESTITUTE'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(REFERENCE_CODE, { each: true, message: 'targetGroups must be target group codes' })
  targetGroups?: string[];

  @Field({ nullable: true, description: 'Available in the whole country (national bodies only)' })
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  national?: boolean;

  @Field(() => [CoverageInput], { nullable: true, description: 'Regions, regional units or municipalities' })
  @ApiPropertyOptional({ type: [CoverageInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(400)
  @ValidateNested({ each: true })
  @Type(() => CoverageInput)
  coverage?: CoverageInput[];

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  howToApply?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  whereToApply?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  requiredDocuments?: string[];

  @Field(() => [ParameterInput], {
    nullable: true,
    description: 'Amounts and thresholds with validity dates',
  })
  @ApiPropertyOptional({ type: [ParameterInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ParameterInput)
  parameters?: ParameterInput[];

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'JSON Logic rule: { criteria: [{ id, el, en, test }], amount? } (docs/entitlements.md "Rules")',
  })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  eligibilityRule?: Record<string, unknown>;

  @Field(() => [RuleCaseInput], {
    nullable: true,
    description: 'Test cases of the rule, run on every save; a rule needs at least one',
  })
  @ApiPropertyOptional({ type: [RuleCaseInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RuleCaseInput)
  ruleCases?: RuleCaseInput[];

  @Field({
    nullable: true,
    description: 'The region that maintains it (national bodies only; a region always maintains its own)',
  })
  @ApiPropertyOptional({
    example: '9',
    description: 'National bodies only: the region that will maintain it',
  })
  @IsOptional()
  @Matches(/^(1[0-3]|[1-9])$/, { message: 'ownerRegionCode must be a region code from 1 to 13' })
  ownerRegionCode?: string;

  @Field(() => ProgrammeStatus, { nullable: true, description: 'Default ACTIVE' })
  @ApiPropertyOptional({ enum: ProgrammeStatus })
  @IsOptional()
  @IsEnum(ProgrammeStatus)
  status?: ProgrammeStatus;

  @Field(() => Int, { nullable: true, description: 'On update: the version read' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

@ArgsType()
export class ProgrammeFilterArgs extends PageArgs {
  @Field({ nullable: true, description: 'Title or code in any accents, case or script' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true, description: 'Available in this municipality (national or covering it)' })
  @ApiPropertyOptional({ example: '4912' })
  @IsOptional()
  @Matches(MUNICIPALITY_CODE, { message: 'availableIn must be a 4-digit ELSTAT code' })
  availableIn?: string;

  @Field({ nullable: true, description: 'For this target group (or for all residents)' })
  @ApiPropertyOptional({ example: 'ROMA' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'targetGroup must be a target group code' })
  targetGroup?: string;

  @Field({ nullable: true, description: 'Active on this day (status ACTIVE and within its period)' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  activeOn?: string;

  @Field(() => ProgrammeKind, { nullable: true })
  @ApiPropertyOptional({ enum: ProgrammeKind })
  @IsOptional()
  @IsEnum(ProgrammeKind)
  kind?: ProgrammeKind;
}

export class ProgrammeQuery extends IntersectionType(ProgrammeFilterArgs, RestPageQuery) {}
