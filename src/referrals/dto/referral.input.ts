import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { AccessPurpose } from '../../audit/purpose.js';
import { UuidScalar } from '../../common/graphql/scalars.js';
import { IsAfm, IsAmka } from '../../common/identifiers/validators.js';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { IsDay, MUNICIPALITY_CODE, REFERENCE_CODE } from '../../common/validators.js';
import {
  LegalBasis,
  ReferralKind,
  ReferralOutcome,
  ReferralStatus,
  ReferralUrgency,
  RejectionReason,
  SharedField,
} from '../referral.model.js';

/** A referral to a provider (and optionally one of its services) or to a programme. */
@InputType()
export class ReferralInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => UuidScalar, { nullable: true, description: 'The provider referred to (or programmeId)' })
  @IsOptional()
  @IsUUID()
  providerId?: string;

  @Field(() => UuidScalar, { nullable: true, description: "One of the provider's services" })
  @IsOptional()
  @IsUUID()
  providerServiceId?: string;

  @Field(() => UuidScalar, { nullable: true, description: 'The programme referred to (or providerId)' })
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @Field({ nullable: true, description: 'The need: a service category code (default: the service’s)' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'categoryCode must be a service category code' })
  categoryCode?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @Field(() => ReferralUrgency, { nullable: true, description: 'Default ROUTINE' })
  @IsOptional()
  @IsEnum(ReferralUrgency)
  urgency?: ReferralUrgency;

  @Field({ description: 'Day by which the receiver should answer (YYYY-MM-DD)' })
  @IsDay()
  dueOn: string;

  @Field(() => [SharedField], { description: 'What the receiver may see of the person' })
  @IsEnum(SharedField, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(6)
  sharedFields: SharedField[];

  @Field(() => LegalBasis, {
    nullable: true,
    description: 'Sharing without consent: the ground, with a note',
  })
  @IsOptional()
  @IsEnum(LegalBasis)
  legalBasis?: LegalBasis;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  legalBasisNote?: string;

  @Field({ nullable: true, description: 'Send at once instead of keeping a DRAFT' })
  @IsOptional()
  @IsBoolean()
  send?: boolean;
}

/** A move along the lifecycle; the reason goes with REJECTED, the outcome with COMPLETED. */
@InputType()
export class ChangeReferralStatusInput {
  @Field(() => ReferralStatus)
  @ApiProperty({ enum: ReferralStatus })
  @IsEnum(ReferralStatus)
  status: ReferralStatus;

  @Field(() => RejectionReason, { nullable: true })
  @ApiPropertyOptional({ enum: RejectionReason })
  @IsOptional()
  @IsEnum(RejectionReason)
  rejectionReason?: RejectionReason;

  @Field(() => ReferralOutcome, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralOutcome })
  @IsOptional()
  @IsEnum(ReferralOutcome)
  outcome?: ReferralOutcome;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

/** A hand-over: the person (by exact AFM or AMKA) is asked from the centre that holds them. */
@InputType()
export class HandoverInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsAfm()
  afm?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsAmka()
  amka?: string;

  @Field({
    nullable: true,
    description: 'The municipality of yours the person moves to (default: your only one)',
  })
  @IsOptional()
  @Matches(MUNICIPALITY_CODE, { message: 'toMunicipalityCode must be a 4-digit ELSTAT code' })
  toMunicipalityCode?: string;

  @Field({ description: 'Day by which the holding centre should answer (YYYY-MM-DD)' })
  @IsDay()
  dueOn: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

@ArgsType()
export class ReferralFilterArgs extends PageArgs {
  @Field(() => ReferralStatus, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralStatus })
  @IsOptional()
  @IsEnum(ReferralStatus)
  status?: ReferralStatus;

  @Field(() => ReferralKind, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralKind })
  @IsOptional()
  @IsEnum(ReferralKind)
  kind?: ReferralKind;

  @Field({ nullable: true, description: 'Only those flagged overdue (true) or not (false)' })
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @Field(() => UuidScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  providerId?: string;

  @Field(() => UuidScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @Field(() => UuidScalar, { nullable: true, description: "A person's referral history" })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @Field({ nullable: true, description: 'The need (service category code)' })
  @ApiPropertyOptional({ example: 'FOOD_AID' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'categoryCode must be a service category code' })
  categoryCode?: string;

  @Field({ nullable: true, description: 'Created on or after this day' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  createdFrom?: string;

  @Field({ nullable: true, description: 'Created on or before this day' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  createdTo?: string;

  @Field(() => AccessPurpose, { nullable: true, description: 'Why the referrals are read (or X-Purpose)' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}

export class ReferralQuery extends IntersectionType(ReferralFilterArgs, RestPageQuery) {}

@ArgsType()
export class ReferralCountsArgs {
  @Field({ nullable: true, description: 'Referrals of this municipality (referring centre) only' })
  @ApiPropertyOptional({ example: '4912' })
  @IsOptional()
  @Matches(MUNICIPALITY_CODE, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode?: string;

  @Field({ nullable: true, description: 'Created on or after this day' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  createdFrom?: string;

  @Field({ nullable: true, description: 'Created on or before this day' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  createdTo?: string;
}
