import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { UuidScalar } from '../../common/graphql/scalars.js';
import { ReferralOutcome, ReferralStatus, RejectionReason } from '../referral.model.js';

/** The statuses a provider sets: the answers a link may give. */
export const LINK_ANSWERS = [
  ReferralStatus.ACCEPTED,
  ReferralStatus.REJECTED,
  ReferralStatus.IN_PROGRESS,
  ReferralStatus.COMPLETED,
] as const;
export type LinkAnswer = (typeof LINK_ANSWERS)[number];

/** An HTML form sends every field, unset ones as empty strings: those mean "not given". */
const emptyIsUnset = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** How long a new link lives (at most REFERRAL_LINK_MAX_DAYS; REFERRAL_LINK_DEFAULT_DAYS when unset). */
@ArgsType()
export class CreateReferralLinkArgs {
  @Field(() => UuidScalar)
  @IsUUID()
  referralId: string;

  @Field(() => Int, { nullable: true, description: 'Days until it expires (default and maximum: settings)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  expiresInDays?: number;
}

/** The REST body of a new link (the referral is in the path). */
export class CreateReferralLinkBody {
  @ApiPropertyOptional({ minimum: 1, maximum: 365, description: 'Days until it expires' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  expiresInDays?: number;
}

/**
 * An answer given through a link, as JSON or as an HTML form: the provider's statuses only, with
 * the reason of a rejection, the outcome of a completion and a note. The rules are the referral's
 * (ReferralsService.changeStatus).
 */
export class ReferralLinkAnswerInput {
  @ApiProperty({ enum: LINK_ANSWERS })
  @IsIn(LINK_ANSWERS)
  status: LinkAnswer;

  @ApiPropertyOptional({ enum: RejectionReason })
  @Transform(emptyIsUnset)
  @IsOptional()
  @IsEnum(RejectionReason)
  rejectionReason?: RejectionReason;

  @ApiPropertyOptional({ enum: ReferralOutcome })
  @Transform(emptyIsUnset)
  @IsOptional()
  @IsEnum(ReferralOutcome)
  outcome?: ReferralOutcome;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Transform(emptyIsUnset)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ description: 'The version read; a referral changed meanwhile is refused' })
  @Transform(({ value }) =>
    value === '' ? undefined : /^\d{1,9}$/.test(String(value)) ? Number(value) : value,
  )
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}
