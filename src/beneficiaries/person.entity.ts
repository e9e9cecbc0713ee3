import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Dates are kept as ISO strings (YYYY-MM-DD): a birth date has no time zone. */
@Entity('person')
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode: string;

  @Column({ name: 'given_name', type: 'text' })
  givenName: string;

  @Column({ type: 'text' })
  surname: string;

  @Column({ name: 'father_name', type: 'text', nullable: true })
  fatherName: string | null;

  @Column({ name: 'mother_name', type: 'text', nullable: true })
  motherName: string | null;

  @Column({ name: 'given_name_latin', type: 'text' })
  givenNameLatin: string;

  @Column({ name: 'surname_latin', type: 'text' })
  surnameLatin: string;

  @Column({ name: 'birth_date', type: 'date' })
  birthDate: string;

  @Column({ type: 'text' })
  gender: string;

  @Column({ type: 'text', nullable: true })
  afm: string | null;

  @Column({ type: 'text', nullable: true })
  amka: string | null;

  @Column({ type: 'text', nullable: true })
  paaypa: string | null;

  @Column({ name: 'id_document_type', type: 'text', nullable: true })
  idDocumentType: string | null;

  @Column({ name: 'id_document_number', type: 'text', nullable: true })
  idDocumentNumber: string | null;

  @Column({ type: 'text', nullable: true })
  citizenship: string | null;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'closed_reason', type: 'text', nullable: true })
  closedReason: string | null;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto: string | null;

  @Column({ name: 'name_key', type: 'text' })
  nameKey: string;

  @Column({ name: 'phonetic_key', type: 'text' })
  phoneticKey: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;
}

@Entity('person_group')
export class PersonGroup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'group_code', type: 'text' })
  groupCode: string;

  @Column({ type: 'text' })
  basis: string;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom: string;

  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo: string | null;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

@Entity('esf_participant')
export class EsfParticipant {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'employment_status', type: 'text' })
  employmentStatus: string;

  @Column({ name: 'education_level', type: 'text' })
  educationLevel: string;

  @Column({ name: 'migrant_or_foreign_background', type: 'text' })
  migrantOrForeignBackground: string;

  @Column({ type: 'text' })
  minority: string;

  @Column({ type: 'text' })
  disability: string;

  @Column({ name: 'homeless_or_housing_exclusion', type: 'text' })
  homelessOrHousingExclusion: string;

  @Column({ name: 'rural_area', type: 'text' })
  ruralArea: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;
}

@Entity('consent')
export class Consent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ type: 'text' })
  purpose: string;

  @Column({ name: 'given_at', type: 'timestamptz' })
  givenAt: Date;

  @Column({ name: 'given_by', type: 'text' })
  givenBy: string;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawn_by', type: 'text', nullable: true })
  withdrawnBy: string | null;
}

@Entity('person_fact')
export class PersonFact {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'tax_year', type: 'integer', nullable: true })
  taxYear: number | null;

  /** numeric(14,2) arrives as a string: money is never a float. */
  @Column({ name: 'value_numeric', type: 'numeric', precision: 14, scale: 2, nullable: true })
  valueNumeric: string | null;

  @Column({ name: 'value_text', type: 'text', nullable: true })
  valueText: string | null;

  @Column({ name: 'valid_from', type: 'date', nullable: true })
  validFrom: string | null;

  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo: string | null;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

@Entity('person_history')
export class PersonHistory {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt: Date;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy: string;

  @Column({ type: 'text' })
  change: string;

  @Column({ name: 'old_values', type: 'jsonb', nullable: true })
  oldValues: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  snapshot: Record<string, unknown>;
}

@Entity('duplicate_review')
export class DuplicateReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'person_a', type: 'uuid' })
  personA: string;

  @Column({ name: 'person_b', type: 'uuid' })
  personB: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'reviewed_by', type: 'text', nullable: true })
  reviewedBy: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
