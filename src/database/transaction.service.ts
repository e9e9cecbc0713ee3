import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { flushAudit } from '../audit/audit-writer.js';
import type { RequestContext } from '../auth/request-context.js';

/**
 * The entry point owns the transaction (rule 3): GraphQL operations, REST requests, CLI commands
 * and jobs each open one here, and services use `ctx.em`. Inside it the connection runs as the
 * application role, which can append to the audit trail but never change it.
 */
@Injectable()
export class TransactionService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async begin(ctx: RequestContext): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      if (this.config.DATABASE_APP_ROLE)
        await runner.query(`SET LOCAL ROLE ${this.config.DATABASE_APP_ROLE}`);
    } catch (error) {
      await runner.release();
      throw error;
    }
    ctx.bind(runner);
  }

  /** Commits (or rolls back) and always writes the audit entries: a refusal is recorded even when nothing else is. */
  async end(ctx: RequestContext, commit: boolean): Promise<void> {
    if (!ctx.inTransaction) return;
    const runner = ctx.em.queryRunner!;
    try {
      if (commit) {
        try {
          await flushAudit(ctx, runner.manager);
          await runner.commitTransaction();
        } catch (error) {
          if (runner.isTransactionActive) await runner.rollbackTransaction();
          throw error;
        }
      } else {
        await runner.rollbackTransaction();
        await this.dataSource.transaction(async (em) => {
          if (this.config.DATABASE_APP_ROLE)
            await em.query(`SET LOCAL ROLE ${this.config.DATABASE_APP_ROLE}`);
          await flushAudit(ctx, em);
        });
      }
    } finally {
      ctx.bind(undefined);
      await runner.release();
    }
  }

  async run<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    await this.begin(ctx);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.end(ctx, false);
      throw error;
    }
    await this.end(ctx, true);
    return result;
  }
}
