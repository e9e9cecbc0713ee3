import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDate,
  IsEnum,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Role } from '../roles.js';
import { ToDateTime } from '../../common/validators.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Attica regional OPS integration' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: '9', description: "Defaults to the caller's own region" })
  @IsOptional()
  @Matches(/^(1[0-3]|[1-9])$/, { message: 'regionCode must be a region code from 1 to 13' })
  regionCode?: string;

  @ApiProperty({ enum: Role, isArray: true, example: [Role.REGIONAL_OFFICER] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsEnum(Role, { each: true })
  roles: Role[];

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @ToDateTime()
  @IsDate()
  expiresAt?: Date;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: Role, isArray: true })
  roles: string[];

  @ApiPropertyOptional({ type: String, nullable: true })
  regionCode: string | null;

  @ApiProperty()
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: Date | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  revokedAt: Date | null;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The key itself: shown once, store it now' })
  key: string;
}
