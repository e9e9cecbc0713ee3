import { FeedKind } from './contracts.js';
import { FACT_FEEDS } from './fact-feeds.js';
import { mergeSql, previewSql, validationCounts, validationStatements } from './imports.queries.js';
import {
  REGISTRY_COLUMNS,
  REGISTRY_COUNTS,
  REGISTRY_MERGE,
  REGISTRY_PREVIEW,
  REGISTRY_TABLE,
  REGISTRY_VALIDATION,
} from './registry-merge.js';

/**
 * What ImportRunner needs of a feed: where its rows are staged, and the SQL of its validation,
 * counts, merge of a range of lines and dry run. The fact feeds build theirs from their FactFeed
 * definition (imports.queries.ts); the REGISTRY feed has its own (registry-merge.ts).
 */
export interface FeedPipeline {
  feed: FeedKind;
  table: string;
  columns: readonly string[];
  /** Run in order in one transaction, each with $1 = job id. */
  validation: readonly string[];
  /** Sets the job's rejected/unmatched counts and moves it to MERGE ($1 = job id). */
  counts: string;
  /** $1 job, $2 < line <= $3, $4 source, $5 recorded by: one row with created, updated, unchanged. */
  merge: string;
  /** $1 job, $2 = 0, $3 = last line, $4 source: one row with created, updated, unchanged, samples. */
  preview: string;
}

export function pipelineOf(kind: FeedKind): FeedPipeline {
  if (kind === FeedKind.REGISTRY)
    return {
      feed: kind,
      table: REGISTRY_TABLE,
      columns: REGISTRY_COLUMNS,
      validation: REGISTRY_VALIDATION,
      counts: REGISTRY_COUNTS,
      merge: REGISTRY_MERGE,
      preview: REGISTRY_PREVIEW,
    };
  const feed = FACT_FEEDS[kind];
  if (!feed) throw new Error(`the ${String(kind)} feed is not imported by this pipeline`);
  return {
    feed: kind,
    table: feed.table,
    columns: feed.columns,
    validation: validationStatements(feed),
    counts: validationCounts(feed),
    merge: mergeSql(feed),
    preview: previewSql(feed),
  };
}
