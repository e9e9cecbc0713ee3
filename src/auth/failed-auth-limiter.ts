import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request } from 'express';
import { ipKeyGenerator, MemoryStore } from 'express-rate-limit';
import { AppConfig } from '../config/app-config.js';

const WINDOW_MS = 60_000;

/**
 * Counts failed authentications per client address (an IPv6 address by its /56, as
 * express-rate-limit does) and nothing else: successful calls, however many run at once, never
 * count. Once an address reaches AUTH_FAILURES_PER_MINUTE it is refused for the rest of its window
 * before its credential is looked at, so guessing API keys costs no database query. Per process,
 * like the request rate limit.
 */
@Injectable()
export class FailedAuthLimiter implements OnModuleDestroy {
  private readonly store = new MemoryStore();
  private readonly limit: number;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.limit = config.AUTH_FAILURES_PER_MINUTE;
    this.store.init({ windowMs: WINDOW_MS } as Parameters<MemoryStore['init']>[0]);
  }

  /** The address a request counts against (behind a trusted proxy: the forwarded client address). */
  static clientOf(req: Request): string {
    return ipKeyGenerator(req.ip ?? 'unknown');
  }

  /** Seconds until the address may try again, or undefined when it may try now. */
  async blockedFor(client: string): Promise<number | undefined> {
    const hits = await this.store.get(client);
    if (!hits || hits.totalHits < this.limit) return undefined;
    return Math.max(
      1,
      Math.ceil(((hits.resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000),
    );
  }

  async recordFailure(client: string): Promise<void> {
    await this.store.increment(client);
  }

  onModuleDestroy(): void {
    this.store.shutdown();
  }
}
