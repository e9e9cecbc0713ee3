import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { coversMunicipality } from '../auth/area-scope.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  canSeeSpecialCategory,
  SPECIAL_CATEGORY_FACT_KINDS,
  SPECIAL_CATEGORY_LIST_VALUES,
} from '../auth/special-category.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  toConnection,
  type ConnectionShape,
  type PageArgs,
} from '../common/pagination.js';
import { isUuid } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import { FACT_CATALOGUE, type FactName } from '../eligibility/contracts.js';
import { FeedKind, type FeedEncoding, type FeedFormat } from './contracts.js';
import type { ImportJobRow, ImportPreview } from './import-runner.js';
import { ImportError, ImportErrorCode } from './imports.errors.js';
import { ImportPhase, ImportStatus, type ImportJobView } from './imports.model.js';
import {
  DELETE_CHUNKS,
  INSERT_CHUNK,
  INSERT_DUPLICATE_JOB,
  INSERT_JOB,
  JOB_BY_ID,
  LIST_JOBS,
  NOTIFY_IMPORT,
  ORIGINAL_OF_FILE,
} from './imports.queries.js';

/**
 * The stored file is written in chunks of this size while the upload streams in. Small enough that
 * a chunk read back (as hex text, twice its size) is an ordinary young string in V8, not a large
 * object left in the old generation until a full collection: at 1 MB, these made the old generation
 * grow by 2 MB per megabyte staged (docs/imports.md, "Memory").
 */
const CHUNK_BYTES = 32 * 1024;

export interface ImportRequest {
  feed: FeedKind;
  fileName: string;
  dryRun: boolean;
  format?: FeedFormat;
  encoding?: FeedEncoding;
  /** REGISTRY only, and required: the municipalities (a centre's area) the records are loaded for. */
  area?: string[];
}

/**
 * Import jobs as callers see them (REST, GraphQL, the CLI): a file received and queued, the list,
 * one job's progress and its problems. Running a job is ImportRunner's, in the job worker. Only
 * import operators and national administrators (import:run), who act for the whole country.
 */
