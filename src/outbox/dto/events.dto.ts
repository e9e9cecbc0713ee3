import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The largest page of the pull: partner systems catch up in few calls, a page stays small. */
export const MAX_EVENTS_PAGE = 500;
export const DEFAULT_EVENTS_PAGE = 100;

export class EventsQuery {
  @ApiPropertyOptional({
    description:
      'The cursor of the previous page (`nextCursor`), or 0 to start from the first event. Events after it are returned.',
    example: '0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_EVENTS_PAGE, default: DEFAULT_EVENTS_PAGE })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PAGE)
  limit?: number;
}

/** One published outbox event, as a webhook body carries it (docs/webhooks.md). */
export class PartnerEventView {
  @ApiProperty({ format: 'uuid', description: 'The event id (X-Mitroa-Event-Id of its webhooks)' })
  id: string;

  @ApiProperty({ example: '42', description: 'Its place in the feed; increasing in commit order' })
  position: string;

  @ApiProperty({ example: 'referral.sent' })
  topic: string;

  @ApiProperty({ example: 'referral' })
  aggregateType: string;

  @ApiProperty()
  aggregateId: string;

  @ApiProperty({ type: String, nullable: true, example: '4912' })
  municipalityCode: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  providerId: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The referral's state: status, provider, programme, due date; nothing about the person",
  })
  payload: Record<string, unknown>;
}

export class PartnerEventPage {
  @ApiProperty({ type: [PartnerEventView] })
  items: PartnerEventView[];

  @ApiProperty({
    example: '42',
    description:
      'Pass as `after` next time: the position of the last item, or the cursor you sent when there was none',
  })
  nextCursor: string;

  @ApiProperty({ description: 'More events follow: ask again at once' })
  hasMore: boolean;
}
