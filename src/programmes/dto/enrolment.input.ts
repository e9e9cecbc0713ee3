import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { AccessPurpose } from '../../audit/purpose.js';
import { PageArgs } from '../../common/pagination.js';
import { IsDay } from '../../common/validators.js';
import { EnrolmentSource, EnrolmentStatus } from '../programme.entity.js';
import { UuidScalar } from '../../common/graphql/scalars.js';

@InputType()
export class EnrolInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => UuidScalar)
  @IsUUID()
  programmeId: string;

  @Field(() => EnrolmentStatus, { nullable: true, description: 'APPLIED (default) or ACTIVE' })
  @IsOptional()
  @IsEnum(EnrolmentStatus)
  status?: EnrolmentStatus;

  @Field({ description: 'Day of the application (YYYY-MM-DD)' })
  @IsDay()
  appliedOn: string;

  @Field({ nullable: true, description: 'Day it started, when recorded as ACTIVE (default appliedOn)' })
  @IsOptional()
  @IsDay()
  startedOn?: string;

  @Field(() => EnrolmentSource, { nullable: true, description: 'Default CENTRE' })
  @IsOptional()
  @IsEnum(EnrolmentSource)
  source?: EnrolmentSource;

  @Field({ nullable: true, description: 'e.g. the ΟΠΕΚΑ application number' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  sourceReference?: string;
}

@InputType()
export class ChangeEnrolmentInput {
  @Field(() => EnrolmentStatus)
  @IsEnum(EnrolmentStatus)
  status: EnrolmentStatus;

  @Field({ description: 'Day the change takes effect (YYYY-MM-DD)' })
  @IsDay()
  on: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

@ArgsType()
export class EnrolmentFilterArgs extends PageArgs {
  @Field(() => UuidScalar, { nullable: true })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @Field(() => UuidScalar, { nullable: true })
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @Field(() => EnrolmentStatus, { nullable: true })
  @IsOptional()
  @IsEnum(EnrolmentStatus)
  status?: EnrolmentStatus;

  @Field(() => AccessPurpose, {
    nullable: true,
    description: 'Why the enrolments are read (or the X-Purpose header)',
  })
  @IsOptional()
  @IsEnum(AccessPurpose)
  purpose?: AccessPurpose;
}
