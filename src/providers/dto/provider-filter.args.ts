import { ArgsType, Field, Float } from '@nestjs/graphql';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsEnum,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { MUNICIPALITY_CODE, REFERENCE_CODE } from '../../common/validators.js';
import { ProviderStatus } from '../provider.entity.js';
import { ToDateTime } from '../../common/validators.js';

/** What a centre asks the directory: who serves here, near this point, open now, offering this, for them. */
@ArgsType()
export class ProviderFilterArgs extends PageArgs {
  @Field({
    nullable: true,
    description: 'Name in any accents, case or script ("Κοινωνικό Παντοπωλείο", "koinoniko")',
  })
  @ApiPropertyOptional({ description: 'Name in any accents, case or script' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true, description: 'Providers serving this municipality (home or service area)' })
  @ApiPropertyOptional({ example: '4904' })
  @IsOptional()
  @Matches(MUNICIPALITY_CODE, { message: 'servingMunicipality must be a 4-digit ELSTAT code' })
  servingMunicipality?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ example: 'SOCIAL_GROCERY' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'kindCode must be a provider kind code' })
  kindCode?: string;

  @Field({ nullable: true, description: 'Offering a service of this category' })
  @ApiPropertyOptional({ example: 'FOOD_AID' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'categoryCode must be a service category code' })
  categoryCode?: string;

  @Field({ nullable: true, description: 'Offering a service for this group (or for all residents)' })
  @ApiPropertyOptional({ example: 'ROMA' })
  @IsOptional()
  @Matches(REFERENCE_CODE, { message: 'targetGroup must be a target group code' })
  targetGroup?: string;

  @Field(() => Float, {
    nullable: true,
    description: 'With nearLongitude: providers with a location near this point, nearest first',
  })
  @ApiPropertyOptional({ example: 37.96 })
  @IsOptional()
  @Type(() => Number)
  @IsLatitude()
  nearLatitude?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ example: 23.91 })
  @IsOptional()
  @Type(() => Number)
  @IsLongitude()
  nearLongitude?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Radius of a near search in km (default 10, at most 300)',
  })
  @ApiPropertyOptional({ default: 10, maximum: 300 })
  @IsOptional()
  @Type(() => Number)
  @Min(0.1)
  @Max(300)
  radiusKm?: number;

  @Field({
    nullable: true,
    description: 'Open at this instant (Europe/Athens hours, closures, public holidays)',
  })
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @ToDateTime()
  @IsDate()
  openAt?: Date;

  @Field(() => ProviderStatus, { nullable: true })
  @ApiPropertyOptional({ enum: ProviderStatus })
  @IsOptional()
  @IsEnum(ProviderStatus)
  status?: ProviderStatus;
}

export class ProviderQuery extends IntersectionType(ProviderFilterArgs, RestPageQuery) {}
