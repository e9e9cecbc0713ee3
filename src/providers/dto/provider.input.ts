import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { EURO_AMOUNT, IsDay, MUNICIPALITY_CODE, REFERENCE_CODE } from '../../common/validators.js';
import { CLOCK } from '../opening-hours.js';
import { ProviderStatus } from '../provider.entity.js';
import { UuidScalar } from '../../common/graphql/scalars.js';

export const ACCESSIBILITY_FEATURES = [
  'STEP_FREE_ACCESS',
  'ACCESSIBLE_TOILET',
  'LIFT',
  'ACCESSIBLE_PARKING',
  'HEARING_LOOP',
  'BRAILLE_SIGNAGE',
  'SIGN_LANGUAGE',
] as const;

@InputType()
export class StaffRoleInput {
  @Field()
  @ApiProperty({ example: 'SOCIAL_WORKER' })
  @Matches(REFERENCE_CODE, { message: 'role must be an upper-case code like SOCIAL_WORKER' })
  role: string;

  @Field(() => Int)
  @ApiProperty({ minimum: 1, maximum: 500 })
  @IsInt()
  @Min(1)
  @Max(500)
  count: number;
}

@InputType()
export class OpeningHoursInput {
  @Field(() => Int, { description: 'ISO weekday: 1 Monday .. 7 Sunday' })
  @ApiProperty({ minimum: 1, maximum: 7 })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday: number;

  @Field({ description: 'HH:MM, Europe/Athens' })
  @ApiProperty({ example: '09:00' })
  @Matches(CLOCK, { message: 'opensAt must be a time HH:MM' })
  opensAt: string;

  @Field({ description: 'HH:MM after opensAt; 24:00 for the end of the day' })
  @ApiProperty({ example: '17:00' })
  @Matches(CLOCK, { message: 'closesAt must be a time HH:MM (24:00 for the end of the day)' })
  closesAt: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  validFrom?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  validTo?: string;
}

@InputType()
export class LocationInput {
  @Field(() => UuidScalar, {
    nullable: true,
    description: 'Keep an existing location (on update); omit for a new one',
  })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  name?: string;

  @Field()
  @ApiProperty({ example: 'Λεωφόρος Αρτέμιδος 1, Σπάτα' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  address: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: '190 04' })
  @IsOptional()
  @Matches(/^\d{3} ?\d{2}$/, { message: 'postalCode must be a Greek postal code like 190 04' })
  postalCode?: string;

  @Field()
  @ApiProperty({ example: '4912' })
  @Matches(MUNICIPALITY_CODE, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode: string;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ example: 37.9614 })
  @IsOptional()
  @IsLatitude()
  latitude?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ example: 23.9125 })
  @IsOptional()
  @IsLongitude()
  longitude?: number;

  @Field(() => [String], { nullable: true, description: ACCESSIBILITY_FEATURES.join(', ') })
  @ApiPropertyOptional({ enum: ACCESSIBILITY_FEATURES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(ACCESSIBILITY_FEATURES, { each: true })
  accessibility?: string[];

  @Field(() => [OpeningHoursInput], { nullable: true })
  @ApiPropertyOptional({ type: [OpeningHoursInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(70)
  @ValidateNested({ each: true })
  @Type(() => OpeningHoursInput)
  openingHours?: OpeningHoursInput[];
}

@InputType()
export class ClosureInput {
  @Field({ description: 'First closed day' })
  @ApiProperty({ format: 'date' })
  @IsDay()
  startsOn: string;

  @Field({ description: 'Last closed day' })
  @ApiProperty({ format: 'date' })
  @IsDay()
  endsOn: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  reason?: string;
}

@InputType()
export class OfferedServiceInput {
  @Field(() => UuidScalar, {
    nullable: true,
    description: 'Keep an existing service (on update); omit for a new one',
  })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @Field()
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @Field()
  @ApiProperty({ example: 'FOOD_AID' })
  @Matches(REFERENCE_CODE, { message: 'categoryCode must be a service category code' })
  categoryCode: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String], example: ['DESTITUTE'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(REFERENCE_CODE, { each: true, message: 'targetGroups must be target group codes' })
  targetGroups?: string[];

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(130)
  minAge?: number;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(130)
  maxAge?: number;

  @Field({ nullable: true, description: 'Who may use it, in words' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  eligibility?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  requiredDocuments?: string[];

  @Field({ nullable: true, description: 'Euro as a decimal string, e.g. "0.00" or "12.50"' })
  @ApiPropertyOptional({ example: '0.00' })
  @IsOptional()
  @Matches(EURO_AMOUNT, { message: 'costAmount must be an amount in euro like 12.50' })
  costAmount?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  costDescription?: string;
}

/** The whole provider, for creating one or replacing one (collections given replace the old ones). */
@InputType()
export class ProviderInput {
  @Field({ description: 'A provider kind code (see providerKinds)' })
  @ApiProperty({ example: 'COMMUNITY_CENTRE' })
  @Matches(REFERENCE_CODE, { message: 'kindCode must be a provider kind code' })
  kindCode: string;

  @Field()
  @ApiProperty({ example: 'Κέντρο Κοινότητας Δήμου Σπάτων - Αρτέμιδος' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(300)
  name: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: 'Δήμος Σπάτων - Αρτέμιδος' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  organisation?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @Field(() => UuidScalar, { nullable: true, description: 'The centre this is a branch of' })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @Field({ description: 'Home municipality (4-digit ELSTAT code)' })
  @ApiProperty({ example: '4912' })
  @Matches(MUNICIPALITY_CODE, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Other municipalities it serves besides its home (e.g. 4904 for a branch serving Κρωπία)',
  })
  @ApiPropertyOptional({ type: [String], example: ['4904'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(MUNICIPALITY_CODE, { each: true, message: 'serviceArea must hold 4-digit ELSTAT codes' })
  serviceArea?: string[];

  @Field(() => [String], { nullable: true, description: 'ISO 639 codes: el, en, ar, rom (Romani), ...' })
  @ApiPropertyOptional({ type: [String], example: ['el', 'en'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(/^[a-z]{2,3}$/, { each: true, message: 'languages must be ISO 639 codes like el or rom' })
  languages?: string[];

  @Field(() => [StaffRoleInput], { nullable: true })
  @ApiPropertyOptional({ type: [StaffRoleInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => StaffRoleInput)
  staffRoles?: StaffRoleInput[];

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: '+30 210 6633000' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{5,30}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  email?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ require_protocol: true })
  website?: string;

  @Field({ nullable: true, description: 'Default true' })
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  closedOnPublicHolidays?: boolean;

  @Field(() => ProviderStatus, { nullable: true, description: 'Default ACTIVE' })
  @ApiPropertyOptional({ enum: ProviderStatus })
  @IsOptional()
  @IsEnum(ProviderStatus)
  status?: ProviderStatus;

  @Field(() => [LocationInput], { nullable: true })
  @ApiPropertyOptional({ type: [LocationInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LocationInput)
  locations?: LocationInput[];

  @Field(() => [ClosureInput], { nullable: true })
  @ApiPropertyOptional({ type: [ClosureInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ClosureInput)
  closures?: ClosureInput[];

  @Field(() => [OfferedServiceInput], { nullable: true })
  @ApiPropertyOptional({ type: [OfferedServiceInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OfferedServiceInput)
  services?: OfferedServiceInput[];

  @Field(() => Int, {
    nullable: true,
    description: 'On update: the version read; a different current version refuses the change',
  })
  @ApiPropertyOptional({ description: 'On update: the version read (optimistic locking)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}
