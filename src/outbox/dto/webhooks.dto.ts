import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MUNICIPALITY_CODE } from '../../common/validators.js';
import { EVENT_TOPICS } from '../contracts.js';

export class CreateWebhookSubscriptionDto {
  @ApiProperty({ example: 'Attica OPS referrals' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({
    example: 'https://ops.example.gr/hooks/mitroa',
    description:
      'Receives the POSTs (no redirects followed). Must reach a public address: loopback, private, link-local and other internal addresses, and local names (localhost, *.internal, single labels), are refused with WEBHOOK_URL_NOT_ALLOWED; https only where WEBHOOK_REQUIRE_HTTPS (production).',
  })
  @IsString()
  @MaxLength(2000)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  url: string;

  @ApiPropertyOptional({
    minLength: 32,
    maxLength: 200,
    description: 'The signing secret; omitted, one is generated. Either way it is shown only in this answer.',
  })
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  secret?: string;

  @ApiProperty({ enum: EVENT_TOPICS, isArray: true, example: ['referral.sent', 'referral.completed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TOPICS.length)
  @ArrayUnique()
  @IsIn(EVENT_TOPICS, { each: true })
  topics: string[];

  @ApiPropertyOptional({
    example: '9',
    description: 'Only events of this region (or municipalityCodes, or providerId)',
  })
  @IsOptional()
  @Matches(/^(1[0-3]|[1-9])$/, { message: 'regionCode must be a region code from 1 to 13' })
  regionCode?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['4912'],
    description: 'Only events of these municipalities',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(400)
  @ArrayUnique()
  @Matches(MUNICIPALITY_CODE, { each: true, message: 'municipalityCodes must be 4-digit municipality codes' })
  municipalityCodes?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events concerning this provider' })
  @IsOptional()
  @IsUUID()
  providerId?: string;
}

export class WebhookSubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ type: [String] })
  topics: string[];

  @ApiProperty({ type: String, nullable: true })
  regionCode: string | null;

  @ApiProperty({ type: [String], nullable: true, description: 'null: not limited to municipalities' })
  municipalityCodes: string[] | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  providerId: string | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}

export class CreatedWebhookSubscriptionView extends WebhookSubscriptionView {
  @ApiProperty({ description: 'The signing secret: shown in this answer only, never again' })
  secret: string;
}

export class DeadDeliveriesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ format: 'uuid' })
  subscriptionId: string;

  @ApiProperty()
  subscriptionName: string;

  @ApiProperty()
  topic: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time' })
  nextAttemptAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttemptAt: Date | null;

  @ApiProperty({ type: Number, nullable: true })
  lastStatus: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deadAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

export class DeadDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView] })
  items: WebhookDeliveryView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
