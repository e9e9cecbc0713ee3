import { ArgsType, Field } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { IsEnum, IsIn, IsOptional, Matches, validateSync } from 'class-validator';
import { InputError, InputErrorCode } from '../../common/domain-error.js';
import { PageArgs, RestPageQuery } from '../../common/pagination.js';
import { FeedEncoding, FeedFormat, FeedKind } from '../contracts.js';
import type { ImportRequest } from '../imports.service.js';

/** The form fields of an upload (multipart/form-data), sent before the file part. */
export class ImportUploadFields {
  @ApiProperty({ enum: FeedKind })
  @IsEnum(FeedKind)
  feed: FeedKind;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'Validate and preview only',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: string;

  @ApiPropertyOptional({ enum: FeedEncoding, description: 'Default: detected' })
  @IsOptional()
  @IsEnum(FeedEncoding)
  encoding?: FeedEncoding;

  @ApiPropertyOptional({ enum: FeedFormat, description: 'Default: detected' })
  @IsOptional()
  @IsEnum(FeedFormat)
  format?: FeedFormat;

  @ApiPropertyOptional({
    description:
      'REGISTRY only, required: the municipalities the records are loaded for, comma-separated codes',
    example: '4912,4904',
  })
  @IsOptional()
  @Matches(/^\d{4}(,\d{4}){0,399}$/, { message: 'municipalities: 4-digit codes separated by commas' })
  municipalities?: string;
}

/**
 * The upload's fields, validated at the edge like any body (rule 5): unknown fields are refused;
 * enum values are accepted in any case.
 */
export function importRequestOf(fields: Record<string, string>, fileName: string): ImportRequest {
  const upper = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [
      k,
      k === 'dryRun' ? v.toLowerCase() : k === 'municipalities' ? v.replace(/\s+/g, '') : v.toUpperCase(),
    ]),
  );
  const dto = plainToInstance(ImportUploadFields, upper);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length)
    throw new InputError(
      InputErrorCode.BAD_USER_INPUT,
      "The upload's fields are not valid: see errors.",
      errors.map((e) => ({
        field: e.property,
        reason: Object.values(e.constraints ?? {}).join('; ') || 'not valid',
      })),
    );
  return {
    feed: dto.feed,
    dryRun: dto.dryRun === 'true',
    encoding: dto.encoding,
    format: dto.format,
    area: dto.municipalities?.split(','),
    fileName,
  };
}

export class ImportListQuery extends RestPageQuery {
  @ApiPropertyOptional({ enum: FeedKind })
  @IsOptional()
  @IsEnum(FeedKind)
  feed?: FeedKind;
}

@ArgsType()
export class ImportJobsArgs extends PageArgs {
  @Field(() => FeedKind, { nullable: true })
  @IsOptional()
  @IsEnum(FeedKind)
  feed?: FeedKind;
}
