import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Connection } from '../common/pagination.js';
import { FeedEncoding, FeedFormat, FeedKind } from './contracts.js';

export enum ImportStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

export enum ImportPhase {
  /** Reading the file into the staging table. */
  STAGE = 'STAGE',
  /** Checking the staged rows and matching people. */
  VALIDATE = 'VALIDATE',
  /** Writing the facts (a dry run: computing the preview). */
  MERGE = 'MERGE',
  DONE = 'DONE',
}

registerEnumType(FeedKind, { name: 'FeedKind', description: 'The body whose file is imported' });
registerEnumType(FeedFormat, { name: 'FeedFormat' });
registerEnumType(FeedEncoding, { name: 'FeedEncoding' });
registerEnumType(ImportStatus, { name: 'ImportStatus' });
registerEnumType(ImportPhase, { name: 'ImportPhase' });

@ObjectType('ImportPreviewSample', {
  description: 'A fact a dry run would write, as it is and as it would be',
})
export class ImportPreviewSample {
  @ApiProperty()
  @Field(() => Int)
  line: number;

  @ApiProperty({ example: 'household_income_annual' })
  @Field()
  fact: string;

  @ApiProperty({ enum: ['NEW', 'CHANGED'] })
  @Field()
  change: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  oldValue: string | null;

  @ApiProperty()
  @Field()
  newValue: string;
}

/**
 * An import job: its file, status, counts and progress. No personal data: counts only (the rows'
 * problems are downloaded apart, without whole identifiers).
 */
@ObjectType('ImportJob')
export class ImportJobView {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ enum: FeedKind })
  @Field(() => FeedKind)
  feed: FeedKind;

  @ApiProperty()
  @Field()
  fileName: string;

  @ApiProperty({ description: 'SHA-256 of the file, hex: the same file is imported once' })
  @Field()
  sha256: string;

  @ApiProperty()
  @Field(() => Float)
  byteSize: number;

  @ApiPropertyOptional({ type: String, enum: FeedFormat, nullable: true })
  @Field(() => FeedFormat, {
    nullable: true,
    description: 'As asked, or as detected once the job has read the file',
  })
  format: FeedFormat | null;

  @ApiPropertyOptional({ type: String, enum: FeedEncoding, nullable: true })
  @Field(() => FeedEncoding, { nullable: true })
  encoding: FeedEncoding | null;

  @ApiProperty()
  @Field()
  dryRun: boolean;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description:
      'REGISTRY: the municipalities (codes) whose records the import loads; null for a national feed',
  })
  @Field(() => [String], { nullable: true })
  area: string[] | null;

  @ApiProperty({ enum: ImportStatus })
  @Field(() => ImportStatus)
  status: ImportStatus;

  @ApiProperty({ enum: ImportPhase })
  @Field(() => ImportPhase)
  phase: ImportPhase;

  @ApiProperty({
    description: 'Rows read from the file (created + updated + unchanged + unmatched + rejected, once done)',
  })
  @Field(() => Int)
  rowsRead: number;

  @ApiProperty({ description: 'Rows that recorded at least one new fact (a dry run: would)' })
  @Field(() => Int)
  rowsCreated: number;

  @ApiProperty({ description: 'Rows that changed facts already recorded, and recorded none new' })
  @Field(() => Int)
  rowsUpdated: number;

  @ApiProperty({
    description: 'Rows whose facts were all recorded already, or superseded by a source of higher precedence',
  })
  @Field(() => Int)
  rowsUnchanged: number;

  @ApiProperty({
    description: 'Valid rows whose AFM/AMKA names nobody in the registry (listed in the problems)',
  })
  @Field(() => Int)
  rowsUnmatched: number;

  @ApiProperty({
    description: 'Rows with a problem (listed in the problems), duplicates in the file included',
  })
  @Field(() => Int)
  rowsRejected: number;

  @ApiProperty({ description: 'Rows read into staging so far' })
  @Field(() => Int)
  rowsStaged: number;

  @ApiProperty({ description: 'Rows merged (or found bad) so far' })
  @Field(() => Int)
  rowsDone: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Rows in the file: an estimate until it is read',
  })
  @Field(() => Int, { nullable: true })
  rowsTotal: number | null;

  @ApiProperty({ description: 'Share of the work done, 0 to 1 (staging and merging count half each)' })
  @Field(() => Float)
  progress: number;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Rows per second since the job started' })
  @Field(() => Float, { nullable: true })
  rowsPerSecond: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Seconds left at that rate' })
  @Field(() => Float, { nullable: true })
  etaSeconds: number | null;

  @ApiProperty({ description: 'The last line merged: where a resumed job goes on from' })
  @Field(() => Int)
  checkpoint: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The earlier import of the same file; this one changed nothing',
  })
  @Field(() => ID, { nullable: true })
  duplicateOf: string | null;

  @ApiProperty({ type: [ImportPreviewSample], description: 'A dry run: up to 20 facts it would write' })
  @Field(() => [ImportPreviewSample])
  previewSamples: ImportPreviewSample[];

  @ApiProperty({
    description:
      'Samples left out of previewSamples: special-category facts (a disability percentage, a disability allowance), which need the special_category permission',
  })
  @Field(() => Int, {
    description:
      'Samples left out of previewSamples: special-category facts (a disability percentage, a disability allowance), which need the special_category permission',
  })
  previewSamplesWithheld: number;

  @ApiProperty()
  @Field()
  createdBy: string;

  @ApiProperty()
  @Field()
  createdAt: Date;

  @ApiPropertyOptional({ type: Date, nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @ApiPropertyOptional({ type: Date, nullable: true })
  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the job failed' })
  @Field(() => String, { nullable: true })
  error: string | null;
}

export const ImportJobConnection = Connection(ImportJobView, 'ImportJob');

export class ImportJobPage {
  @ApiProperty({ type: [ImportJobView] })
  items: ImportJobView[];

  @ApiProperty()
  total: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor: string | null;
}
