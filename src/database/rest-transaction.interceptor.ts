import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { TransactionService } from './transaction.service.js';

/** A REST request under /api/v1 runs in one transaction: it commits when the handler returns and rolls back when it throws. */
@Injectable()
export class RestTransactionInterceptor implements NestInterceptor {
  constructor(private readonly tx: TransactionService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const ctx = context.switchToHttp().getRequest<Request>().ctx;
    if (!ctx) return next.handle();
    return from(this.tx.run(ctx, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
