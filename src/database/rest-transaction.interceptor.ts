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
import { LAG_TOLERANT } from './read-replica.js';
import { TransactionService } from './transaction.service.js';

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
    return from(this.tx.run(ctx, work, action, { lagTolerant }));
  }
}
