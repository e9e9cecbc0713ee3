import { Field, InputType } from '@nestjs/graphql';
import { IsEnum, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import {
  BeneficiaryGroup,
  ConsentPurpose,
  EducationLevel,
  EmploymentStatus,
  EsfAnswer,
  HouseholdRelationship,
  MembershipBasis,
} from '../beneficiary.model.js';
import { UuidScalar } from '../../common/graphql/scalars.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType({ description: 'Record that a person belongs to one of the recorded groups' })
export class AddGroupMembershipInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => BeneficiaryGroup, {
    description: 'DISABILITY, ROMA, HOMELESS or DESTITUTE (CHILD and ELDERLY are derived)',
  })
  @IsEnum(BeneficiaryGroup)
  group: BeneficiaryGroup;

  @Field(() => MembershipBasis)
  @IsEnum(MembershipBasis)
  basis: MembershipBasis;

  @Field({ description: 'YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string;
}

@InputType()
export class EndGroupMembershipInput {
  @Field(() => UuidScalar)
  @IsUUID()
  membershipId: string;

  @Field({ description: 'Last day of membership, YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo: string;
}

@InputType({ description: 'ESF participant answers; every answer allows PREFER_NOT_TO_ANSWER' })
export class EsfParticipationInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => EmploymentStatus)
  @IsEnum(EmploymentStatus)
  employmentStatus: EmploymentStatus;

  @Field(() => EducationLevel)
  @IsEnum(EducationLevel)
  educationLevel: EducationLevel;

  @Field(() => EsfAnswer)
  @IsEnum(EsfAnswer)
  migrantOrForeignBackground: EsfAnswer;

  @Field(() => EsfAnswer, {
    nullable: true,
    description: 'Special category: answering needs special_category; left out, the recorded answer stays',
  })
  @IsOptional()
  @IsEnum(EsfAnswer)
  minority?: EsfAnswer;

  @Field(() => EsfAnswer, {
    nullable: true,
    description: 'Special category: answering needs special_category; left out, the recorded answer stays',
  })
  @IsOptional()
  @IsEnum(EsfAnswer)
  disability?: EsfAnswer;

  @Field(() => EsfAnswer)
  @IsEnum(EsfAnswer)
  homelessOrHousingExclusion: EsfAnswer;

  @Field(() => EsfAnswer)
  @IsEnum(EsfAnswer)
  ruralArea: EsfAnswer;
}

@InputType({
  description:
    'A participant leaving the ESF operation, with their situation upon leaving (the Annex I immediate results)',
})
export class EsfLeavingInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field({ description: 'The day they left, YYYY-MM-DD: not before they entered, not in the future' })
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'leftOn must be a date YYYY-MM-DD' })
  leftOn: string;

  @Field(() => EsfAnswer, { description: 'Engaged in job searching upon leaving' })
  @IsEnum(EsfAnswer)
  jobSearching: EsfAnswer;

  @Field(() => EsfAnswer, { description: 'In education or training upon leaving' })
  @IsEnum(EsfAnswer)
  inEducationOrTraining: EsfAnswer;

  @Field(() => EsfAnswer, { description: 'Gained a qualification upon leaving' })
  @IsEnum(EsfAnswer)
  gainedQualification: EsfAnswer;

  @Field(() => EsfAnswer, { description: 'In employment, including self-employment, upon leaving' })
  @IsEnum(EsfAnswer)
  inEmployment: EsfAnswer;
}

@InputType()
export class GiveConsentInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => ConsentPurpose)
  @IsEnum(ConsentPurpose)
  purpose: ConsentPurpose;
}

@InputType({ description: 'Start a household with its reference person' })
export class CreateHouseholdInput {
  @Field(() => UuidScalar)
  @IsUUID()
  referencePersonId: string;

  @Field({ nullable: true, description: "Defaults to the reference person's address" })
  @IsOptional()
  @Matches(/^[^\n]{1,300}$/, { message: 'address must be one line of at most 300 characters' })
  address?: string;
}

@InputType()
export class AddHouseholdMemberInput {
  @Field(() => UuidScalar)
  @IsUUID()
  householdId: string;

  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field(() => HouseholdRelationship, { description: 'Relationship to the reference person' })
  @IsEnum(HouseholdRelationship)
  relationship: HouseholdRelationship;
}

@InputType()
export class RemoveHouseholdMemberInput {
  @Field(() => UuidScalar)
  @IsUUID()
  householdId: string;

  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;
}
