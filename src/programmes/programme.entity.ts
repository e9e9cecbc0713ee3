import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { EligibilityOutcome } from '../eligibility/contracts.js';
import '../eligibility/rules/graphql-enums.js';

export enum ProgrammeKind {
  CASH_BENEFIT = 'CASH_BENEFIT',
  IN_KIND_AID = 'IN_KIND_AID',
  SERVICE = 'SERVICE',
  EMPLOYMENT_OR_TRAINING = 'EMPLOYMENT_OR_TRAINING',
  COUNSELLING = 'COUNSELLING',
}
export enum FundingSource {
  ESF = 'ESF',
  ESF_PLUS = 'ESF_PLUS',
  NATIONAL_BUDGET = 'NATIONAL_BUDGET',
  REGIONAL = 'REGIONAL',
  MUNICIPAL = 'MUNICIPAL',
  EU_OTHER = 'EU_OTHER',
  PRIVATE = 'PRIVATE',
  OTHER = 'OTHER',
}
export enum ProgrammeStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  CLOSED = 'CLOSED',
}
export enum AreaLevel {
  REGION = 'REGION',
  REGIONAL_UNIT = 'REGIONAL_UNIT',
  MUNICIPALITY = 'MUNICIPALITY',
}
export enum ParameterUnit {
  EUR = 'EUR',
  EUR_PER_MONTH = 'EUR_PER_MONTH',
  EUR_PER_YEAR = 'EUR_PER_YEAR',
  PERCENT = 'PERCENT',
  YEARS = 'YEARS',
  MONTHS = 'MONTHS',
  COUNT = 'COUNT',
}
registerEnumType(ProgrammeKind, { name: 'ProgrammeKind' });
registerEnumType(FundingSource, { name: 'FundingSource' });
registerEnumType(ProgrammeStatus, { name: 'ProgrammeStatus' });
registerEnumType(AreaLevel, { name: 'AreaLevel' });
registerEnumType(ParameterUnit, { name: 'ParameterUnit' });

@ObjectType({ description: 'A social programme or benefit, whoever runs or funds it' })
@Entity('programme')
export class Programme {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Stable code, e.g. GMI for Ελάχιστο Εγγυημένο Εισόδημα' })
  @ApiProperty({ example: 'GMI' })
  @Column({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty({ example: 'Ελάχιστο Εγγυημένο Εισόδημα' })
  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'search_key', type: 'text', select: false })
  searchKey: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field(() => ProgrammeKind)
  @ApiProperty({ enum: ProgrammeKind })
  @Column({ type: 'text' })
  kind: ProgrammeKind;

  @Field({ description: 'Who runs it (e.g. ΟΠΕΚΑ, the municipality)' })
  @ApiProperty({ example: 'ΟΠΕΚΑ' })
  @Column({ name: 'administering_body', type: 'text' })
  administeringBody: string;

  @Field(() => ID, { nullable: true, description: 'The provider that runs it, when it is in the registry' })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @Column({ name: 'administering_provider_id', type: 'uuid', nullable: true })
  administeringProviderId: string | null;

  @Field(() => FundingSource)
  @ApiProperty({ enum: FundingSource })
  @Column({ name: 'funding_source', type: 'text' })
  fundingSource: FundingSource;

  @Field(() => String, { nullable: true, description: 'Operational programme, e.g. Αττική 2014-2020' })
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Αττική 2014-2020' })
  @Column({ name: 'operational_programme', type: 'text', nullable: true })
  operationalProgramme: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'priority_axis', type: 'text', nullable: true })
  priorityAxis: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Budget in euro as a decimal string, e.g. "317307.17"',
  })
  @ApiPropertyOptional({ type: String, nullable: true, example: '317307.17' })
  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  budget: string | null;

  @Field(() => String, { nullable: true, description: 'First day (YYYY-MM-DD)' })
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Column({ name: 'starts_on', type: 'date', nullable: true })
  startsOn: string | null;

  @Field(() => String, { nullable: true, description: 'Last day (YYYY-MM-DD)' })
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Column({ name: 'ends_on', type: 'date', nullable: true })
  endsOn: string | null;

  @Field(() => [String], { description: 'Target group codes (see targetGroups)' })
  @ApiProperty({ type: [String] })
  @Column({ name: 'target_groups', type: 'text', array: true })
  targetGroups: string[];

  @Field({ description: 'Available in the whole country' })
  @ApiProperty()
  @Column({ type: 'boolean' })
  national: boolean;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'how_to_apply', type: 'text', nullable: true })
  howToApply: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'where_to_apply', type: 'text', nullable: true })
  whereToApply: string | null;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  @Column({ name: 'required_documents', type: 'text', array: true })
  requiredDocuments: string[];

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Eligibility rule in JSON Logic: { criteria: [{ id, el, en, test }], amount? } (docs/entitlements.md "Rules")',
  })
  @ApiPropertyOptional({ type: 'object', nullable: true, additionalProperties: true })
  @Column({ name: 'eligibility_rule', type: 'jsonb', nullable: true })
  eligibilityRule: Record<string, unknown> | null;

  @Field(() => ProgrammeStatus)
  @ApiProperty({ enum: ProgrammeStatus })
  @Column({ type: 'text' })
  status: ProgrammeStatus;

  @Field(() => String, {
    nullable: true,
    description: 'The region that maintains it; null for national bodies',
  })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'owner_region_code', type: 'text', nullable: true })
  ownerRegionCode: string | null;

  @Field(() => Int)
  @ApiProperty()
  @Column({ type: 'integer' })
  version: number;

  @Field()
  @ApiProperty({ type: String, format: 'date-time' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Field()
  @ApiProperty({ type: String, format: 'date-time' })
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;
}

@ObjectType({ description: 'An area a programme covers' })
@Entity('programme_coverage')
export class ProgrammeCoverage {
  @PrimaryColumn({ name: 'programme_id', type: 'uuid' })
  programmeId: string;

  @Field(() => AreaLevel)
  @ApiProperty({ enum: AreaLevel })
  @PrimaryColumn({ name: 'area_level', type: 'text' })
  areaLevel: AreaLevel;

  @Field({ description: 'Region (1..13), regional unit or municipality code' })
  @ApiProperty({ example: '9' })
  @PrimaryColumn({ name: 'area_code', type: 'text' })
  areaCode: string;
}

@Entity('programme_provider')
export class ProgrammeProvider {
  @PrimaryColumn({ name: 'programme_id', type: 'uuid' })
  programmeId: string;

  @PrimaryColumn({ name: 'provider_id', type: 'uuid' })
  providerId: string;
}

@ObjectType({ description: 'An amount or threshold of a programme, valid for a period' })
@Entity('programme_parameter')
export class ProgrammeParameter {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'programme_id', type: 'uuid' })
  programmeId: string;

  @Field({ description: 'snake_case name a rule refers to, e.g. guaranteed_amount_single' })
  @ApiProperty({ example: 'guaranteed_amount_single' })
  @Column({ type: 'text' })
  name: string;

  @Field({ description: 'Decimal string, e.g. "216.00"' })
  @ApiProperty({ example: '216.00' })
  @Column({ type: 'numeric', precision: 14, scale: 2 })
  value: string;

  @Field(() => ParameterUnit)
  @ApiProperty({ enum: ParameterUnit })
  @Column({ type: 'text' })
  unit: ParameterUnit;

  @Field()
  @ApiProperty({ format: 'date' })
  @Column({ name: 'valid_from', type: 'date' })
  validFrom: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;
}

