import {
  Injectable,
  Inject,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { Reflector } from '@nestjs/core';
import { SetMetadata } from '@nestjs/common';
import { LAG_TOLERANT } from './read-replica.js';
import { TransactionService } from './transaction.service.js';

export const WRITES_ON_GET = 'mitroa:writesOnGet';

/**
 * Marks a GET handler that writes more than audit rows (a referral link records its last use):
 * its transaction is not READ ONLY, and its audit rows commit with its write. Every other GET is
 * READ ONLY, so a GET that writes without this mark fails loudly in its tests.
 */
export const WritesOnGet = () => SetMetadata(WRITES_ON_GET, true);

/**
 * A REST request under /api/v1 runs in one transaction: it commits when the handler returns and
 * rolls back when it throws (validation pipes run inside it, so their refusals are audited too).
 */
@Injectable()
export class RestTransactionInterceptor implements NestInterceptor {
  constructor(
    private readonly tx: TransactionService,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const ctx = req.ctx;
    if (!ctx) return next.handle();
    // The route pattern, never the URL: a path or query can carry a name or an AMKA.
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unknown';
    const action = `rest.${req.method} ${route}`;
    const lagTolerant = this.reflector.getAllAndOverride<boolean>(LAG_TOLERANT, [
      context.getHandler(),
      context.getClass(),
    ]);
    const work = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    // A GET reads: READ ONLY, its audit rows group-committed before the answer (AuditBatch).
    const readOnly =
      (req.method === 'GET' || req.method === 'HEAD') &&
      !this.reflector.getAllAndOverride<boolean>(WRITES_ON_GET, [context.getHandler(), context.getClass()]);
    return from(this.tx.run(ctx, work, action, { lagTolerant, readOnly }));
  }
}
