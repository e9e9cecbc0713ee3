import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import { GeographyService } from '../geography/geography.service.js';
import type {
  CreateWebhookSubscriptionDto,
  CreatedWebhookSubscriptionView,
  DeadDeliveryPage,
  WebhookDeliveryView,
  WebhookSubscriptionView,
} from './dto/webhooks.dto.js';
import { OutboxError, OutboxErrorCode } from './outbox.errors.js';
import {
  DEACTIVATE_SUBSCRIPTION,
  DEAD_DELIVERIES,
  DELIVERY_BY_ID,
  INSERT_SUBSCRIPTION,
  LIST_SUBSCRIPTIONS,
  PROVIDER_EXISTS,
} from './outbox.queries.js';
import { checkWebhookUrl, webhookAddressRules, type WebhookAddressRules } from './webhook-address-policy.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  topics: string[];
  region_code: string | null;
  municipality_codes: string[] | null;
  provider_id: string | null;
  active: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  subscription_id: string;
  subscription_name: string;
  topic: string;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  dead_at: Date | null;
  created_at: Date;
  dead_key?: string;
}

/** A national list: a few subscriptions per partner system. */
const MAX_SUBSCRIPTIONS = 500;

/**
 * Webhook subscriptions and dead deliveries, for national administrators (webhook:manage). A
 * subscription's secret is shown once, in the answer that created it; lists never carry it. Every
 * write, and every refusal, is audited.
 */
@Injectable()
export class WebhookSubscriptionsService {
  private readonly addressRules: WebhookAddressRules;

  constructor(
    private readonly geography: GeographyService,
    @Inject(WebhookDispatcher) private readonly dispatcher: WebhookDispatcher,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.addressRules = webhookAddressRules(config);
  }

  /**
   * Creates an active subscription. Its area is at most one of a region (kept as the region's
   * municipalities, which the fan-out matches), municipalities or a provider; none: the country.
   * A URL that names a non-public address or a local name (or http where https is required) is
   * refused with WEBHOOK_URL_NOT_ALLOWED and the refusal audited: it is how a forged request starts.
   */
  async create(
    ctx: RequestContext,
    input: CreateWebhookSubscriptionDto,
  ): Promise<CreatedWebhookSubscriptionView> {
    ctx.require(Permission.WEBHOOK_MANAGE, 'webhook_subscription.create');
    const verdict = checkWebhookUrl(input.url, this.addressRules);
    if (!verdict.allowed) {
      ctx.audit({
        action: 'webhook_subscription.create',
        subjectType: 'webhook_subscription',
        outcome: 'denied',
        reason: `url not allowed: ${verdict.reason}`.slice(0, 300),
      });
      throw new OutboxError(OutboxErrorCode.WEBHOOK_URL_NOT_ALLOWED, verdict.reason, [
        { field: 'url', reason: 'not allowed for webhooks' },
      ]);
    }
    const areas = [input.regionCode, input.municipalityCodes, input.providerId].filter(
      (a) => a !== undefined,
    );
    if (areas.length > 1)
      throw new OutboxError(
        OutboxErrorCode.ONE_AREA_ONLY,
        'A subscription is limited to a region, to municipalities or to a provider: name one of them.',
        [{ field: 'regionCode', reason: 'only one of regionCode, municipalityCodes, providerId' }],
      );
    let municipalities: string[] | null = input.municipalityCodes ?? null;
    if (input.regionCode !== undefined) {
      if (!this.geography.findRegion(input.regionCode)) throw unknownArea('regionCode', input.regionCode);
      municipalities = this.geography.municipalityCodesOfRegion(input.regionCode);
    }
    for (const code of input.municipalityCodes ?? [])
      if (!this.geography.findMunicipality(code)) throw unknownArea('municipalityCodes', code);
    if (input.providerId !== undefined) {
      const found = await ctx.em.query<unknown[]>(PROVIDER_EXISTS, [input.providerId]);
      if (!found.length) throw unknownArea('providerId', input.providerId);
    }
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const [row] = await ctx.em.query<SubscriptionRow[]>(INSERT_SUBSCRIPTION, [
      input.name,
      input.url,
      secret,
      input.topics,
      input.regionCode ?? null,
      municipalities,
      input.providerId ?? null,
      ctx.actor.id,
    ]);
    ctx.audit({
      action: 'webhook_subscription.create',
      subjectType: 'webhook_subscription',
      subjectId: row!.id,
      outcome: 'allowed',
    });
    return { ...subscriptionView(row!), secret };
  }

