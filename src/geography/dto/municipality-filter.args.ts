import { ArgsType, Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';

@ArgsType()
export class MunicipalityFilterArgs extends PageArgs {
  @Field({
    nullable: true,
    description: 'A code, or a name in any accents, case or script ("Σπάτων", "spaton")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^(1[0-3]|[1-9])$/, { message: 'regionCode must be a region code from 1 to 13' })
  regionCode?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'regionalUnitCode must be a 4-digit code' })
  regionalUnitCode?: string;
}

/** REST query of GET /api/v1/geography/municipalities. */
export class MunicipalityQuery extends RestPageQuery {
  @ApiPropertyOptional({ description: 'A code, or a name in any accents, case or script', example: 'spaton' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: '9' })
  @IsOptional()
  @Matches(/^(1[0-3]|[1-9])$/, { message: 'region must be a region code from 1 to 13' })
  region?: string;

  @ApiPropertyOptional({ example: '4501' })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'regionalUnit must be a 4-digit code' })
  regionalUnit?: string;
}