@Injectable()
export class ImportsService {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  /**
   * Stores the file as it streams in (chunks in PostgreSQL, hashed and counted on the way) and
   * queues its job; workers are woken at commit. A file over IMPORT_MAX_BYTES is refused with 413
   * and nothing is kept. The same file of the same feed imported before (and not failed) makes a
   * job that is already done, changes nothing and names the first (`duplicateOf`); a dry run is
   * always run.
   */
  async create(
    ctx: RequestContext,
    input: ImportRequest,
    file: AsyncIterable<Buffer>,
  ): Promise<ImportJobView> {
    ctx.require(Permission.IMPORT_RUN, 'import.create', { type: 'import_job' });
    const area = await this.areaOf(ctx, input);
    const id = randomUUID();
    const hash = createHash('sha256');
    let size = 0;
    let newlines = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    /** Stores whole chunks of what is pending (and, at the end, the rest). */
    const flush = async (end: boolean) => {
      if (pendingBytes === 0) return;
      let bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      while (bytes.length >= CHUNK_BYTES || (end && bytes.length > 0)) {
        await ctx.em.query(INSERT_CHUNK, [id, seq++, bytes.subarray(0, CHUNK_BYTES)]);
        bytes = bytes.subarray(CHUNK_BYTES);
      }
      pending = bytes.length > 0 ? [bytes] : [];
      pendingBytes = bytes.length;
    };
    let last = 0x0a;
    for await (const chunk of file) {
      size += chunk.length;
      if (size > this.config.IMPORT_MAX_BYTES) throw tooLarge(this.config.IMPORT_MAX_BYTES);
      hash.update(chunk);
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) newlines++;
      last = chunk[chunk.length - 1] ?? last;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) await flush(false);
    }
    await flush(true);
    if (size === 0)
      throw new ImportError(ImportErrorCode.EMPTY_FILE, 'The file is empty.', [
        { field: 'file', reason: 'empty' },
      ]);
    const sha256 = hash.digest('hex');
    // Lines; a header line, if any, is counted too: an estimate until the job has read the file.
    const estimate = newlines + (last === 0x0a ? 0 : 1);
    const fileName = input.fileName.slice(0, 255) || 'upload';
    let [row] = await ctx.em.query<ImportJobRow[]>(INSERT_JOB, [
      id,
      input.feed,
      fileName,
      sha256,
      size,
      input.format ?? null,
      input.encoding ?? null,
      input.dryRun,
      estimate,
      ctx.actor.id,
      area,
    ]);
    if (!row && !input.dryRun) {
      // Imported before (or being imported): keep nothing of this upload but its record.
      const [original] = await ctx.em.query<Array<{ id: string }>>(ORIGINAL_OF_FILE, [input.feed, sha256]);
      await ctx.em.query(DELETE_CHUNKS, [id]);
      [row] = await ctx.em.query<ImportJobRow[]>(INSERT_DUPLICATE_JOB, [
        id,
        input.feed,
        fileName,
        sha256,
        size,
        input.format ?? null,
        input.encoding ?? null,
        ctx.actor.id,
        original!.id,
      ]);
    }
    if (row!.status === 'QUEUED') await ctx.em.query(NOTIFY_IMPORT, [input.feed]);
    ctx.audit({
      action: 'import.create',
      subjectType: 'import_job',
      subjectId: id,
      outcome: 'allowed',
      reason: `${input.feed}${input.dryRun ? ' dry run' : ''}${area ? ` for ${area.join(',')}` : ''}, ${size} bytes${row!.duplicate_of ? `, same file as ${row!.duplicate_of}` : ''}`,
    });
    return jobView(ctx, row!);
  }

  /** Import jobs, newest first. */
  async list(
    ctx: RequestContext,
    args: PageArgs & { feed?: FeedKind },
  ): Promise<ConnectionShape<ImportJobView>> {
    ctx.require(Permission.IMPORT_RUN, 'import.list', { type: 'import_job' });
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const after = args.after ? decodeCursor(args.after, ['timestamp', 'uuid']) : undefined;
    const rows = await ctx.em.query<ImportJobRow[]>(LIST_JOBS, [
      args.feed ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit + 1,
    ]);
    const [{ n }] = await ctx.em.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM import_job WHERE $1::text IS NULL OR feed = $1`,
      [args.feed ?? null],
    );
    return toConnection(
      rows,
      limit,
      n,
      (r) => [r.created_at.toISOString(), r.id],
      !!after,
      (r) => auditedJobView(ctx, r),
    );
  }

  async get(ctx: RequestContext, id: string): Promise<ImportJobView> {
    ctx.require(Permission.IMPORT_RUN, 'import.read', { type: 'import_job', id });
    return auditedJobView(ctx, await this.row(ctx, id));
  }

  /**
   * The job's row problems as CSV (line, field, code, message), in line order, streamed from the
   * database with COPY on the request's own connection. Empty (the header) once purged.
   */
  async writeProblemsCsv(
    ctx: RequestContext,
    id: string,
    out: Writable,
    beforeFirstByte: () => void = () => undefined,
  ): Promise<void> {
    ctx.require(Permission.IMPORT_RUN, 'import.problems', { type: 'import_job', id });
    await this.row(ctx, id);
    ctx.audit({ action: 'import.problems', subjectType: 'import_job', subjectId: id, outcome: 'allowed' });
    beforeFirstByte();
    const client = (ctx.em.queryRunner as unknown as { databaseConnection: pg.PoolClient })
      .databaseConnection;
    // The id is a validated UUID (row() found it): a literal is safe, and COPY takes no parameters.
    const copy = client.query(
      copyTo(
        `COPY (SELECT line, field, code, message FROM import_row_problem WHERE job_id = '${id}' ORDER BY line, id)
           TO STDOUT WITH (FORMAT csv, HEADER)`,
      ),
    );
    await pipeline(copy, out, { end: false });
  }

  /**
   * The area of a REGISTRY import: the municipalities whose people it loads (its rows must name one
   * of them, and it changes no one registered elsewhere). Required for REGISTRY, refused for the
   * fact feeds (national); every code must exist and be within the caller's own area.
   */
  private async areaOf(ctx: RequestContext, input: ImportRequest): Promise<string[] | null> {
    const codes = [...new Set(input.area ?? [])];
    if (input.feed !== FeedKind.REGISTRY) {
      if (codes.length === 0) return null;
      throw new ImportError(
        ImportErrorCode.BAD_AREA,
        `Only a REGISTRY import is for an area; the ${input.feed} feed is national: leave out municipalities.`,
        [{ field: 'municipalities', reason: 'only for the REGISTRY feed' }],
      );
    }
    if (codes.length === 0)
      throw new ImportError(
        ImportErrorCode.BAD_AREA,
        'A REGISTRY import loads the records of an area: give municipalities, the codes of its municipalities.',
        [{ field: 'municipalities', reason: 'required for the REGISTRY feed' }],
      );
    const known = await ctx.em.query<Array<{ code: string }>>(
      `SELECT code FROM municipality WHERE code = ANY($1::text[])`,
      [codes],
    );
    const unknown = codes.filter((c) => !known.some((k) => k.code === c));
    if (unknown.length)
      throw new ImportError(ImportErrorCode.BAD_AREA, `No municipality has the code ${unknown.join(', ')}.`, [
        { field: 'municipalities', reason: 'unknown municipality' },
      ]);
    const outside = codes.filter((c) => !coversMunicipality(ctx.actor.scope, c));
    if (outside.length)
      throw new ImportError(
        ImportErrorCode.BAD_AREA,
        `You may import only for the municipalities of your area; ${outside.join(', ')} is not one of them.`,
        [{ field: 'municipalities', reason: 'outside your area' }],
      );
    return codes.sort();
  }

  private async row(ctx: RequestContext, id: string): Promise<ImportJobRow> {
    if (!isUuid(id)) throw new NotFoundError('import job', id);
    const [row] = await ctx.em.query<ImportJobRow[]>(JOB_BY_ID, [id]);
    if (!row) {
      ctx.audit({
        action: 'import.read',
        subjectType: 'import_job',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found',
      });
      throw new NotFoundError('import job', id);
    }
    return row;
  }
}

function tooLarge(max: number): ImportError {
  return new ImportError(
    ImportErrorCode.FILE_TOO_LARGE,
    `The file is larger than the limit of ${max} bytes (IMPORT_MAX_BYTES): split it, or ask for a higher limit.`,
    [{ field: 'file', reason: `over ${max} bytes` }],
  );
}

/**
 * The job, with an audit row when its dry-run samples show values the registry holds (CHANGED: the
 * value as it is), since those are people's data read by line of a file that names them.
 */
function auditedJobView(ctx: RequestContext, r: ImportJobRow): ImportJobView {
  const view = jobView(ctx, r);
  const held = view.previewSamples.filter((s) => s.change === 'CHANGED').length;
  if (held > 0)
    ctx.audit({
      action: 'import.preview.read',
      subjectType: 'import_job',
      subjectId: r.id,
      outcome: 'allowed',
      reason: `${held} registry value${held === 1 ? '' : 's'} in the dry run's samples`,
    });
  return view;
}