  /** Every subscription, newest first, without secrets. */
  async list(ctx: RequestContext): Promise<WebhookSubscriptionView[]> {
    ctx.require(Permission.WEBHOOK_MANAGE, 'webhook_subscription.list');
    const rows = await ctx.em.query<SubscriptionRow[]>(LIST_SUBSCRIPTIONS, [MAX_SUBSCRIPTIONS]);
    return rows.map(subscriptionView);
  }

  /** Stops new deliveries to it (and pending ones: the dispatcher skips inactive subscriptions). */
  async deactivate(ctx: RequestContext, id: string): Promise<WebhookSubscriptionView> {
    ctx.require(Permission.WEBHOOK_MANAGE, 'webhook_subscription.deactivate', {
      type: 'webhook_subscription',
      id,
    });
    const [row] = await ctx.em.query<SubscriptionRow[]>(DEACTIVATE_SUBSCRIPTION, [id]);
    if (!row) {
      ctx.audit({
        action: 'webhook_subscription.deactivate',
        subjectType: 'webhook_subscription',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found',
      });
      throw new NotFoundError('webhook subscription', id);
    }
    ctx.audit({
      action: 'webhook_subscription.deactivate',
      subjectType: 'webhook_subscription',
      subjectId: id,
      outcome: 'allowed',
    });
    return subscriptionView(row);
  }

  /** Dead deliveries, most recently dead first, keyset-paged. */
  async deadDeliveries(ctx: RequestContext, limit = 50, cursor?: string): Promise<DeadDeliveryPage> {
    ctx.require(Permission.WEBHOOK_MANAGE, 'webhook_delivery.list_dead');
    const after = cursor ? decodeDeadCursor(cursor) : undefined;
    const rows = await ctx.em.query<DeliveryRow[]>(DEAD_DELIVERIES, [
      after?.deadAt ?? null,
      after?.id ?? null,
      limit,
    ]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(deliveryView),
      nextCursor: rows.length > limit && last ? encodeDeadCursor(last) : null,
    };
  }

  /**
   * Puts a dead delivery back in line, due now, its attempts counted afresh; one that is not dead
   * (pending or delivered) is refused with DELIVERY_NOT_DEAD.
   */
  async requeue(ctx: RequestContext, id: string): Promise<WebhookDeliveryView> {
    ctx.require(Permission.WEBHOOK_MANAGE, 'webhook.requeue', { type: 'webhook_delivery', id });
    const [before] = await ctx.em.query<DeliveryRow[]>(DELIVERY_BY_ID, [id]);
    if (!before) {
      ctx.audit({
        action: 'webhook.requeue',
        subjectType: 'webhook_delivery',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found',
      });
      throw new NotFoundError('webhook delivery', id);
    }
    if (!(await this.dispatcher.requeue(ctx, id)))
      throw new OutboxError(
        OutboxErrorCode.DELIVERY_NOT_DEAD,
        before.delivered_at
          ? 'This delivery was delivered: there is nothing to requeue.'
          : 'This delivery is still being retried: only a dead delivery is requeued.',
      );
    const [after] = await ctx.em.query<DeliveryRow[]>(DELIVERY_BY_ID, [id]);
    return deliveryView(after!);
  }
}

function unknownArea(field: string, code: string): OutboxError {
  return new OutboxError(OutboxErrorCode.UNKNOWN_AREA, `There is no ${field.replace(/s$/, '')} ${code}.`, [
    { field, reason: 'unknown' },
  ]);
}

function subscriptionView(r: SubscriptionRow): WebhookSubscriptionView {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    topics: r.topics,
    regionCode: r.region_code,
    municipalityCodes: r.municipality_codes,
    providerId: r.provider_id,
    active: r.active,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function deliveryView(r: DeliveryRow): WebhookDeliveryView {
  return {
    id: r.id,
    eventId: r.event_id,
    subscriptionId: r.subscription_id,
    subscriptionName: r.subscription_name,
    topic: r.topic,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    deadAt: r.dead_at,
    createdAt: r.created_at,
  };
}

/** The keyset of the dead list, (dead_at to the microsecond, id), as base64url JSON. */
function encodeDeadCursor(r: DeliveryRow): string {
  return Buffer.from(JSON.stringify([r.dead_key, r.id])).toString('base64url');
}

function decodeDeadCursor(cursor: string): { deadAt: string; id: string } {
  try {
    const [deadAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof deadAt === 'string' &&
      !Number.isNaN(Date.parse(deadAt)) &&
      typeof id === 'string' &&
      isUuid(id)
    )
      return { deadAt, id };
  } catch {
    // Falls through to the typed refusal.
  }
  throw new OutboxError(OutboxErrorCode.BAD_CURSOR, 'cursor must be the nextCursor of a previous page.', [
    { field: 'cursor', reason: 'not a cursor of this list' },
  ]);
}
