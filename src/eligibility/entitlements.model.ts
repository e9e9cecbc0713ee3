import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProgrammeKind } from '../programmes/programme.entity.js';
import { CriterionStatus, EligibilityOutcome } from './contracts.js';
import { Language } from './language.js';
import './rules/graphql-enums.js';

registerEnumType(CriterionStatus, { name: 'CriterionStatus' });

export enum Proximity {
  SAME_MUNICIPALITY = 'SAME_MUNICIPALITY',
  SAME_REGIONAL_UNIT = 'SAME_REGIONAL_UNIT',
  SAME_REGION = 'SAME_REGION',
  ELSEWHERE = 'ELSEWHERE',
}
registerEnumType(Proximity, {
  name: 'Proximity',
  description: "Where a provider is, from the person's home",
});

@ObjectType({ description: 'A fact a criterion needs that nobody has supplied yet' })
export class MissingFact {
  @Field({ description: 'Fact name, e.g. household_income_last_6_months' })
  @ApiProperty({ example: 'household_income_last_6_months' })
  fact: string;

  @Field({ description: 'The fact in the language asked' })
  @ApiProperty({ example: 'Household income of the last 6 months' })
  label: string;

  @Field(() => [String], {
    description: 'Who supplies it: TAXIS, EFKA, OPEKA, KEPA, DYPA, DOCUMENT, REGISTRY',
  })
  @ApiProperty({ type: [String], example: ['TAXIS', 'DOCUMENT'] })
  suppliers: string[];
}

@ObjectType({ description: 'One criterion of a rule, and why it is met or not' })
export class CriterionExplanation {
  @Field()
  @ApiProperty({ example: 'income' })
  id: string;

  @Field(() => CriterionStatus)
  @ApiProperty({ enum: CriterionStatus })
  status: CriterionStatus;

  @Field({ description: 'In the language asked' })
  @ApiProperty()
  explanation: string;

  @Field(() => Float, { nullable: true, description: 'For a comparison not met: by how much' })
  @ApiPropertyOptional({ type: Number, nullable: true })
  shortfall: number | null;

  @Field(() => [MissingFact])
  @ApiProperty({ type: [MissingFact] })
  missing: MissingFact[];
}

@ObjectType({ description: 'When a location is open next (Europe/Athens wall clock)' })
export class OpensNext {
  @Field({ description: 'YYYY-MM-DD' })
  @ApiProperty({ format: 'date' })
  date: string;

  @Field({ description: 'HH:MM' })
  @ApiProperty({ example: '08:00' })
  opensAt: string;

  @Field({ description: 'HH:MM' })
  @ApiProperty({ example: '16:00' })
  closesAt: string;

  @Field({ description: 'Open at the moment of the answer' })
  @ApiProperty()
  openNow: boolean;
}

@ObjectType({ description: 'A provider that delivers or administers a programme, near the person' })
export class NearbyProvider {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  providerId: string;

  @Field()
  @ApiProperty()
  name: string;

  @Field({ description: 'DELIVERS (programme_provider) or ADMINISTERS' })
  @ApiProperty({ enum: ['DELIVERS', 'ADMINISTERS'] })
  role: string;

  @Field(() => Proximity)
  @ApiProperty({ enum: Proximity })
  proximity: Proximity;

  @Field(() => String, { nullable: true, description: 'Address of its nearest location' })
  @ApiPropertyOptional({ type: String, nullable: true })
  address: string | null;

  @Field({ description: 'Municipality of its nearest location (else of the provider)' })
  @ApiProperty({ example: '4912' })
  municipalityCode: string;

  @Field(() => Float, {
    nullable: true,
    description: "Kilometres from the centre of the person's municipality, where both have coordinates",
  })
  @ApiPropertyOptional({ type: Number, nullable: true })
  distanceKm: number | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  phone: string | null;

  @Field(() => OpensNext, { nullable: true, description: 'Null when no opening hours are recorded' })
  @ApiPropertyOptional({ type: OpensNext, nullable: true })
  opensNext: OpensNext | null;
}

@ObjectType({ description: 'What a person may be entitled to from one programme, and why' })
export class Entitlement {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  programmeId: string;

