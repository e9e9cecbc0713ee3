import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { auditInsertSql } from '../audit/audit-writer.js';
import { systemActor } from '../auth/actor.js';
import { RequestContext, type AuditEntry } from '../auth/request-context.js';
import { describeError } from '../common/describe-error.js';
import type { FeedEncoding, FeedFormat, FeedKind, FeedRow, ParseFeed, RowProblem } from './contracts.js';
import { pipelineOf, type FeedPipeline } from './feed-pipeline.js';
import {
  copyIntoStaging,
  HASH_JOINS,
  INSERT_PROBLEMS,
  JOB_BY_ID,
  NOTIFY_IMPORT,
  READ_CHUNK,
} from './imports.queries.js';

/** The format readers (src/imports/formats, `parseFeed`), provided by ImportsModule. */
export const PARSE_FEED = Symbol('PARSE_FEED');

/**
 * Rows the reader hands over at a time while staging (a transaction takes several such batches).
 * Small, so that rows die young: rows that outlive two scavenges of V8's young generation (about
 * 32 MB of allocation, some 7,000 rows' worth) are promoted, and the old generation then grows by
 * about 1 KB per row until a full collection (docs/imports.md, "Memory").
 */
const PARSE_BATCH_ROWS = 500;

export interface ImportBatchSizes {
  /** Rows staged per transaction (each commits its rows, their problems and the staging checkpoint). */
  stageRows: number;
  /** Lines merged per transaction (each commits its facts, the counts, the checkpoint and one audit row). */
  mergeLines: number;
}

export interface ImportJobRow {
  id: string;
  feed: FeedKind;
  file_name: string;
  sha256: string;
  byte_size: string;
  format: FeedFormat | null;
  encoding: FeedEncoding | null;
  dry_run: boolean;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  phase: 'STAGE' | 'VALIDATE' | 'MERGE' | 'DONE';
  rows_read: number;
  rows_created: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_unmatched: number;
  rows_rejected: number;
  rows_staged: number;
  staged_line: number;
  rows_done: number;
  rows_total: number | null;
  checkpoint: number;
  duplicate_of: string | null;
  preview: ImportPreview | null;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  file_purged_at: Date | null;
  attempts: number;
  error: string | null;
  /** REGISTRY: the municipalities the import is for. */
  area: string[] | null;
}

export interface ImportPreview {
  samples: Array<{
    line: number;
    fact: string;
    change: 'NEW' | 'CHANGED';
    oldValue: string | null;
    newValue: string;
  }>;
}

export type RunOutcome = 'finished' | 'busy';

/**
 * Runs (or resumes) one import job on one connection of its own, in three phases, each made of
 * transactions that commit their work together with the job's checkpoint:
 *
 * 1. STAGE: the stored file streams through the format reader; every row (good or bad) is COPYed
 *    into the feed's staging table with its parse problems, `batch.stageRows` at a time, with
 *    `staged_line` (the last line staged). A restart skips the lines up to it.
 * 2. VALIDATE: one transaction of SQL over the staged rows (fact-feeds.ts, imports.queries.ts).
 * 3. MERGE: `batch.mergeLines` lines at a time, one INSERT ... ON CONFLICT ... DO UPDATE ... WHERE ... IS
 *    DISTINCT FROM per range, committed with the counts, `checkpoint` and the batch's audit row.
 *    A dry run instead computes the preview in one read-only statement.
 *
 * A worker killed anywhere loses only its open transaction; the next run starts from the
 * checkpoints. Staging tables are UNLOGGED: if PostgreSQL itself crashed they come back empty, which
 * the run notices (fewer staged rows than recorded) and restages from the stored file before it
 * goes on merging from its checkpoint. One import per feed runs at a time: the run holds a session
 * advisory lock on its feed, which dies with its connection if the worker does.
 */
