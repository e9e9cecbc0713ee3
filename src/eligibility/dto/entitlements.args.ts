import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject } from 'graphql-scalars';
import { IsEnum, IsObject, IsOptional, IsUUID, Matches } from 'class-validator';
import { AccessPurpose } from '../../audit/purpose.js';
import { UuidScalar } from '../../common/graphql/scalars.js';
import { PageArgs } from '../../common/pagination.js';
import { IsDay, MUNICIPALITY_CODE } from '../../common/validators.js';
import { Language } from '../language.js';

@ArgsType()
export class EntitlementsArgs {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field({ nullable: true, description: 'The day to answer for (YYYY-MM-DD), default today in Athens' })
  @IsOptional()
  @IsDay()
  asOf?: string;

  @Field(() => Language, { nullable: true, description: 'Default: Accept-Language, else EL' })
  @IsOptional()
  @IsEnum(Language)
  language?: Language;

  @Field(() => AccessPurpose, { nullable: true, description: 'Why (or the X-Purpose header)' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}

/** A screening at the desk: facts typed in, for someone who is not (or not yet) registered. */
@InputType()
export class ScreeningInput {
  @Field(() => GraphQLJSONObject, {
    description:
      'Facts by name, e.g. {"age": 70, "household_size": 1, "receives_pension": false} (names and types in docs/entitlements.md)',
  })
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { age: 70, household_size: 1, receives_pension: false, legal_residence: true },
    description:
      'Facts by name (the catalogue in docs/entitlements.md); unknown names or wrong types are refused',
  })
  @IsObject()
  facts: Record<string, unknown>;

  @Field({ description: 'Where the person lives (4-digit ELSTAT code)' })
  @ApiProperty({ example: '4912' })
  @Matches(MUNICIPALITY_CODE, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode: string;

  @Field({ nullable: true, description: 'YYYY-MM-DD, default today in Athens' })
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsDay()
  asOf?: string;

  @Field(() => Language, { nullable: true, description: 'Default: Accept-Language, else EL' })
  @ApiPropertyOptional({ enum: Language })
  @IsOptional()
  @IsEnum(Language)
  language?: Language;
}

@ArgsType()
export class EligibleNotEnrolledArgs extends PageArgs {
  @Field(() => UuidScalar)
  @IsUUID()
  programmeId: string;

  @Field({
    nullable: true,
    description: 'One municipality of your area (required for national callers: a request reads one area)',
  })
  @IsOptional()
  @Matches(MUNICIPALITY_CODE, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode?: string;

  @Field({ nullable: true, description: 'YYYY-MM-DD, default today in Athens' })
  @IsOptional()
  @IsDay()
  asOf?: string;

  @Field(() => AccessPurpose, { nullable: true, description: 'Why (or the X-Purpose header)' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}
