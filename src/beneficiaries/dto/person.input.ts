import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsEnum,
  IsISO31661Alpha2,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsAfm, IsAmka } from '../../common/identifiers/validators.js';
import { EARLIEST_BIRTH_DATE, IsOmittable, NotBefore } from '../../common/validators.js';
import { Gender } from '../beneficiary.model.js';
import { UuidScalar } from '../../common/graphql/scalars.js';

const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '.-]*$/u;
const NAME_MESSAGE = '$property must be letters (Greek or Latin), spaces, hyphens or apostrophes';
const MUNICIPALITY = /^\d{4}$/;

/** The fields of a person a centre may set; names are Greek, Latin forms are derived unless given. */
@InputType({ isAbstract: true })
abstract class PersonFields {
  @Field({ nullable: true, description: "Father's given name" })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  fatherName?: string;

  @Field({ nullable: true, description: "Mother's given name" })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  motherName?: string;

  @Field({ nullable: true, description: 'Defaults to the ELOT 743 form of givenName' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z][A-Za-z '.-]*$/, { message: 'givenNameLatin must be Latin letters' })
  givenNameLatin?: string;

  @Field({ nullable: true, description: 'Defaults to the ELOT 743 form of surname' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z][A-Za-z '.-]*$/, { message: 'surnameLatin must be Latin letters' })
  surnameLatin?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: '090000045' })
  @IsOptional()
  @IsAfm()
  afm?: string;

  @Field({ nullable: true, description: 'Its first six digits must be the birth date (DDMMYY)' })
  @ApiPropertyOptional({ example: '01013099997' })
  @IsOptional()
  @IsAmka()
  amka?: string;

  @Field({ nullable: true, description: 'ΠΑΑΥΠΑ, for foreigners without AMKA' })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\d{11}$/, { message: 'paaypa must be 11 digits' })
  paaypa?: string;

  @Field({ nullable: true, description: 'e.g. ID_CARD, PASSPORT, RESIDENCE_PERMIT' })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Z_]{2,30}$/, { message: 'idDocumentType must be a code such as PASSPORT' })
  idDocumentType?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Z0-9Α-Ω -]{3,30}$/u, {
    message: 'idDocumentNumber must be 3 to 30 capital letters or digits',
  })
  idDocumentNumber?: string;

  @Field({ nullable: true, description: 'ISO 3166-1 alpha-2, e.g. GR' })
  @ApiPropertyOptional({ example: 'GR' })
  @IsOptional()
  @IsISO31661Alpha2()
  citizenship?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[0-9 ]{7,20}$/, { message: 'phone must be digits, optionally with a leading +' })
  phone?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(200)
  email?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;
}

@InputType({ description: 'A person to register' })
export class RegisterPersonInput extends PersonFields {
  @Field()
  @ApiProperty({ example: 'Γεώργιος' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  givenName: string;

  @Field()
  @ApiProperty({ example: 'Παπαδόπουλος' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  surname: string;

  @Field({ description: 'YYYY-MM-DD' })
  @ApiProperty({ example: '1930-01-01' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be a date YYYY-MM-DD' })
  @NotBefore(EARLIEST_BIRTH_DATE)
  birthDate: string;

  @Field(() => Gender)
  @ApiProperty({ enum: Gender })
  @IsEnum(Gender)
  gender: Gender;

  @Field({ description: 'ELSTAT code of the municipality of residence; must be in your area' })
  @ApiProperty({ example: '4912' })
  @Matches(MUNICIPALITY, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode: string;
}

@InputType({ description: 'Changes to a person; fields left out stay as they are' })
export class UpdatePersonInput extends PersonFields {
  @Field(() => UuidScalar)
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;

  @Field(() => Int, { description: 'The version you read; a stale one is refused' })
  @ApiProperty()
  @IsInt()
  @Min(1)
  version: number;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  givenName?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: NAME_MESSAGE })
  surname?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOmittable()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be a date YYYY-MM-DD' })
  @NotBefore(EARLIEST_BIRTH_DATE)
  birthDate?: string;

  @Field(() => Gender, { nullable: true })
  @ApiPropertyOptional({ enum: Gender })
  @IsOmittable()
  @IsEnum(Gender)
  gender?: Gender;
}

@InputType({ description: 'Hand a person over to another municipality (and so to its centre)' })
export class MovePersonInput {
  @Field(() => UuidScalar)
  @IsUUID()
  id: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  version: number;

  @Field()
  @Matches(MUNICIPALITY, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;
}

@InputType()
export class ClosePersonInput {
  @Field(() => UuidScalar)
  @IsUUID()
  id: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  version: number;

  @Field({ description: 'Why the record is closed (moved abroad, deceased, no longer supported...)' })
  @IsString()
  @MinLength(3)
  @MaxLength(300)
  reason: string;
}
