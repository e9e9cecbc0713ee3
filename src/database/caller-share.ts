import { RateLimitError } from '../common/domain-error.js';

/**
 * One caller's share of the request pool. The rate limit counts a caller's points per minute, not
 * how many of its requests hold a connection at once: twenty costly queries sent together by one
 * centre (each within its points) held all twenty connections for a minute, and every other caller
 * got 503 SERVICE_BUSY. So each caller (a token's subject, an API key, an anonymous address, a
 * referral link) holds at most `limit` connections at once; its further requests wait in its own
 * line, never in front of other callers, and are refused with 429 after `waitMs`.
 */
export class CallerShare {
  private readonly callers = new Map<string, { held: number; waiting: Array<() => void> }>();

  constructor(
    readonly limit: number,
    private readonly waitMs: number,
  ) {}

  /** Waits for a slot of `caller`'s share; returns its release (idempotent). */
  async acquire(caller: string): Promise<() => void> {
    let line = this.callers.get(caller);
    if (!line) {
      line = { held: 0, waiting: [] };
      this.callers.set(caller, line);
    }
    const own = line;
    if (own.held < this.limit) own.held++;
    else
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          own.waiting.splice(own.waiting.indexOf(wake), 1);
          reject(new ConcurrencyLimitError(this.limit));
        }, this.waitMs);
        own.waiting.push(wake);
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // A waiter takes the slot over (held stays counted); else the slot is freed.
      const next = own.waiting.shift();
      if (next) next();
      else if (--own.held === 0) this.callers.delete(caller);
    };
  }

  /** Connections `caller` holds now (for tests and metrics). */
  heldBy(caller: string): number {
    return this.callers.get(caller)?.held ?? 0;
  }
}

/** A caller sent more requests at once than its share of the pool serves (429, like the rate limit). */
export class ConcurrencyLimitError extends RateLimitError {
  constructor(limit: number) {
    super(
      1,
      `Too many requests at once: this caller already has ${limit} requests being served; wait for one to finish before sending more.`,
    );
  }
}
