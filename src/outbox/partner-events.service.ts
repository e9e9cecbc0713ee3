import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { DEFAULT_EVENTS_PAGE, MAX_EVENTS_PAGE, type PartnerEventPage } from './dto/events.dto.js';
import { OutboxError, OutboxErrorCode } from './outbox.errors.js';
import { EVENTS_AFTER } from './outbox.queries.js';

interface EventRow {
  id: string;
  position: string;
  topic: string;
  aggregate_type: string;
  aggregate_id: string;
  municipality_code: string | null;
  provider_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** A position: a non-negative bigint written in decimal. */
const CURSOR = /^(0|[1-9]\d{0,17})$/;

/**
 * The pull side of the outbox (issue 12): partner systems read published events in position order
 * after a cursor, as an alternative or a catch-up to webhooks. The events carry a referral's state,
 * never anything about the person, so no purpose is asked; the area is applied in the SQL (rule 20)
 * and row-level security on outbox_event applies it again.
 */
@Injectable()
export class PartnerEventsService {
  /**
   * Published events after `after` (a position; none or "0": from the start), at most `limit`, of
   * the caller's area: national callers every event, a region's its municipalities', provider staff
   * those concerning their provider. `nextCursor` is always returned, so a caller that found nothing
   * asks again with the same cursor.
   */
  async eventsAfter(
    ctx: RequestContext,
    after: string | undefined,
    limit?: number,
  ): Promise<PartnerEventPage> {
    ctx.require(Permission.EVENTS_READ, 'outbox.events.read');
    const cursor = after === undefined || after === '' ? '0' : after;
    if (!CURSOR.test(cursor))
      throw new OutboxError(
        OutboxErrorCode.BAD_CURSOR,
        'after must be the nextCursor of a previous page, or 0.',
        [{ field: 'after', reason: 'not a cursor of this feed' }],
      );
    const size = Math.min(Math.max(limit ?? DEFAULT_EVENTS_PAGE, 1), MAX_EVENTS_PAGE);
    const scope = ctx.actor.scope;
    const municipalities =
      scope.level === 'national' || scope.level === 'provider' ? null : scope.municipalityCodes;
    const provider = scope.level === 'provider' ? scope.providerId : null;
    const rows = await ctx.em.query<EventRow[]>(EVENTS_AFTER, [cursor, size, municipalities, provider]);
    const page = rows.slice(0, size);
    return {
      items: page.map((r) => ({
        id: r.id,
        position: r.position,
        topic: r.topic,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        municipalityCode: r.municipality_code,
        providerId: r.provider_id,
        occurredAt: new Date(r.created_at).toISOString(),
        payload: r.payload,
      })),
      nextCursor: page.length ? page[page.length - 1]!.position : cursor,
      hasMore: rows.length > size,
    };
  }
}