  @Field()
  @ApiProperty({ example: 'GMI' })
  programmeCode: string;

  @Field()
  @ApiProperty({ example: 'Ελάχιστο Εγγυημένο Εισόδημα' })
  title: string;

  @Field(() => ProgrammeKind)
  @ApiProperty({ enum: ProgrammeKind })
  kind: ProgrammeKind;

  @Field(() => EligibilityOutcome)
  @ApiProperty({ enum: EligibilityOutcome })
  outcome: EligibilityOutcome;

  @Field({ description: 'The outcome in one sentence, in the language asked' })
  @ApiProperty()
  summary: string;

  @Field(() => [CriterionExplanation])
  @ApiProperty({ type: [CriterionExplanation] })
  criteria: CriterionExplanation[];

  @Field(() => Float, { nullable: true, description: 'Euro, when eligible and the rule yields an amount' })
  @ApiPropertyOptional({ type: Number, nullable: true, example: 216 })
  amount: number | null;

  @Field()
  @ApiProperty({ example: 'ΟΠΕΚΑ' })
  administeringBody: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  howToApply: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  whereToApply: string | null;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  requiredDocuments: string[];

  @Field({ description: 'The person has an open enrolment in it (always false for a screening)' })
  @ApiProperty()
  enrolled: boolean;

  @Field(() => [NearbyProvider], { description: 'Nearest first (see docs/entitlements.md), at most 3' })
  @ApiProperty({ type: [NearbyProvider] })
  providers: NearbyProvider[];
}

@ObjectType({
  description:
    "A registered person's entitlements as of a date (personal data: read with a purpose, audited)",
})
export class PersonEntitlements {
  @Field(() => ID)
  personId: string;

  /** Recorded with the audit row of the read. */
  @Field()
  municipalityCode: string;

  @Field({ description: 'YYYY-MM-DD' })
  asOf: string;

  @Field(() => Language)
  language: Language;

  @Field(() => [Entitlement], { description: 'Every active programme available where the person lives' })
  entitlements: Entitlement[];

  @Field(() => Int, {
    description: 'Programmes left out because they concern special-category data you may not read',
  })
  withheldProgrammes: number;
}

@ObjectType({ description: 'A what-if at the desk for someone not registered: nothing is written or kept' })
export class Screening {
  @Field()
  @ApiProperty({ example: '4912' })
  municipalityCode: string;

  @Field({ description: 'YYYY-MM-DD' })
  @ApiProperty({ format: 'date' })
  asOf: string;

  @Field(() => Language)
  @ApiProperty({ enum: Language })
  language: Language;

  @Field(() => [Entitlement])
  @ApiProperty({ type: [Entitlement] })
  entitlements: Entitlement[];

  @Field(() => Int)
  @ApiProperty({ description: 'Programmes left out for concerning special-category data' })
  withheldProgrammes: number;
}

@ObjectType({ description: 'A person of your area likely eligible for a programme and not enrolled in it' })
export class LikelyEligiblePerson {
  @Field(() => ID)
  personId: string;

  @Field()
  givenName: string;

  @Field()
  surname: string;

  @Field()
  municipalityCode: string;

  @Field(() => Float, { nullable: true, description: 'Euro, where the rule yields an amount' })
  amount: number | null;
}

@ObjectType({ description: 'The entitlement result when the person was enrolled, kept with the enrolment' })
export class EntitlementAtEnrolment {
  @Field({ description: 'When it was evaluated (ISO 8601)' })
  evaluatedAt: string;

  @Field({ description: 'The day the facts and parameters were read for (YYYY-MM-DD)' })
  asOf: string;

  @Field(() => EligibilityOutcome, {
    nullable: true,
    description: 'Null when it was not evaluated (withheld: the rule concerns special-category data)',
  })
  outcome: EligibilityOutcome | null;

  @Field({ description: 'In Greek, as recorded' })
  summary: string;

  @Field(() => Float, { nullable: true })
  amount: number | null;

  @Field(() => [CriterionExplanation])
  criteria: CriterionExplanation[];

  @Field()
  withheld: boolean;
}