export function jobView(ctx: RequestContext, r: ImportJobRow): ImportJobView {
  const samples = visibleSamples(ctx, r.preview?.samples ?? []);
  const total = r.rows_total ?? 0;
  const done = r.status === 'SUCCEEDED' ? 2 * total : r.rows_staged + r.rows_done;
  const progress = r.status === 'SUCCEEDED' ? 1 : total > 0 ? Math.min(1, done / (2 * total)) : 0;
  const seconds = r.started_at
    ? ((r.finished_at ?? new Date()).getTime() - r.started_at.getTime()) / 1000
    : 0;
  const rate = seconds > 0 && done > 0 ? done / 2 / seconds : null;
  const eta =
    r.status === 'SUCCEEDED' || r.status === 'FAILED'
      ? 0
      : rate && total > 0
        ? Math.max(0, (2 * total - done) / 2 / rate)
        : null;
  return {
    id: r.id,
    feed: r.feed,
    fileName: r.file_name,
    sha256: r.sha256,
    byteSize: Number(r.byte_size),
    format: r.format,
    encoding: r.encoding,
    dryRun: r.dry_run,
    status: r.status as ImportStatus,
    phase: r.phase as ImportPhase,
    rowsRead: r.rows_read,
    rowsCreated: r.rows_created,
    rowsUpdated: r.rows_updated,
    rowsUnchanged: r.rows_unchanged,
    rowsUnmatched: r.rows_unmatched,
    rowsRejected: r.rows_rejected,
    rowsStaged: r.rows_staged,
    rowsDone: r.rows_done,
    rowsTotal: r.rows_total,
    progress,
    rowsPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: eta === null ? null : Math.round(eta),
    checkpoint: r.checkpoint,
    duplicateOf: r.duplicate_of,
    area: r.area,
    previewSamples: samples.shown,
    previewSamplesWithheld: samples.withheld,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

/**
 * A dry run's samples as this caller may see them. Without the special_category permission a
 * sample of a special-category fact (a KEPA disability percentage) is left out, and so is a list
 * sample holding a special code (OPEKA's DISABILITY allowance in benefits_received), as in every
 * other read of facts (src/auth/special-category.ts); the job says how many were left out.
 */
function visibleSamples(
  ctx: RequestContext,
  samples: ImportPreview['samples'],
): { shown: ImportPreview['samples']; withheld: number } {
  if (canSeeSpecialCategory(ctx)) return { shown: samples, withheld: 0 };
  const special = (value: string | null) =>
    value !== null && value.split(',').some((code) => SPECIAL_CATEGORY_LIST_VALUES.includes(code));
  const shown = samples.filter(
    (s) =>
      !SPECIAL_CATEGORY_FACT_KINDS.includes(s.fact) &&
      !(FACT_CATALOGUE[s.fact as FactName]?.type === 'list' && (special(s.oldValue) || special(s.newValue))),
  );
  return { shown, withheld: samples.length - shown.length };
}
