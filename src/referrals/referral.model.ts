import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar } from '../common/graphql/scalars.js';

export enum ReferralKind {
  /** To a provider, optionally one of its services. */
  PROVIDER = 'PROVIDER',
  /** To a programme: its administering provider receives it; accepted, it is the person's application. */
  PROGRAMME = 'PROGRAMME',
  /** To the centre that holds the person, asking for them to move to the referring centre. */
  HANDOVER = 'HANDOVER',
}

export enum ReferralStatus {
  DRAFT = 'DRAFT',
  SENT = 'SENT',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}

export enum ReferralUrgency {
  ROUTINE = 'ROUTINE',
  URGENT = 'URGENT',
}

/** What of the person a referral may show its receiver; nothing outside this list ever is. */
export enum SharedField {
  NAME = 'NAME',
  CONTACT = 'CONTACT',
  BIRTH_DATE = 'BIRTH_DATE',
  IDENTIFIERS = 'IDENTIFIERS',
  HOUSEHOLD = 'HOUSEHOLD',
  NOTES = 'NOTES',
}

export enum RejectionReason {
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  NO_CAPACITY = 'NO_CAPACITY',
  OUTSIDE_AREA = 'OUTSIDE_AREA',
  DUPLICATE = 'DUPLICATE',
  OTHER = 'OTHER',
}

export enum ReferralOutcome {
  GOT_HELP = 'GOT_HELP',
  REFERRED_ELSEWHERE = 'REFERRED_ELSEWHERE',
  COULD_NOT_CONTACT = 'COULD_NOT_CONTACT',
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  NO_LONGER_INTERESTED = 'NO_LONGER_INTERESTED',
  COULD_NOT_GET_HELP = 'COULD_NOT_GET_HELP',
}

/** GDPR Art. 6 grounds other than consent on which a centre may share without one. */
export enum LegalBasis {
  LEGAL_OBLIGATION = 'LEGAL_OBLIGATION',
  VITAL_INTERESTS = 'VITAL_INTERESTS',
  PUBLIC_TASK = 'PUBLIC_TASK',
}

export enum ReferralEvent {
  STATUS = 'STATUS',
  OVERDUE = 'OVERDUE',
  REMINDER = 'REMINDER',
}

registerEnumType(ReferralKind, { name: 'ReferralKind' });
registerEnumType(ReferralStatus, {
  name: 'ReferralStatus',
  description: 'FHIR R4 Task.status in docs/referrals.md',
});
registerEnumType(ReferralUrgency, { name: 'ReferralUrgency' });
registerEnumType(SharedField, { name: 'SharedField' });
registerEnumType(RejectionReason, { name: 'RejectionReason' });
registerEnumType(ReferralOutcome, { name: 'ReferralOutcome' });
registerEnumType(LegalBasis, { name: 'LegalBasis' });
registerEnumType(ReferralEvent, { name: 'ReferralEvent' });

/** The part of the person a referral shares, and only while a consent or legal basis covers it. */
@ObjectType({ description: 'Only the fields the referral shares; the others are null' })
export class SharedPerson {
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  givenName: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  surname: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  birthDate: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  address: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  afm: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  amka: string | null;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  householdSize: number | null;

  /** Whom a read is audited under (never a field). */
  subjectPersonId: string;
  subjectMunicipalityCode: string;
}

@ObjectType({ description: 'One change of a referral: a status, an overdue flag or a reminder' })
export class ReferralChange {
  @Field(() => ReferralEvent)
  @ApiProperty({ enum: ReferralEvent })
  event: ReferralEvent;

  @Field(() => ReferralStatus, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralStatus, nullable: true })
  fromStatus: ReferralStatus | null;

  @Field(() => ReferralStatus, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralStatus, nullable: true })
  toStatus: ReferralStatus | null;

  @Field()
  @ApiProperty()
  actor: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ type: String, format: 'date-time' })
  at: Date;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  note: string | null;
}

/**
 * A referral (personal data: read with a purpose, audited under its person). Provider staff get
 * no person id, and the person's data only as `person`, limited to what the referral shares.
 */
