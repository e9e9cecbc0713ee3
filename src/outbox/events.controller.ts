import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { EventsQuery, PartnerEventPage } from './dto/events.dto.js';
import { PartnerEventsService } from './partner-events.service.js';

/** The pull side of the outbox for partner systems (docs/webhooks.md, "Pulling events"). */
@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('events')
export class EventsController {
  constructor(private readonly events: PartnerEventsService) {}

  @Get()
  @ApiRoute(
    'Events of your area (or your provider) after a cursor, in the order they were committed',
    [403],
    'Published outbox events (referral.sent, referral.updated, ...) with a position greater than `after`. ' +
      'Keep the `nextCursor` of each answer and send it as `after` next time; `hasMore` says to ask again at once. ' +
      'Needs events:read (national_admin, regional_officer, provider_staff).',
  )
  @ApiOkResponse({ type: PartnerEventPage })
  list(@Ctx() ctx: RequestContext, @Query() query: EventsQuery): Promise<PartnerEventPage> {
    return this.events.eventsAfter(ctx, query.after, query.limit);
  }
}
