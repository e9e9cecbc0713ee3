import { createUnionType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The GraphQL (and REST) shapes of personal data, mapped from entities explicitly (rule 8) so that a
 * new column never leaks by accident. Special-category answers (Roma origin, disability) are null
 * or absent unless the caller holds the special_category permission.
 */

export enum Gender {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  OTHER = 'OTHER',
  UNKNOWN = 'UNKNOWN',
}

export enum PersonStatus {
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
  MERGED = 'MERGED',
}

/** The six groups of the beneficiary registry; CHILD and ELDERLY follow from the birth date. */
export enum BeneficiaryGroup {
  CHILD = 'CHILD',
  ELDERLY = 'ELDERLY',
  DISABILITY = 'DISABILITY',
  ROMA = 'ROMA',
  HOMELESS = 'HOMELESS',
  DESTITUTE = 'DESTITUTE',
}

/** Groups that reveal special-category data (GDPR Art. 9): ethnicity and health. */
export const SPECIAL_CATEGORY_GROUPS: ReadonlySet<BeneficiaryGroup> = new Set([
  BeneficiaryGroup.ROMA,
  BeneficiaryGroup.DISABILITY,
]);

export const DERIVED_GROUPS: ReadonlySet<BeneficiaryGroup> = new Set([
  BeneficiaryGroup.CHILD,
  BeneficiaryGroup.ELDERLY,
]);

export enum MembershipBasis {
  SELF_DECLARED = 'SELF_DECLARED',
  DOCUMENT = 'DOCUMENT',
  FEED = 'FEED',
  /** Derived: children and elderly, from the birth date and the configured ages. */
  BIRTH_DATE = 'BIRTH_DATE',
}

export enum HouseholdRelationship {
  REFERENCE_PERSON = 'REFERENCE_PERSON',
  SPOUSE_OR_PARTNER = 'SPOUSE_OR_PARTNER',
  CHILD = 'CHILD',
  PARENT = 'PARENT',
  SIBLING = 'SIBLING',
  GRANDCHILD = 'GRANDCHILD',
  GRANDPARENT = 'GRANDPARENT',
  OTHER_RELATIVE = 'OTHER_RELATIVE',
  NON_RELATIVE = 'NON_RELATIVE',
}

export enum EmploymentStatus {
  UNEMPLOYED = 'UNEMPLOYED',
  LONG_TERM_UNEMPLOYED = 'LONG_TERM_UNEMPLOYED',
  INACTIVE = 'INACTIVE',
  EMPLOYED = 'EMPLOYED',
  PREFER_NOT_TO_ANSWER = 'PREFER_NOT_TO_ANSWER',
}

export enum EducationLevel {
  ISCED_0_2 = 'ISCED_0_2',
  ISCED_3_4 = 'ISCED_3_4',
  ISCED_5_8 = 'ISCED_5_8',
  PREFER_NOT_TO_ANSWER = 'PREFER_NOT_TO_ANSWER',
}

export enum EsfAnswer {
  YES = 'YES',
  NO = 'NO',
  PREFER_NOT_TO_ANSWER = 'PREFER_NOT_TO_ANSWER',
}

/** What a person consents to; a fixed list so that consents can be checked by later modules (referrals). */
export enum ConsentPurpose {
  REFERRAL_TO_PROVIDERS = 'REFERRAL_TO_PROVIDERS',
  DATA_SHARING_WITH_PROVIDERS = 'DATA_SHARING_WITH_PROVIDERS',
  CONTACT_BY_PHONE_OR_EMAIL = 'CONTACT_BY_PHONE_OR_EMAIL',
  ESF_MONITORING = 'ESF_MONITORING',
}

/** The recorded facts of the catalogue (src/eligibility/contracts.ts), by their stored name. */
export enum FactKind {
  HOUSEHOLD_INCOME_ANNUAL = 'household_income_annual',
  HOUSEHOLD_INCOME_LAST_6_MONTHS = 'household_income_last_6_months',
  REAL_ESTATE_VALUE = 'real_estate_value',
  VEHICLE_VALUE = 'vehicle_value',
  DEPOSITS_VALUE = 'deposits_value',
  DISABILITY_PERCENTAGE = 'disability_percentage',
  UNEMPLOYED = 'unemployed',
  UNEMPLOYMENT_MONTHS = 'unemployment_months',
  INSURED = 'insured',
  RECEIVES_PENSION = 'receives_pension',
  PENSION_AMOUNT = 'pension_amount',
  BENEFITS_RECEIVED = 'benefits_received',
  MONTHLY_RENT = 'monthly_rent',
  HAS_ACTIVE_LEASE = 'has_active_lease',
  LEGAL_RESIDENCE = 'legal_residence',
  LIVES_ALONE = 'lives_alone',
  SELF_SUFFICIENT = 'self_sufficient',
}

export enum DuplicateReviewStatus {
  OPEN = 'OPEN',
  DISMISSED = 'DISMISSED',
  MERGED = 'MERGED',
}

export enum PersonIdentifier {
  AFM = 'AFM',
  AMKA = 'AMKA',
}

registerEnumType(Gender, { name: 'Gender' });
registerEnumType(PersonStatus, { name: 'PersonStatus' });
registerEnumType(BeneficiaryGroup, {
  name: 'BeneficiaryGroup',
  description: 'The six groups; ROMA and DISABILITY are special-category data',
});
registerEnumType(MembershipBasis, { name: 'MembershipBasis' });
registerEnumType(HouseholdRelationship, { name: 'HouseholdRelationship' });
registerEnumType(EmploymentStatus, { name: 'EmploymentStatus' });
registerEnumType(EducationLevel, {
  name: 'EducationLevel',
  description: 'ISCED levels as the ESF counts them',
});
registerEnumType(EsfAnswer, { name: 'EsfAnswer' });
registerEnumType(ConsentPurpose, { name: 'ConsentPurpose' });
registerEnumType(FactKind, { name: 'FactKind' });
registerEnumType(DuplicateReviewStatus, { name: 'DuplicateReviewStatus' });
registerEnumType(PersonIdentifier, { name: 'PersonIdentifier' });

@ObjectType({ description: 'A person of the beneficiary registry (ωφελούμενος)' })
export class Beneficiary {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field({
    description: 'ELSTAT code of the municipality of residence; decides which centre sees the person',
  })
  @ApiProperty({ example: '4912' })
  municipalityCode: string;

  @Field()
  @ApiProperty({ example: 'Γεώργιος' })
  givenName: string;

  @Field()
  @ApiProperty({ example: 'Παπαδόπουλος' })
  surname: string;

  @Field(() => String, { nullable: true, description: "Father's given name" })
  @ApiPropertyOptional({ type: String, nullable: true })
  fatherName: string | null;

  @Field(() => String, { nullable: true, description: "Mother's given name" })
  @ApiPropertyOptional({ type: String, nullable: true })
  motherName: string | null;

  @Field({ description: 'Latin form (ELOT 743 unless edited)' })
  @ApiProperty({ example: 'GEORGIOS' })
  givenNameLatin: string;

  @Field({ description: 'Latin form (ELOT 743 unless edited)' })
  @ApiProperty({ example: 'PAPADOPOULOS' })
  surnameLatin: string;

  @Field({ description: 'YYYY-MM-DD' })
  @ApiProperty({ example: '1980-01-31' })
  birthDate: string;

  @Field(() => Int, { description: 'Age in whole years today' })
  @ApiProperty()
  age: number;

  @Field(() => Gender)
  @ApiProperty({ enum: Gender })
  gender: Gender;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  afm: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  amka: string | null;

  @Field(() => String, { nullable: true, description: 'ΠΑΑΥΠΑ, for foreigners without AMKA' })
  @ApiPropertyOptional({ type: String, nullable: true })
  paaypa: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  idDocumentType: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  idDocumentNumber: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' })
  @ApiPropertyOptional({ type: String, nullable: true })
  citizenship: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  address: string | null;

  @Field(() => PersonStatus)
  @ApiProperty({ enum: PersonStatus })
  status: PersonStatus;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  closedReason: string | null;

  @Field(() => ID, { nullable: true, description: 'The record this one was merged into' })
  @ApiPropertyOptional({ type: String, nullable: true })
  mergedIntoId: string | null;

  @Field(() => Int, { description: 'Send it back with a change: a stale version is refused' })
  @ApiProperty()
  version: number;

  @Field()
  @ApiProperty()
  createdAt: Date;

  @Field()
  @ApiProperty()
  updatedAt: Date;
}

@ObjectType({ description: "A person's membership of one of the six groups" })
export class GroupMembership {
  /** Whose it is: not a GraphQL field, but the subject its read is audited under. */
  personId: string;

  @Field(() => ID, { nullable: true, description: 'Null for derived groups (CHILD, ELDERLY)' })
  id: string | null;

  @Field(() => BeneficiaryGroup)
  group: BeneficiaryGroup;

  @Field(() => MembershipBasis)
  basis: MembershipBasis;

  @Field()
  validFrom: string;

  @Field(() => String, { nullable: true })
  validTo: string | null;
}

@ObjectType({
  description: 'ESF participant data; null answers are not yet recorded or need special_category',
})
export class EsfParticipation {
  /** Whose it is: not a GraphQL field, but the subject its read is audited under. */
  personId: string;

  @Field(() => EmploymentStatus)
  employmentStatus: EmploymentStatus;

  @Field(() => EducationLevel)
  educationLevel: EducationLevel;

  @Field(() => EsfAnswer)
  migrantOrForeignBackground: EsfAnswer;

  @Field(() => EsfAnswer, { nullable: true, description: 'Minority, including Roma (special category)' })
  minority: EsfAnswer | null;

  @Field(() => EsfAnswer, { nullable: true, description: 'Special category' })
  disability: EsfAnswer | null;

  @Field(() => EsfAnswer)
  homelessOrHousingExclusion: EsfAnswer;

  @Field(() => EsfAnswer)
  ruralArea: EsfAnswer;

  @Field()
  recordedAt: Date;

  @Field({ description: 'The day the person entered (first recorded as a participant), YYYY-MM-DD' })
  enteredOn: string;

  @Field(() => String, { nullable: true, description: 'The day the person left; null while participating' })
  leftOn: string | null;

  @Field(() => EsfAnswer, { nullable: true, description: 'Engaged in job searching upon leaving' })
  jobSearching: EsfAnswer | null;

  @Field(() => EsfAnswer, { nullable: true, description: 'In education or training upon leaving' })
  inEducationOrTraining: EsfAnswer | null;

  @Field(() => EsfAnswer, { nullable: true, description: 'Gained a qualification upon leaving' })
  gainedQualification: EsfAnswer | null;

  @Field(() => EsfAnswer, {
    nullable: true,
    description: 'In employment, including self-employment, upon leaving',
  })
  inEmployment: EsfAnswer | null;
}

@ObjectType()
export class PersonConsent {
  /** Whose it is: not a GraphQL field, but the subject its read is audited under. */
  personId: string;

  @Field(() => ID)
  id: string;

  @Field(() => ConsentPurpose)
  purpose: ConsentPurpose;

  @Field()
  givenAt: Date;

  @Field()
  givenBy: string;

  @Field(() => Date, { nullable: true })
  withdrawnAt: Date | null;

  @Field()
  active: boolean;
}

@ObjectType({
  description:
    'A recorded fact about a person (from a feed, a document, staff or the person), with its source and as-of date',
})
export class PersonFactView {
  /** Whose it is: not a GraphQL field, but the subject its read is audited under. */
  personId: string;

  @Field(() => ID)
  id: string;

  @Field(() => FactKind)
  kind: FactKind;

  @Field(() => Int, { nullable: true })
  taxYear: number | null;

  @Field(() => String, { nullable: true, description: 'Decimal as text (amounts in euro, percentages)' })
  valueNumeric: string | null;

  @Field(() => String, { nullable: true })
  valueText: string | null;

  @Field(() => Boolean, { nullable: true })
  valueBoolean: boolean | null;

  @Field(() => [String], { nullable: true })
  valueList: string[] | null;

  @Field({ description: 'FEED, DOCUMENT, STAFF or SELF_DECLARED (precedence in that order)' })
  basis: string;

  @Field(() => String, { nullable: true })
  validFrom: string | null;

  @Field(() => String, { nullable: true })
  validTo: string | null;

  @Field()
  source: string;

  @Field()
  asOf: string;
}

@ObjectType()
export class FieldChange {
  @Field()
  field: string;

  @Field(() => String, { nullable: true })
  oldValue: string | null;

  @Field(() => String, { nullable: true })
  newValue: string | null;
}

@ObjectType({ description: 'One change of a person record: who, when, what' })
export class PersonChange {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { description: 'The record changed (differs from the person after a merge)' })
  personId: string;

  @Field()
  changedAt: Date;

  @Field()
  changedBy: string;

  @Field()
  change: string;

  @Field(() => [FieldChange])
  fields: FieldChange[];
}