@Injectable()
export class ImportRunner {
  private readonly log = new Logger('ImportRunner');
  /** Large enough that per-transaction costs vanish, small enough that no transaction holds row locks for long. */
  readonly batch: ImportBatchSizes = { stageRows: 5_000, mergeLines: 20_000 };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PARSE_FEED) private readonly parse: ParseFeed,
  ) {}

  /**
   * Runs the job to its end, or answers 'busy' at once when another run holds its feed. A failure
   * of the file itself (unreadable, wrong format) marks the job FAILED with its message.
   */
  async run(jobId: string): Promise<RunOutcome> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as pg.PoolClient;
    let locked = false;
    let feed: string | undefined;
    try {
      const job = await this.job(client, jobId);
      if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') return 'finished';
      feed = job.feed;
      const { rows } = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext('mitroa.import'), hashtext($1)) AS ok`,
        [feed],
      );
      locked = rows[0]!.ok;
      if (!locked) return 'busy';
      try {
        await this.runLocked(client, jobId);
      } catch (error) {
        this.log.error(`import ${jobId} failed: ${describeError(error)}`);
        await this.fail(client, jobId, error);
      }
      return 'finished';
    } finally {
      if (locked)
        await client
          .query(`SELECT pg_advisory_unlock(hashtext('mitroa.import'), hashtext($1))`, [feed])
          .catch(() => undefined);
      runner.release();
    }
  }

  private async runLocked(client: pg.PoolClient, jobId: string): Promise<void> {
    let job = (await this.job(client, jobId))!;
    if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return;
    const feed = pipelineOf(job.feed);
    await this.tx(client, async () => {
      // An unlogged table is emptied by a crash of PostgreSQL itself: stage the file again.
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${feed.table} WHERE job_id = $1`,
        [jobId],
      );
      if (rows[0]!.n !== job.rows_staged) {
        await client.query(`DELETE FROM ${feed.table} WHERE job_id = $1`, [jobId]);
        await client.query(`DELETE FROM import_row_problem WHERE job_id = $1`, [jobId]);
        await client.query(
          `UPDATE import_job SET rows_staged = 0, staged_line = 0, phase = 'STAGE' WHERE id = $1`,
          [jobId],
        );
      }
      await client.query(
        `UPDATE import_job SET status = 'RUNNING', started_at = coalesce(started_at, now()), attempts = attempts + 1
          WHERE id = $1`,
        [jobId],
      );
    });
    job = (await this.job(client, jobId))!;
    if (job.attempts === 1) await this.tx(client, async () => undefined, [jobEntry(job, 'import.start')]);

    if (job.phase === 'STAGE') {
      await this.stage(client, job, feed);
      job = (await this.job(client, jobId))!;
    }
    if (job.phase === 'VALIDATE') {
      await this.tx(client, async () => {
        // Fresh statistics of the staged rows: the joins of validation and merge are planned on them.
        await client.query(`ANALYZE ${feed.table}`);
        for (const sql of feed.validation) await client.query(sql, [jobId]);
        await client.query(feed.counts, [jobId]);
      });
      job = (await this.job(client, jobId))!;
    }
    if (job.phase === 'MERGE') {
      if (job.dry_run) await this.preview(client, job, feed);
      else await this.merge(client, job, feed);
      job = (await this.job(client, jobId))!;
    }
    await this.tx(client, async () => {
      await client.query(`DELETE FROM ${feed.table} WHERE job_id = $1`, [jobId]);
      await client.query(
        `UPDATE import_job SET status = 'SUCCEEDED', phase = 'DONE', rows_done = rows_read, finished_at = now()
            WHERE id = $1`,
        [jobId],
      );
      await client.query(NOTIFY_IMPORT, [job.feed]);
    }, [jobEntry({ ...job, status: 'SUCCEEDED' }, 'import.finish')]);
  }

  private async stage(client: pg.PoolClient, job: ImportJobRow, feed: FeedPipeline): Promise<void> {
    const parsed = await this.parse(this.storedFile(job.id), {
      feed: job.feed,
      format: job.format ?? undefined,
      encoding: job.encoding ?? undefined,
      batchSize: Math.min(this.batch.stageRows, PARSE_BATCH_ROWS),
    });
    await this.tx(client, async () => {
      await client.query(`UPDATE import_job SET format = $2, encoding = $3 WHERE id = $1`, [
        job.id,
        parsed.format,
        parsed.encoding,
      ]);
    });
    const rows = new StagedRows(parsed.batches[Symbol.asyncIterator](), job.staged_line);
    try {
      while ((await this.stageRows(client, job.id, feed, rows)) > 0);
    } finally {
      await rows.close();
    }
    await this.tx(client, async () => {
      await client.query(`UPDATE import_job SET phase = 'VALIDATE' WHERE id = $1`, [job.id]);
    });
  }

  /**
   * COPYs the next `batch.stageRows` rows into staging as the reader gives them (the file is parsed
   * while PostgreSQL takes the rows before), then their problems and the staging checkpoint, in one
   * transaction. Returns the rows staged (0 at the end of the file).
   */
  private async stageRows(
    client: pg.PoolClient,
    jobId: string,
    feed: FeedPipeline,
    rows: StagedRows,
  ): Promise<number> {
    const limit = this.batch.stageRows;
    // The batch being written; dropped as soon as its text is, so that no batch (the first one
    // included) lives for the whole transaction and is promoted to V8's old generation.
    let batch = await rows.next(limit);
    if (!batch) return 0;
    let count = 0;
    let last = 0;
    const problems: RowProblem[] = [];
    async function* copyText(): AsyncGenerator<string> {
      while (batch) {
        for (const row of batch) if (row.problems.length) problems.push(...row.problems);
        count += batch.length;
        last = batch[batch.length - 1]!.line;
        yield* copyChunks(jobId, feed.columns, batch);
        batch = undefined;
        if (count < limit) batch = await rows.next(limit - count);
      }
    }
    await this.tx(client, async () => {
      // One chunk of COPY text read ahead (not Readable.from's default of 16), while the socket takes one.
      await pipeline(
        Readable.from(copyText(), { highWaterMark: 1 }),
        client.query(copyFrom(copyIntoStaging(feed))),
      );
      if (problems.length)
        await client.query(INSERT_PROBLEMS, [
          jobId,
          problems.map((p) => p.line),
          problems.map((p) => p.field),
          problems.map((p) => p.code),
          problems.map((p) => p.message.slice(0, 500)),
        ]);
      await client.query(
        `UPDATE import_job SET rows_staged = rows_staged + $2, rows_read = rows_staged + $2, staged_line = $3,
                rows_total = greatest(rows_total, rows_staged + $2)
          WHERE id = $1`,
        [jobId, count, last],
      );
    });
    return count;
  }

  private async merge(client: pg.PoolClient, job: ImportJobRow, feed: FeedPipeline): Promise<void> {
    const sql = feed.merge;
    let from = job.checkpoint;
    // rows_done: the staged rows up to the checkpoint, merged or found bad.
    while (from < job.staged_line) {
      const to = Math.min(from + this.batch.mergeLines, job.staged_line);
      let counts = { created: 0, updated: 0, unchanged: 0 };
      await this.tx(
        client,
        async () => {
          await client.query(HASH_JOINS);
          const { rows } = await client.query<typeof counts>(sql, [
            job.id,
            from,
            to,
            job.feed,
            job.created_by,
          ]);
          counts = rows[0]!;
          await client.query(
            `UPDATE import_job SET rows_created = rows_created + $2, rows_updated = rows_updated + $3,
                    rows_unchanged = rows_unchanged + $4, checkpoint = $5,
                    rows_done = (SELECT count(*) FROM ${feed.table} WHERE job_id = $1 AND line <= $5)
              WHERE id = $1`,
            [job.id, counts.created, counts.updated, counts.unchanged, to],
          );
        },
        () => [
          {
            action: 'import.batch',
            subjectType: 'import_job',
            subjectId: job.id,
            outcome: 'allowed',
            reason: `${job.feed} lines ${from + 1}-${to}: created ${counts.created}, updated ${counts.updated}, unchanged ${counts.unchanged}`,
          },
        ],
      );
      from = to;
    }
  }

  private async preview(client: pg.PoolClient, job: ImportJobRow, feed: FeedPipeline): Promise<void> {
    await this.tx(client, async () => {
      await client.query(HASH_JOINS);
      const { rows } = await client.query<{
        created: number;
        updated: number;
        unchanged: number;
        samples: ImportPreview['samples'];
      }>(feed.preview, [job.id, 0, job.staged_line, job.feed]);
      const p = rows[0]!;
      await client.query(
        `UPDATE import_job SET rows_created = $2, rows_updated = $3, rows_unchanged = $4, checkpoint = $5,
                preview = $6 WHERE id = $1`,
        [job.id, p.created, p.updated, p.unchanged, job.staged_line, { samples: p.samples }],
      );
    });
  }

  private async fail(client: pg.PoolClient, jobId: string, error: unknown): Promise<void> {
    const job = await this.job(client, jobId);
    if (!job) return;
    const message = describeError(error).slice(0, 2000);
    await this.tx(client, async () => {
      await client.query(`DELETE FROM ${pipelineOf(job.feed).table} WHERE job_id = $1`, [jobId]);
      await client.query(
        `UPDATE import_job SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1`,
        [jobId, message],
      );
      await client.query(NOTIFY_IMPORT, [job.feed]);
    }, [{ ...jobEntry({ ...job, status: 'FAILED' }, 'import.finish'), reason: `FAILED: ${message}` }]).catch(
      (e: unknown) => this.log.error(`import ${jobId}: could not record the failure: ${describeError(e)}`),
    );
  }

  private async job(client: pg.PoolClient, jobId: string): Promise<ImportJobRow | undefined> {
    const { rows } = await client.query<ImportJobRow>(JOB_BY_ID, [jobId]);
    return rows[0];
  }

  /**
   * One transaction, nationally scoped (imports are national), with the audit rows written in it;
   * `audit` may be a function, read after the work (its counts). It runs as the service's own
   * database user, not the request role: the job COPYs into staging tables that no request role may
   * read, and PostgreSQL refuses COPY FROM under row-level security.
   */
  private async tx(
    client: pg.PoolClient,
    work: () => Promise<void>,
    audit: AuditEntry[] | (() => AuditEntry[]) = [],
  ): Promise<void> {
    await client.query(`BEGIN; SELECT set_config('mitroa.area', '*', true)`);
    try {
      await work();
      const ctx = new RequestContext(randomUUID(), systemActor('import'));
      for (const entry of typeof audit === 'function' ? audit() : audit) ctx.audit(entry);
      const insert = auditInsertSql(ctx);
      if (insert) await client.query(insert);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** The stored file, read chunk by chunk on the pool (the job's own connection is busy COPYing). */
  storedFile(jobId: string): Readable {
    let seq = 0;
    const ds = this.dataSource;
    return new Readable({
      read() {
        ds.query<Array<{ bytes: Buffer }>>(READ_CHUNK, [jobId, seq++]).then(
          (rows) => this.push(rows.length ? rows[0]!.bytes : null),
          (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
  }
}

function jobEntry(job: ImportJobRow, action: string): AuditEntry {
  return {
    action,
    subjectType: 'import_job',
    subjectId: job.id,
    outcome: 'allowed',
    reason:
      `${job.feed}${job.dry_run ? ' dry run' : ''} ${job.status}: read ${job.rows_read}, created ${job.rows_created}, ` +
      `updated ${job.rows_updated}, unchanged ${job.rows_unchanged}, unmatched ${job.rows_unmatched}, rejected ${job.rows_rejected}`,
  };
}

/**
 * The parsed rows after the staging checkpoint (a resumed run skips the lines staged before), handed
 * out in runs of at most a given number: a batch of the reader that straddles two transactions is
 * split between them.
 */
class StagedRows {
  private carry: FeedRow[] = [];

  constructor(
    private readonly batches: AsyncIterator<FeedRow[]>,
    private readonly after: number,
  ) {}

  /** Up to `max` rows, in file order; undefined at the end of the file. */
  async next(max: number): Promise<FeedRow[] | undefined> {
    while (this.carry.length === 0) {
      const next = await this.batches.next();
      if (next.done) return undefined;
      this.carry =
        next.value[next.value.length - 1]!.line > this.after
          ? next.value.filter((r) => r.line > this.after)
          : [];
    }
    const rows = this.carry.length <= max ? this.carry : this.carry.slice(0, max);
    this.carry = this.carry.length <= max ? [] : this.carry.slice(max);
    return rows;
  }

  /** Stops the reader (and the stored file's stream under it). */
  async close(): Promise<void> {
    await this.batches.return?.(undefined);
  }
}

/**
 * Bytes of COPY text per chunk written to the connection: one socket write per chunk, not per row.
 * Well under V8's large-object size (128 KB; a string of Greek text takes 2 bytes a character), so
 * that a chunk is young garbage once written, not a large object that only a full collection frees.
 */
const COPY_CHUNK_CHARS = 32 * 1024;

/**
 * The staged rows in COPY's text format (job, line, rejected, group_end, the feed's columns), in
 * chunks of about COPY_CHUNK_CHARS: a string per row would be a CopyData message and a socket write
 * per row, which cost more than the COPY itself.
 */
function* copyChunks(jobId: string, columns: readonly string[], rows: readonly FeedRow[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = `${jobId}\t${row.line}\t${row.problems.length > 0 ? 't' : 'f'}\t${row.line}`;
    for (const column of columns) line += '\t' + copyText(row.values[column] ?? null);
    chunk += line + '\n';
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** A value in COPY's text format: \N for null, the four special characters escaped. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
