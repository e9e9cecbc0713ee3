import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { AccessPurpose } from '../../audit/purpose.js';
import { BeneficiaryGroup, DuplicateReviewStatus } from '../beneficiary.model.js';

/** What a search may filter on; the same for GraphQL and REST. */
export interface PersonSearchFilter {
  text?: string;
  birthYear?: number;
  municipalityCode?: string;
  group?: BeneficiaryGroup;
  includeClosed?: boolean;
}

@ArgsType()
export class PersonSearchArgs extends PageArgs {
  @Field({
    nullable: true,
    description: 'A name in Greek or Latin (any accents or case, typos tolerated), an AFM or an AMKA',
  })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  search?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1900)
  @Max(2100)
  birthYear?: number;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'municipalityCode must be a 4-digit ELSTAT code' })
  municipalityCode?: string;

  @Field(() => BeneficiaryGroup, { nullable: true })
  @IsOptional()
  @IsEnum(BeneficiaryGroup)
  group?: BeneficiaryGroup;

  @Field({ nullable: true, description: 'Include closed records (default: active only)' })
  @IsOptional()
  @IsBoolean()
  includeClosed?: boolean;

  @Field(() => AccessPurpose, { nullable: true, description: 'Why you look (or the X-Purpose header)' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}

/** GET /api/v1/beneficiaries */
export class PersonSearchQuery extends RestPageQuery {
  @ApiPropertyOptional({ description: 'Name (Greek or Latin), AFM or AMKA', example: 'papadopoulos' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: 1980 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1900)
  @Max(2100)
  birthYear?: number;

  @ApiPropertyOptional({ example: '4912' })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'municipality must be a 4-digit ELSTAT code' })
  municipality?: string;

  @ApiPropertyOptional({ enum: BeneficiaryGroup })
  @IsOptional()
  @IsEnum(BeneficiaryGroup)
  group?: BeneficiaryGroup;
}

@ArgsType()
export class DuplicateReviewArgs extends PageArgs {
  @Field(() => DuplicateReviewStatus, { nullable: true, description: 'Default OPEN' })
  @IsOptional()
  @IsEnum(DuplicateReviewStatus)
  status?: DuplicateReviewStatus;

  @Field(() => AccessPurpose, { nullable: true, description: 'Why you look (or the X-Purpose header)' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}
