import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { PENDING_PER_FEED, PURGE_FILES, PURGE_PROBLEMS } from './imports.queries.js';

/**
 * What the job worker does for imports on its own (src/jobs/job-worker.ts): find the jobs to run,
 * and purge what the retention period no longer keeps. Both run as the service itself, outside any
 * caller's area.
 */
@Injectable()
export class ImportSchedule {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * The oldest unfinished import of each feed: queued ones, and running ones whose worker may have
   * died (a run that is alive holds its feed's lock, and the new run answers 'busy' at once).
   */
  async pending(): Promise<Array<{ id: string; feed: string }>> {
    return this.dataSource.query(PENDING_PER_FEED);
  }

  /**
   * Deletes the row problems and stored files of imports finished more than IMPORT_RETENTION_DAYS
   * before `now`; the jobs themselves (counts, hashes) stay as the record of what was imported.
   */
  async purge(now: Date): Promise<{ problems: number; files: number }> {
    const before = new Date(now.getTime() - this.config.IMPORT_RETENTION_DAYS * 86_400_000);
    const [, problems] = (await this.dataSource.query(PURGE_PROBLEMS, [before])) as [unknown, number];
    const [, files] = (await this.dataSource.query(PURGE_FILES, [before])) as [unknown, number];
    return { problems, files };
  }
}