@ObjectType('Referral', {
  description: 'A referral of a person (personal data: read with a purpose, audited)',
})
export class ReferralView {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ReferralKind)
  @ApiProperty({ enum: ReferralKind })
  kind: ReferralKind;

  @Field(() => ReferralStatus)
  @ApiProperty({ enum: ReferralStatus })
  status: ReferralStatus;

  @Field(() => ID, { nullable: true, description: 'null for the staff of the receiving provider' })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  personId: string | null;

  @Field(() => SharedPerson, {
    nullable: true,
    description: 'What the referral shares; null when it shares nothing or the consent was withdrawn',
  })
  @ApiPropertyOptional({ type: SharedPerson, nullable: true })
  person: SharedPerson | null;

  @Field({ description: 'The referring centre' })
  @ApiProperty()
  fromMunicipalityCode: string;

  @Field()
  @ApiProperty()
  referredBy: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  providerId: string | null;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  providerServiceId: string | null;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  programmeId: string | null;

  @Field(() => String, { nullable: true, description: 'Hand-over: the centre that holds the person' })
  @ApiPropertyOptional({ type: String, nullable: true })
  toMunicipalityCode: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  categoryCode: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'For the receiving provider only when NOTES is shared',
  })
  @ApiPropertyOptional({ type: String, nullable: true })
  notes: string | null;

  @Field(() => ReferralUrgency)
  @ApiProperty({ enum: ReferralUrgency })
  urgency: ReferralUrgency;

  @Field()
  @ApiProperty({ format: 'date' })
  dueOn: string;

  @Field(() => [SharedField])
  @ApiProperty({ enum: SharedField, isArray: true })
  sharedFields: SharedField[];

  @Field(() => LegalBasis, { nullable: true })
  @ApiPropertyOptional({ enum: LegalBasis, nullable: true })
  legalBasis: LegalBasis | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  legalBasisNote: string | null;

  @Field(() => RejectionReason, { nullable: true })
  @ApiPropertyOptional({ enum: RejectionReason, nullable: true })
  rejectionReason: RejectionReason | null;

  @Field(() => ReferralOutcome, { nullable: true })
  @ApiPropertyOptional({ enum: ReferralOutcome, nullable: true })
  outcome: ReferralOutcome | null;

  @Field({ description: 'Sent and not answered by its due date' })
  @ApiProperty()
  overdue: boolean;

  @Field(() => Int)
  @ApiProperty()
  reminders: number;

  @Field(() => ID, { nullable: true, description: 'A programme referral once accepted: the application' })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  enrolmentId: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  sentAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  acceptedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  completedAt: Date | null;

  @Field(() => Int)
  @ApiProperty()
  version: number;

  @Field(() => DateTimeScalar)
  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  @Field(() => [ReferralChange], { nullable: true, description: 'Filled by referral(id) only' })
  @ApiPropertyOptional({ type: ReferralChange, isArray: true, nullable: true })
  history: ReferralChange[] | null;

  /** Whom a read is audited under (never a field: provider staff do not learn the person's id). */
  subjectPersonId: string;
  subjectMunicipalityCode: string;
}

@ObjectType()
export class ReferralCount {
  @Field({ description: 'A status, provider id or need category' })
  @ApiProperty()
  key: string;

  @Field(() => Int)
  @ApiProperty()
  count: number;
}

@ObjectType({ description: 'Referrals counted (special-category ones only with that permission)' })
export class ReferralCounts {
  @Field(() => Int)
  @ApiProperty()
  total: number;

  @Field(() => [ReferralCount])
  @ApiProperty({ type: ReferralCount, isArray: true })
  byStatus: ReferralCount[];

  @Field(() => [ReferralCount])
  @ApiProperty({ type: ReferralCount, isArray: true })
  byProvider: ReferralCount[];

  @Field(() => [ReferralCount])
  @ApiProperty({ type: ReferralCount, isArray: true })
  byNeed: ReferralCount[];

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  medianHoursToAccept: number | null;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  averageHoursToAccept: number | null;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  medianHoursToComplete: number | null;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  averageHoursToComplete: number | null;
}

@ObjectType({
  description:
    'The national look-up of a hand-over: whether someone holds this AFM/AMKA, and which centre (municipality); nothing else',
})
export class PersonRegistration {
  @Field()
  registered: boolean;

  @Field(() => String, { nullable: true })
  municipalityCode: string | null;

  @Field({ description: 'The person is already in your own area: no hand-over needed' })
  inYourArea: boolean;

  /** Whom the look-up is audited under (never a field); null when no one holds the identifier. */
  subjectPersonId: string | null;
}

@ObjectType('ReferralLink', {
  description: 'A signed link through which a provider without an account sees and answers one referral',
})
export class ReferralLinkView {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  referralId: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Only when created: the page to send to the provider (the token is not kept and cannot be shown again)',
  })
  @ApiPropertyOptional({ type: String, nullable: true })
  url: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only when created: the token, for GET /api/v1/referral-links/{token}',
  })
  @ApiPropertyOptional({ type: String, nullable: true })
  token: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @Field(() => DateTimeScalar)
  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  revokedAt: Date | null;
}
