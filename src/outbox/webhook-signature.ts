import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a webhook's signature travels in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Mitroa-Signature';
/** The event's id, stable across retries: receivers de-duplicate on it. */
export const EVENT_ID_HEADER = 'X-Mitroa-Event-Id';
/** How old a signature a receiver should still accept (docs/webhooks.md). */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

/**
 * Signs a webhook body: HMAC-SHA256 over `<t>.<body>` with the subscription's secret, the scheme
 * Stripe made familiar. The timestamp is inside the MAC, so a receiver that refuses old timestamps
 * also refuses replays of captured requests.
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type SignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'too_old' | 'in_future' };

/**
 * What a receiver does with a request (docs/webhooks.md has the same in a few lines): parse the
 * header, recompute the MAC over the raw body, compare in constant time, and refuse timestamps
 * outside the replay window.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string | undefined,
  now: Date = new Date(),
  windowSeconds = DEFAULT_REPLAY_WINDOW_SECONDS,
): SignatureCheck {
  const parts = new Map(
    (header ?? '').split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'mismatch' };
  const age = Math.floor(now.getTime() / 1000) - t;
  if (age > windowSeconds) return { ok: false, reason: 'too_old' };
  if (age < -windowSeconds) return { ok: false, reason: 'in_future' };
  return { ok: true, timestamp: t };
}

function hmac(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}
