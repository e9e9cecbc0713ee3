import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { systemActor } from '../auth/actor.js';
import { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { withConnectionBudget } from '../database/connection-budget.js';
import { TransactionService } from '../database/transaction.service.js';
import {
  CLAIM_DUE_DELIVERY,
  MARK_DELIVERED,
  MARK_FAILED,
  PUBLISH_AND_FAN_OUT,
  PUBLISH_LOCK,
  REQUEUE_DEAD,
} from './outbox.queries.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';
import { webhookAddressRules } from './webhook-address-policy.js';
import { WebhookTransport } from './webhook-transport.js';

/** How deliveries are retried; the worker builds it from AppConfig. */
export interface DeliveryPolicy {
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  timeoutMs: number;
  concurrency: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  retryBaseSeconds: 30,
  retryMaxSeconds: 6 * 3600,
  timeoutMs: 10_000,
  concurrency: 4,
};

export interface DispatchResult {
  published: number;
  fannedOut: number;
  delivered: number;
  failed: number;
  dead: number;
}

/**
 * The delay before attempt `attempts + 1`, after `attempts` failed ones: exponential with "equal
 * jitter" (half fixed, half random), so delays grow strictly with each attempt until the cap while
 * receivers that fail together do not get their retries together.
 */
export function retryDelaySeconds(attempts: number, policy: DeliveryPolicy, random = Math.random): number {
  const exponential = Math.min(policy.retryMaxSeconds, policy.retryBaseSeconds * 2 ** (attempts - 1));
  return exponential / 2 + (random() * exponential) / 2;
}

interface ClaimedDelivery {
  id: string;
  attempts: number;
  subscription_id: string;
  url: string;
  secret: string;
  event_id: string;
  topic: string;
  aggregate_type: string;
  aggregate_id: string;
  municipality_code: string | null;
  provider_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
  position: string;
}

/** The JSON a subscriber receives; the same bytes on every attempt (only the signature's t changes). */
export function webhookBody(d: ClaimedDelivery): string {
  return JSON.stringify({
    id: d.event_id,
    topic: d.topic,
    position: d.position,
    aggregateType: d.aggregate_type,
    aggregateId: d.aggregate_id,
    municipalityCode: d.municipality_code,
    providerId: d.provider_id,
    occurredAt: new Date(d.created_at).toISOString(),
    payload: d.payload,
  });
}

/**
 * Publishes committed outbox events and delivers them to webhook subscribers. Each delivery is one
 * transaction: claim (FOR UPDATE SKIP LOCKED), POST, record the outcome, COMMIT. A 2xx is recorded in
 * the transaction that observed it; a crash before that COMMIT leaves the delivery due, so it is sent
 * again with the same event id (at-least-once; receivers de-duplicate on X-Mitroa-Event-Id). Time is
 * a parameter (`now`) so that tests drive retries without sleeping. Deliveries go only to public
 * addresses unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES (webhook-address-policy.ts); a refused one is a
 * failed attempt like any other.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly transport: WebhookTransport;

  constructor(
    @Inject(TransactionService) private readonly tx: TransactionService,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.transport = new WebhookTransport(webhookAddressRules(config));
  }

  onModuleDestroy(): void {
    this.transport.close();
  }

  /** One round: publish everything committed, then deliver every delivery due at `now`. */
  async dispatch(
    now = new Date(),
    policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  ): Promise<DispatchResult> {
    const { published, fannedOut } = await this.publish(now);
    const outcome = await this.deliverDue(now, policy);
    return { published, fannedOut, ...outcome };
  }

  /** Gives committed events their cursor position and fans them out to matching subscriptions. */
  async publish(now: Date, batch = 1000): Promise<{ published: number; fannedOut: number }> {
    let published = 0;
    let fannedOut = 0;
    for (;;) {
      const ctx = jobContext('outbox-publish');
      const [row] = await withConnectionBudget(() =>
        this.tx.run(
          ctx,
          async () => {
            await ctx.em.query(PUBLISH_LOCK);
            return ctx.em.query<Array<{ published: number; fanned: number }>>(PUBLISH_AND_FAN_OUT, [
              batch,
              now,
            ]);
          },
          'job.outbox.publish',
        ),
      );
      published += row!.published;
      fannedOut += row!.fanned;
      if (row!.published < batch) return { published, fannedOut };
    }
  }

  /** Delivers due deliveries with `policy.concurrency` loops, then audits the batch per subscription. */
  async deliverDue(
    now: Date,
    policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  ): Promise<{ delivered: number; failed: number; dead: number }> {
    const counts = { delivered: 0, failed: 0, dead: 0 };
    const perSubscription = new Map<string, number>();
    // A round with a backlog lasts minutes: each POST is signed at its own time on the round's clock,
    // else a receiver enforcing the replay window would refuse what is sent 5 minutes into the round.
    const started = performance.now();
    const sendingAt = () => new Date(now.getTime() + (performance.now() - started));
    const loop = async () => {
      for (;;) {
        const outcome = await withConnectionBudget(() => this.deliverOne(now, sendingAt, policy));
        if (!outcome) return;
        counts[outcome.result]++;
        if (outcome.result === 'delivered')
          perSubscription.set(outcome.subscriptionId, (perSubscription.get(outcome.subscriptionId) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, policy.concurrency) }, loop));
    if (perSubscription.size > 0) {
      // Rule 19: a job audits per batch, one row per subscriber that received events.
      const ctx = jobContext('webhook-dispatcher');
      for (const [id, n] of perSubscription)
        ctx.audit({
          action: 'webhook.deliver',
          subjectType: 'webhook_subscription',
          subjectId: id,
          outcome: 'allowed',
          reason: `${n} events delivered`,
        });
      await withConnectionBudget(() => this.tx.run(ctx, async () => undefined, 'job.webhook.deliver'));
    }
    return counts;
  }

  /** Puts a dead delivery back in line, due at `now`, with its attempts counted afresh. */
  async requeue(ctx: RequestContext, deliveryId: string, now = new Date()): Promise<boolean> {
    const rows = await ctx.em.query<unknown[]>(REQUEUE_DEAD, [deliveryId, now]);
    ctx.audit({
      action: 'webhook.requeue',
      subjectType: 'webhook_delivery',
      subjectId: deliveryId,
      outcome: rows.length ? 'allowed' : 'denied',
      ...(rows.length ? {} : { reason: 'not a dead delivery' }),
    });
    return rows.length > 0;
  }

  private async deliverOne(
    now: Date,
    sendingAt: () => Date,
    policy: DeliveryPolicy,
  ): Promise<{ result: 'delivered' | 'failed' | 'dead'; subscriptionId: string } | undefined> {
    const ctx = jobContext('webhook-dispatcher');
    return this.tx.run(
      ctx,
      async () => {
        const [d] = await ctx.em.query<ClaimedDelivery[]>(CLAIM_DUE_DELIVERY, [now]);
        if (!d) return undefined;
        const body = webhookBody(d);
        const answer = await this.transport.post(
          d.url,
          body,
          {
            'Content-Type': 'application/json',
            'User-Agent': 'mitroa-webhooks/1',
            [SIGNATURE_HEADER]: signWebhook(d.secret, body, sendingAt()),
            [EVENT_ID_HEADER]: d.event_id,
          },
          policy.timeoutMs,
        );
        if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) {
          await ctx.em.query(MARK_DELIVERED, [d.id, now, answer.status]);
          return { result: 'delivered' as const, subscriptionId: d.subscription_id };
        }
        const attempts = d.attempts + 1;
        const dead = attempts >= policy.maxAttempts;
        const next = new Date(now.getTime() + retryDelaySeconds(attempts, policy) * 1000);
        await ctx.em.query(MARK_FAILED, [
          d.id,
          now,
          answer.status ?? null,
          answer.error.slice(0, 500),
          next,
          dead ? now : null,
        ]);
        return { result: dead ? ('dead' as const) : ('failed' as const), subscriptionId: d.subscription_id };
      },
      'job.webhook.deliver',
    );
  }
}

function jobContext(job: string): RequestContext {
  return new RequestContext(randomUUID(), systemActor(job));
}
