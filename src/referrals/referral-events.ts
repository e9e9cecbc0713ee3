import type { OutboxWriter } from '../outbox/contracts.js';

/**
 * Where the referral module writes its events (src/outbox/contracts.ts): the transactional outbox,
 * in the caller's transaction. Injected by this token so that the module depends on the contract,
 * not on the worker that delivers.
 */
export const REFERRAL_OUTBOX = Symbol('REFERRAL_OUTBOX');

export type { OutboxWriter };