@ObjectType({ description: "A test case of a programme's rule, run on every save of the programme" })
export class ProgrammeRuleCase {
  @Field()
  @ApiProperty()
  name: string;

  @Field({ description: 'The day whose parameters apply (YYYY-MM-DD)' })
  @ApiProperty({ format: 'date' })
  asOf: string;

  @Field(() => GraphQLJSONObject, { description: 'Fact name -> plain value; a fact left out is missing' })
  @ApiProperty({ type: 'object', additionalProperties: true })
  facts: Record<string, unknown>;

  @Field(() => EligibilityOutcome)
  @ApiProperty({ enum: EligibilityOutcome })
  expectedOutcome: EligibilityOutcome;

  @Field(() => String, { nullable: true, description: 'Euro with cents, e.g. "116.00"' })
  @ApiPropertyOptional({ type: String, nullable: true })
  expectedAmount: string | null;
}

export enum EnrolmentStatus {
  APPLIED = 'APPLIED',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  ENDED = 'ENDED',
}
export enum EnrolmentSource {
  CENTRE = 'CENTRE',
  FEED = 'FEED',
  REFERRAL = 'REFERRAL',
  SELF_SERVICE = 'SELF_SERVICE',
}
registerEnumType(EnrolmentStatus, { name: 'EnrolmentStatus' });
registerEnumType(EnrolmentSource, { name: 'EnrolmentSource' });

/** A person in a programme. Personal data: served only through EnrolmentView, scoped and audited. */
@Entity('enrolment')
export class Enrolment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'programme_id', type: 'uuid' })
  programmeId: string;

  @Column({ type: 'text' })
  status: EnrolmentStatus;

  @Column({ name: 'applied_on', type: 'date' })
  appliedOn: string;

  @Column({ name: 'started_on', type: 'date', nullable: true })
  startedOn: string | null;

  @Column({ name: 'ended_on', type: 'date', nullable: true })
  endedOn: string | null;

  @Column({ type: 'text' })
  source: EnrolmentSource;

  @Column({ name: 'source_reference', type: 'text', nullable: true })
  sourceReference: string | null;

  /** The entitlement result at the moment of enrolling (see EntitlementsService.atEnrolment). */
  @Column({ name: 'entitlement_at_enrolment', type: 'jsonb', nullable: true })
  entitlementAtEnrolment: Record<string, unknown> | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;
}

@ObjectType('Enrolment', {
  description: 'A person in a programme (personal data: read with a purpose, audited)',
})
export class EnrolmentView {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  personId: string;

  @Field(() => ID)
  programmeId: string;

  @Field(() => EnrolmentStatus)
  status: EnrolmentStatus;

  @Field()
  appliedOn: string;

  @Field(() => String, { nullable: true })
  startedOn: string | null;

  @Field(() => String, { nullable: true })
  endedOn: string | null;

  @Field(() => EnrolmentSource)
  source: EnrolmentSource;

  @Field(() => String, { nullable: true, description: 'e.g. the feed file or the referral it came from' })
  sourceReference: string | null;

  @Field(() => Int)
  version: number;

  @Field()
  updatedAt: Date;

  /** The person's municipality: not a GraphQL field, recorded with the audit row of the read. */
  municipalityCode?: string;

  /** Resolved as `entitlementAtEnrolment` by EnrolmentResolver (its type lives in eligibility/). */
  entitlementAtEnrolment?: unknown;
}
