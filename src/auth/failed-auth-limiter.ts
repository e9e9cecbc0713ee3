import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { poolOf } from '../database/data-source.js';
import { SharedLimiter } from './shared-limiter.js';

/**
 * Counts failed authentications per client address (an IPv6 address by its /56, as
 * express-rate-limit does) and nothing else: successful calls, however many run at once, never
 * count. Once an address reaches AUTH_FAILURES_PER_MINUTE it is refused for the rest of its window
 * before its credential is looked at, so guessing API keys costs no database query.
 *
 * The count is shared across replicas in PostgreSQL (SharedLimiter): behind a load balancer a
 * guesser would otherwise get the limit once per replica. Only a failure costs a query; the check
 * on every request is in memory (an address over its limit is known to a replica from its first
 * failure there past the limit), so successful calls pay nothing.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly limiter: SharedLimiter;

  constructor(dataSource: DataSource, @Inject(AppConfig) config: AppConfig) {
    this.limiter = new SharedLimiter(poolOf(dataSource), 'auth-failures', config.AUTH_FAILURES_PER_MINUTE);
  }

  /** The address a request counts against (behind a trusted proxy: the forwarded client address). */
  static clientOf(req: Request): string {
    return ipKeyGenerator(req.ip ?? 'unknown');
  }

  /** Seconds until the address may try again, or undefined when it may try now. */
  blockedFor(client: string): number | undefined {
    const wait = this.limiter.blockedSeconds(client);
    return wait > 0 ? wait : undefined;
  }

  /** Counts a failure; never fails the 401 it comes with (with no free connection it is not counted). */
  async recordFailure(client: string): Promise<void> {
    await this.limiter.charge(client, 1).catch(() => undefined);
  }
}
