import { ArgsType, Field } from '@nestjs/graphql';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsDate, IsEnum, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { UuidScalar } from '../../common/graphql/scalars.js';
import { ToDateTime } from '../../common/validators.js';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { AccessPurpose } from '../purpose.js';

@ArgsType()
export class AuditFilterArgs extends PageArgs {
  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectType?: string;

  @Field(() => UuidScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  subjectId?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ enum: ['allowed', 'denied'] })
  @IsOptional()
  @IsIn(['allowed', 'denied'])
  outcome?: 'allowed' | 'denied';

  @Field(() => AccessPurpose, {
    nullable: true,
    description: 'Why the trail is read (or the X-Purpose header)',
  })
  @ApiPropertyOptional({ enum: AccessPurpose, description: 'Prefer the X-Purpose header' })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;

  @Field({ nullable: true, description: 'Entries at or after this time' })
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @ToDateTime()
  @IsDate()
  since?: Date;
}

export class AuditQuery extends IntersectionType(AuditFilterArgs, RestPageQuery) {}