@ObjectType()
export class HouseholdMemberView {
  /** The household's municipality: not a GraphQL field, recorded with the audit row of the member's read. */
  municipalityCode?: string;

  @Field(() => ID)
  personId: string;

  @Field(() => HouseholdRelationship)
  relationship: HouseholdRelationship;

  @Field()
  joinedOn: string;
}

@ObjectType({ description: 'A household (νοικοκυριό): its current members and derived composition' })
export class HouseholdView {
  @Field(() => ID)
  id: string;

  @Field()
  municipalityCode: string;

  @Field(() => String, { nullable: true })
  address: string | null;

  @Field(() => Int)
  size: number;

  @Field(() => Int)
  adults: number;

  @Field(() => Int)
  minors: number;

  @Field(() => Int)
  version: number;

  @Field(() => [HouseholdMemberView])
  members: HouseholdMemberView[];
}

@ObjectType({ description: 'A pair of records that may be the same person, for review' })
export class DuplicateReviewView {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  personAId: string;

  @Field(() => ID)
  personBId: string;

  @Field()
  reason: string;

  @Field(() => DuplicateReviewStatus)
  status: DuplicateReviewStatus;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  reviewedAt: Date | null;
}

@ObjectType({ description: 'The person was registered' })
export class PersonRegistered {
  @Field(() => Beneficiary)
  beneficiary: Beneficiary;

  @Field(() => Int, {
    description:
      'Likely duplicates in your area queued for review (those elsewhere are for national reviewers)',
  })
  likelyDuplicates: number;
}

@ObjectType({
  description:
    'A person with this AFM or AMKA is already registered: the record is given when it is in your area, otherwise only that it exists elsewhere',
})
export class DuplicatePerson {
  @Field(() => PersonIdentifier)
  identifier: PersonIdentifier;

  @Field()
  inYourArea: boolean;

  @Field(() => Beneficiary, { nullable: true })
  existing: Beneficiary | null;

  @Field()
  message: string;
}

export const RegisterPersonResult = createUnionType({
  name: 'RegisterPersonResult',
  types: () => [PersonRegistered, DuplicatePerson] as const,
  resolveType: (value: PersonRegistered | DuplicatePerson) =>
    'identifier' in value ? DuplicatePerson : PersonRegistered,
});
