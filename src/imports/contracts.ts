/**
 * The vocabulary shared by the parts of the feed-import module (issue 13): what a feed is, what a
 * parsed row looks like and how a bad row is reported. The format readers (src/imports/formats/),
 * the pipeline (staging, validation, merge, jobs: src/imports/) and the registry feed's set-based
 * writer (src/imports/registry/) all speak these types, so each can be built and tested on its own.
 */
import type { Readable } from 'node:stream';

/** The bodies whose files we import (docs/imports.md describes each). */
export enum FeedKind {
  /** Tax administration (ΑΑΔΕ / TAXIS): declared household income, assets. Keyed by AFM. */
  TAXIS = 'TAXIS',
  /** e-ΕΦΚΑ insurance fund: insured, employment status, pension. Keyed by AMKA. */
  EFKA = 'EFKA',
  /** ΟΠΕΚΑ welfare benefits paid. Keyed by AMKA or AFM. */
  OPEKA = 'OPEKA',
  /** ΚΕΠΑ disability certification. Keyed by AMKA. */
  KEPA = 'KEPA',
  /** ΔΥΠΑ employment service: registered unemployed. Keyed by AMKA. */
  DYPA = 'DYPA',
  /** A centre's existing records (initial load): creates and updates people themselves. */
  REGISTRY = 'REGISTRY',
}

export enum FeedFormat {
  /** A header line, then `;` or `,` separated fields; decimal comma; dates DD/MM/YYYY. */
  CSV = 'CSV',
  /** TAXIS only: fixed-width records, no header (layout in docs/imports.md). */
  FIXED_WIDTH = 'FIXED_WIDTH',
  /** One JSON object per line; numbers as JSON numbers or strings, dates ISO or DD/MM/YYYY. */
  JSONL = 'JSONL',
}

export enum FeedEncoding {
  UTF8 = 'UTF-8',
  WINDOWS_1253 = 'WINDOWS-1253',
  ISO_8859_7 = 'ISO-8859-7',
}

export type FeedFieldType =
  | 'afm'
  | 'amka'
  | 'text'
  | 'date'
  | 'decimal'
  | 'integer'
  | 'boolean'
  /** One of a closed list of codes (`codes`). */
  | 'code'
  /** A Kallikratis municipality code (4 digits), checked against the geography in SQL. */
  | 'municipality';

export interface FeedField {
  /** Canonical name: the staging column and the key of `FeedRow.values`. */
  name: string;
  type: FeedFieldType;
  required: boolean;
  /** Header names accepted in CSV (case- and accent-insensitive), the canonical name first. */
  headers: string[];
  /** For `code`: the accepted values (canonical, upper case). */
  codes?: readonly string[];
  /** For numbers: inclusive bounds. */
  min?: number;
  max?: number;
}

export interface FeedDefinition {
  kind: FeedKind;
  /** Formats this feed may come in. */
  formats: readonly FeedFormat[];
  fields: readonly FeedField[];
  /**
   * The fields that identify the person; a row needs at least one of them (OPEKA: AMKA or AFM).
   * REGISTRY rows may have none (then they are matched by name and birth date, as a registration).
   */
  personKeys: readonly ('afm' | 'amka')[];
}

/** Why a row (or one of its fields) was refused. Stable codes: clients and the bad-rows CSV show them. */
export enum RowProblemCode {
  /** The line could not be split into fields (quotes, wrong field count, bad JSON, short record). */
  MALFORMED_ROW = 'MALFORMED_ROW',
  MISSING_FIELD = 'MISSING_FIELD',
  BAD_DATE = 'BAD_DATE',
  BAD_NUMBER = 'BAD_NUMBER',
  /** AFM or AMKA with a wrong length, non-digits or a failed check digit. */
  BAD_IDENTIFIER = 'BAD_IDENTIFIER',
  UNKNOWN_CODE = 'UNKNOWN_CODE',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  /** Valid row whose AFM/AMKA names nobody in the registry (listed, never silently dropped). */
  UNMATCHED = 'UNMATCHED',
  /** The same person and period twice in one file: the later line wins, the earlier is reported. */
  DUPLICATE_IN_FILE = 'DUPLICATE_IN_FILE',
  /** A REGISTRY row that looks like a person already known without sharing an identifier. */
  LIKELY_DUPLICATE = 'LIKELY_DUPLICATE',
  /** REGISTRY: a municipality (or a person's) outside the area the import is for. */
  OUTSIDE_AREA = 'OUTSIDE_AREA',
  /** REGISTRY: the AFM and AMKA name two people, or the person named has another AFM/AMKA. */
  IDENTIFIER_CONFLICT = 'IDENTIFIER_CONFLICT',
  /** REGISTRY: the person named is closed; an import does not change a closed record. */
  PERSON_CLOSED = 'PERSON_CLOSED',
}

export interface RowProblem {
  /** 1-based physical line of the file (CSV: the header is line 1; a quoted field may span lines: the row's first line). */
  line: number;
  /** Canonical field name, or null for the whole row. */
  field: string | null;
  code: RowProblemCode;
  /** For a person: says what is wrong and what would be right. Never echoes a whole identifier. */
  message: string;
}

/** One data row after parsing and field checks. */
export interface FeedRow {
  line: number;
  /**
   * Canonical text of each field of the feed: trimmed, decoded, decimals with '.', dates ISO
   * YYYY-MM-DD, booleans 'true'/'false', codes upper case; null when empty or when the field has a problem.
   */
  values: Record<string, string | null>;
  /** Empty for a good row. A row with any problem is not merged. */
  problems: RowProblem[];
}

export interface ParseOptions {
  feed: FeedKind;
  /** Default: detected (JSONL when the first non-blank byte is '{', fixed width when TAXIS and no delimiter, else CSV). */
  format?: FeedFormat;
  /** Default: detected (valid UTF-8, else windows-1253 vs ISO-8859-7 by their differing bytes). */
  encoding?: FeedEncoding;
  /** CSV only; default detected from the header line. */
  delimiter?: ';' | ',';
  /** Rows per yielded batch (default 5,000). */
  batchSize?: number;
}

export interface ParsedFeed {
  format: FeedFormat;
  encoding: FeedEncoding;
  /** True when the encoding was detected rather than given. */
  encodingDetected: boolean;
  /** Batches in file order. Parsing is streaming: memory stays bounded whatever the file size. */
  batches: AsyncIterable<FeedRow[]>;
}

/** Implemented by src/imports/formats/ (`parseFeed`). */
export type ParseFeed = (input: Readable, options: ParseOptions) => Promise<ParsedFeed>;
