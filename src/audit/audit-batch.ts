import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { RequestContext } from '../auth/request-context.js';
import { outsideConnectionBudget } from '../database/connection-budget.js';
import { auditInsertSqlOf, auditPayload, type AuditPayload } from './audit-writer.js';

const logger = new Logger('AuditBatch');

/** At most this many requests' entries in one INSERT (each may name up to 1,000 people per row). */
const MAX_REQUESTS_PER_FLUSH = 256;

interface Waiting {
  payload: AuditPayload;
  done: (error?: Error) => void;
}

/**
 * Group commit of the read audit. A read-only request (a GraphQL query, a REST GET) commits its
 * read, gives its connection back, and then waits here until its audit rows are committed; only
 * then is its answer sent, so a read that returned data always has its rows on disk, as before.
 *
 * The rows of every request that arrives while a flush is under way go in the next flush: one
 * INSERT and one synchronous COMMIT for all of them, on a connection of the batch's own (a pool of
 * one, outside the requests' pool and its one-connection budget). With 16 requests in flight this
 * took the database's CPU per read from 1.79 to 0.96 ms (Q1's statements replayed at a million
 * people, docs/performance.md): the INSERT's parse and plan and the COMMIT's WAL flush were most
 * of a read's cost.
 *
 * Writes stay in their own transaction with their audit rows (TransactionService): a change and
 * its audit row commit together or not at all.
 */
export class AuditBatch implements OnApplicationShutdown {
  private readonly waiting: Waiting[] = [];
  private flushing = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The application role the rows are written as (it may append to the trail, never change it). */
    private readonly role: string | undefined,
  ) {
    // An idle connection the server closed (a restart, a terminated backend) is dropped by the pool
    // and the next flush opens another; unheard, the pool's 'error' event would end the process.
    pool.on('error', (error) => logger.warn(`audit batch connection lost: ${error.message}`));
  }

  /** Resolves once the context's pending entries are committed (and clears them); rejects if not. */
  async write(ctx: RequestContext): Promise<void> {
    const payload = auditPayload(ctx);
    if (!payload) return;
    await this.writePayload(payload);
    ctx.pendingAudit.splice(0);
  }

  /** Resolves once one request's storable entries are committed; rejects if they cannot be. */
  writePayload(payload: AuditPayload): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ payload, done: (error) => (error ? reject(error) : resolve()) });
      this.flush();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  private flush(): void {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = true;
    const batch = this.waiting.splice(0, MAX_REQUESTS_PER_FLUSH);
    outsideConnectionBudget(() => this.writeBatch(batch)).finally(() => {
      this.flushing = false;
      this.flush();
    });
  }

  /**
   * Writes a batch and settles each request's promise. When the batch fails, each request is tried
   * on its own, so that one request whose rows cannot be written (or a connection lost mid-flush)
   * fails only itself, not every read that happened to share its flush.
   */
  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      await this.insert(batch.map((w) => w.payload));
      batch.forEach((w) => w.done());
      return;
    } catch (error) {
      if (batch.length === 1) return batch[0]!.done(error as Error);
    }
    for (const w of batch)
      await this.insert([w.payload]).then(
        () => w.done(),
        (error: Error) => w.done(error),
      );
  }

  /** One round trip: BEGIN, the role, the INSERT, COMMIT (a simple-protocol query, values as one literal). */
  private async insert(payloads: AuditPayload[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      const role = this.role ? `SELECT set_config('role', ${pg.escapeLiteral(this.role)}, true); ` : '';
      await client.query(`BEGIN; ${role}${auditInsertSqlOf(payloads)}; COMMIT`);
      client.release();
    } catch (error) {
      // The failed statement left the transaction aborted: the connection is discarded, not reused.
      client.release(error as Error);
      throw error;
    }
  }
}
