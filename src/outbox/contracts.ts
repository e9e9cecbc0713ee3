import type { EntityManager } from 'typeorm';

/**
 * What a module hands to the transactional outbox (issue 12): an event written in the same
 * transaction as the change it describes, so that a crash between the commit and the delivery
 * loses nothing. The worker delivers it to each subscriber once (webhooks, signed), and partner
 * systems can also pull events since a cursor.
 */
export interface OutboxEvent {
  /** `referral.sent`, `referral.updated`, `referral.cancelled`, `referral.completed`, ... */
  topic: string;
  /** What the event is about: `referral`, ... */
  aggregateType: string;
  aggregateId: string;
  /** The municipality of the person concerned, so that subscribers only receive their area's events. */
  municipalityCode?: string | null;
  /** The provider the event concerns, when there is one (a provider's own subscription). */
  providerId?: string | null;
  /** Only what the receiver may see: never more than the referral shares. */
  payload: Record<string, unknown>;
}

/** Implemented by OutboxService (src/outbox/outbox.service.ts). */
export interface OutboxWriter {
  /** Appends the event inside the caller's transaction (`ctx.em`), never on a connection of its own. */
  enqueue(em: EntityManager, event: OutboxEvent): Promise<void>;
}

/**
 * Scheduled referral work the job worker runs (implemented by ReferralsService, set-based, each
 * call idempotent: running it twice, or on two workers at once, changes nothing more).
 */
export interface ReferralSchedule {
  /** Flags referrals not answered by their due date; returns how many were newly flagged. */
  flagOverdue(now: Date): Promise<number>;
  /** Records reminders for overdue referrals not reminded since `remindEvery`; returns how many. */
  sendReminders(now: Date): Promise<number>;
  /** Expires referrals still unanswered `expireAfter` past their due date; returns how many. */
  expireUnanswered(now: Date): Promise<number>;
}

/** The topics a subscription may name: what the modules enqueue today (docs/webhooks.md). */
export const EVENT_TOPICS = ['referral.sent', 'referral.updated', 'referral.cancelled', 'referral.completed'];
