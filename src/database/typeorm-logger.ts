import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';
import { safeErrorLog } from '../common/safe-error-log.js';

/**
 * TypeORM's own error logging prints the failed query with its parameters (a name, an AMKA). This
 * one logs a failed query as its SQLSTATE, constraint, table and routine plus a fingerprint of the
 * SQL text with every literal blanked, never the parameters; it writes through Nest's logger, so
 * through pino in the service.
 */
export class SafeTypeOrmLogger implements TypeOrmLoggerContract {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.error({ db: safeErrorLog(error), query: queryFingerprint(query) }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query: queryFingerprint(query) }, 'slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(typeof message === 'string' ? message : 'TypeORM warning');
  }
}

/**
 * The statement with every literal (strings, dollar-quoted bodies, numbers) replaced by `?`,
 * shortened, and a hash of it to find all occurrences of one query. Parameters are never read.
 */
export function queryFingerprint(query: string): { id: string; sql: string } {
  const normalised = query
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[EeXxBbUu]?&?'(?:[^']|'')*'/g, '?')
    .replace(/(?<![$\w])\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return {
    id: createHash('sha256').update(normalised).digest('hex').slice(0, 12),
    sql: normalised.length > 160 ? `${normalised.slice(0, 160)}…` : normalised,
  };
}
