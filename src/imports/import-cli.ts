import cliProgress from 'cli-progress';
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { systemActor } from '../auth/actor.js';
import { RequestContext } from '../auth/request-context.js';
import { TransactionService } from '../database/transaction.service.js';
import { FeedEncoding, FeedFormat, FeedKind } from './contracts.js';
import { ImportRunner } from './import-runner.js';
import type { ImportJobView } from './imports.model.js';
import { ImportsService } from './imports.service.js';

export interface ImportCommand {
  feed?: string;
  file?: string;
  dryRun?: boolean;
  encoding?: string;
  format?: string;
  /** Only queue the job for the workers (`npm run worker`), do not run it here. */
  queue?: boolean;
  /** REGISTRY: the municipalities the records are for, comma-separated codes. */
  municipalities?: string;
}

/** Why the command line refused its options (exit status 64). */
export class ImportUsageError extends Error {
  override name = 'ImportUsageError';
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  values: Record<string, T>,
): T | undefined {
  if (value === undefined) return undefined;
  const found = Object.values(values).find((v) => v.toUpperCase() === value.toUpperCase());
  if (!found) throw new ImportUsageError(`--${name} must be one of: ${Object.values(values).join(', ')}`);
  return found;
}

/**
 * `npm run cli -- import --feed taxis --file path [--dry-run] [--encoding ..] [--format ..] [--queue]
 * [--municipalities 4912,4904]` (REGISTRY: the area its records are for):
 * stores the file and queues its job as an upload would (as the service itself, for the whole
 * country), then runs it here with a progress bar, or, when a worker already runs it (or with
 * --queue), follows it. Prints the counts; answers 0 when the job succeeded.
 */
export async function runImportCommand(
  app: INestApplication,
  options: ImportCommand,
  out: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const feed = oneOf('feed', options.feed, FeedKind);
  if (!feed || !options.file) throw new ImportUsageError('--feed and --file are required');
  const encoding = oneOf('encoding', options.encoding, FeedEncoding);
  const format = oneOf('format', options.format, FeedFormat);
  try {
    if (!statSync(options.file).isFile()) throw new Error('not a file');
  } catch {
    throw new ImportUsageError(`--file ${options.file}: no such file`);
  }
  const ctx = new RequestContext(randomUUID(), systemActor('cli-import'));
  const imports = app.get(ImportsService);
  const created = await app.get(TransactionService).run(ctx, () =>
    imports.create(
      ctx,
      {
        feed,
        fileName: basename(options.file!),
        dryRun: !!options.dryRun,
        encoding,
        format,
        area: options.municipalities?.split(',').map((c) => c.trim()),
      },
      createReadStream(options.file!),
    ),
  );
  out.write(`import ${created.id} (${feed}${created.dryRun ? ', dry run' : ''}) queued\n`);
  if (created.duplicateOf) {
    out.write(`the same file was imported by ${created.duplicateOf}: nothing to do\n`);
    return 0;
  }
  if (options.queue) return 0;

  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      stream: out,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { phase: 'QUEUED', rows: 0, rate: 0 });
  const read = () => {
    const c = new RequestContext(randomUUID(), systemActor('cli-import'));
    return app.get(TransactionService).run(c, () => imports.get(c, created.id));
  };
  const show = (job: ImportJobView) =>
    bar.update(Math.round(job.progress * 1000), {
      phase: job.phase.padEnd(8),
      rows: job.rowsRead,
      rate: job.rowsPerSecond ?? 0,
    });
  let running = true;
  const poll = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (running) show(await read().catch(() => created));
    }
  })();
  let job: ImportJobView;
  try {
    await app.get(ImportRunner).run(created.id);
    // 'busy': a worker runs this feed's imports; follow this one until it is done.
    for (job = await read(); job.status === 'QUEUED' || job.status === 'RUNNING'; job = await read())
      await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    running = false;
    await poll;
  }
  show(job);
  bar.stop();
  out.write(summary(job));
  return job.status === 'SUCCEEDED' ? 0 : 1;
}

export function summary(job: ImportJobView): string {
  const lines = [
    `${job.status}${job.dryRun ? ' (dry run: nothing written)' : ''}: ${job.rowsRead} rows read`,
    `  ${job.dryRun ? 'would create' : 'created'}   ${job.rowsCreated}`,
    `  ${job.dryRun ? 'would update' : 'updated'}   ${job.rowsUpdated}`,
    `  unchanged ${job.rowsUnchanged}`,
    `  unmatched ${job.rowsUnmatched}`,
    `  rejected  ${job.rowsRejected}`,
  ];
  if (job.error) lines.push(`error: ${job.error}`);
  for (const s of job.previewSamples)
    lines.push(
      `  line ${s.line}: ${s.fact} ${s.change === 'NEW' ? 'new' : `${s.oldValue} ->`} ${s.newValue}`,
    );
  if (job.previewSamplesWithheld > 0)
    lines.push(`  ${job.previewSamplesWithheld} samples of special-category facts withheld`);
  if (job.rowsUnmatched + job.rowsRejected > 0)
    lines.push(`problems: GET /api/v1/imports/${job.id}/problems.csv`);
  return lines.join('\n') + '\n';
}
