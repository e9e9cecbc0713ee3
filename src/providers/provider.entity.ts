import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum ProviderStatus {
  ACTIVE = 'ACTIVE',
  TEMPORARILY_CLOSED = 'TEMPORARILY_CLOSED',
  INACTIVE = 'INACTIVE',
}
registerEnumType(ProviderStatus, { name: 'ProviderStatus' });

/** A reference row: kinds, service categories and target groups are data, extendable by migration or SQL. */
@ObjectType({ description: 'A kind of provider (community centre, social grocery, ΚΑΠΗ, ...)' })
@Entity('provider_kind')
export class ProviderKind {
  @Field()
  @ApiProperty({ example: 'COMMUNITY_CENTRE' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty({ example: 'Κέντρο Κοινότητας' })
  @Column({ type: 'text' })
  name: string;

  @Field()
  @ApiProperty({ example: 'Community centre' })
  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;

  @Column({ name: 'sort_order', type: 'integer' })
  sortOrder: number;
}

@ObjectType({ description: 'A category of service (food aid, counselling, employment, ...)' })
@Entity('service_category')
export class ServiceCategory {
  @Field()
  @ApiProperty({ example: 'FOOD_AID' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  name: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;
}

@ObjectType({ description: 'A group of people a service or programme is for (the six groups and others)' })
@Entity('target_group')
export class TargetGroup {
  @Field()
  @ApiProperty({ example: 'ROMA' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  name: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;
}

@ObjectType({ description: 'How many staff of one role a provider has' })
export class StaffRole {
  @Field({ description: 'e.g. SOCIAL_WORKER, PSYCHOLOGIST' })
  @ApiProperty({ example: 'SOCIAL_WORKER' })
  role: string;

  @Field(() => Int)
  @ApiProperty({ example: 1 })
  count: number;
}

@ObjectType({
  description: 'A provider of social services: a community centre, its branch, a social grocery, ...',
})
@Entity('provider')
export class Provider {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Code of its kind (see providerKinds)' })
  @ApiProperty({ example: 'COMMUNITY_CENTRE' })
  @Column({ name: 'kind_code', type: 'text' })
  kindCode: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'search_key', type: 'text', select: false })
  searchKey: string;

  @Field(() => String, { nullable: true, description: 'The legal body that runs it (e.g. the municipality)' })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  organisation: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field(() => ID, { nullable: true, description: 'The centre a branch belongs to' })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  @Field({ description: 'Home municipality (ELSTAT code)' })
  @ApiProperty({ example: '4912' })
  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode: string;

  @Field(() => [String], { description: 'Languages spoken, ISO 639 (el, en, ar, rom, ...)' })
  @ApiProperty({ type: [String], example: ['el', 'en'] })
  @Column({ type: 'text', array: true })
  languages: string[];

  @Field(() => [StaffRole])
  @ApiProperty({ type: [StaffRole] })
  @Column({ name: 'staff_roles', type: 'jsonb' })
  staffRoles: StaffRole[];

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  website: string | null;

  @Field({ description: 'Closed on Greek public holidays (Easter and the rest, computed per year)' })
  @ApiProperty()
  @Column({ name: 'closed_on_public_holidays', type: 'boolean' })
  closedOnPublicHolidays: boolean;

  @Field(() => ProviderStatus)
  @ApiProperty({ enum: ProviderStatus })
  @Column({ type: 'text' })
  status: ProviderStatus;

  @Field(() => Int)
  @ApiProperty()
  @Column({ type: 'integer' })
  version: number;

  @Field()
  @ApiProperty({ type: String, format: 'date-time' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Field()
  @ApiProperty({ type: String, format: 'date-time' })
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;

  @Field(() => Float, { nullable: true, description: 'Distance in km from the point of a `near` search' })
  @ApiPropertyOptional({ type: Number, nullable: true })
  distanceKm?: number | null;
}

@Entity('provider_service_area')
export class ProviderServiceArea {
  @PrimaryColumn({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @PrimaryColumn({ name: 'municipality_code', type: 'text' })
  municipalityCode: string;
}

@ObjectType({ description: 'A place where a provider receives people' })
@Entity('provider_location')
export class ProviderLocation {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  address: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'postal_code', type: 'text', nullable: true })
  postalCode: string | null;

  @Field()
  @ApiProperty()
  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode: string;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  @Column({ type: 'double precision', nullable: true })
  latitude: number | null;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  @Column({ type: 'double precision', nullable: true })
  longitude: number | null;

  @Field(() => [String], { description: 'e.g. STEP_FREE_ACCESS, ACCESSIBLE_TOILET, LIFT' })
  @ApiProperty({ type: [String] })
  @Column({ type: 'text', array: true })
  accessibility: string[];

  @Column({ type: 'integer' })
  position: number;
}

@ObjectType({ description: 'One weekly opening interval of a location, in Europe/Athens local time' })
@Entity('opening_hours')
export class OpeningHours {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'location_id', type: 'uuid' })
  locationId: string;

  @Field(() => Int, { description: 'ISO weekday: 1 Monday .. 7 Sunday' })
  @ApiProperty({ minimum: 1, maximum: 7 })
  @Column({ type: 'smallint' })
  weekday: number;

  @Field({ description: 'HH:MM' })
  @ApiProperty({ example: '09:00' })
  @Column({ name: 'opens_at', type: 'time' })
  opensAt: string;

  @Field({ description: 'HH:MM, after opensAt; 24:00 is the end of the day' })
  @ApiProperty({ example: '17:00' })
  @Column({ name: 'closes_at', type: 'time' })
  closesAt: string;

  @Field(() => String, { nullable: true, description: 'First day these hours apply (YYYY-MM-DD)' })
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Column({ name: 'valid_from', type: 'date', nullable: true })
  validFrom: string | null;

  @Field(() => String, { nullable: true, description: 'Last day these hours apply (YYYY-MM-DD)' })
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo: string | null;
}

@ObjectType({ description: 'Days a provider is closed (holidays, summer closure), both ends included' })
@Entity('provider_closure')
export class ProviderClosure {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @Field()
  @ApiProperty({ format: 'date' })
  @Column({ name: 'starts_on', type: 'date' })
  startsOn: string;

  @Field()
  @ApiProperty({ format: 'date' })
  @Column({ name: 'ends_on', type: 'date' })
  endsOn: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  reason: string | null;
}

@ObjectType({ description: 'A service a provider offers' })
@Entity('provider_service')
export class OfferedService {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field()
  @ApiProperty({ example: 'FOOD_AID' })
  @Column({ name: 'category_code', type: 'text' })
  categoryCode: string;

  @Field(() => [String])
  @ApiProperty({ type: [String], example: ['DESTITUTE'] })
  @Column({ name: 'target_groups', type: 'text', array: true })
  targetGroups: string[];

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  @Column({ name: 'min_age', type: 'integer', nullable: true })
  minAge: number | null;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ type: Number, nullable: true })
  @Column({ name: 'max_age', type: 'integer', nullable: true })
  maxAge: number | null;

  @Field(() => String, { nullable: true, description: 'Who may use it, in words' })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ type: 'text', nullable: true })
  eligibility: string | null;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  @Column({ name: 'required_documents', type: 'text', array: true })
  requiredDocuments: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Cost in euro as a decimal string ("0.00" is free); null when not a fixed amount',
  })
  @ApiPropertyOptional({ type: String, nullable: true, example: '0.00' })
  @Column({ name: 'cost_amount', type: 'numeric', precision: 14, scale: 2, nullable: true })
  costAmount: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column({ name: 'cost_description', type: 'text', nullable: true })
  costDescription: string | null;

  @Column({ type: 'integer' })
  position: number;
}
