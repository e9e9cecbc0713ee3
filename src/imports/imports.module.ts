import { Module } from '@nestjs/common';
import { parseFeed } from './formats/index.js';
import { ImportRunner, PARSE_FEED } from './import-runner.js';
import { ImportSchedule } from './import-schedule.js';
import { ImportsController } from './imports.controller.js';
import { ImportsResolver } from './imports.resolver.js';
import { ImportsService } from './imports.service.js';

/**
 * Feed imports (issue 13): uploads over REST or the CLI, jobs run by the job worker (ImportRunner),
 * progress over REST and GraphQL. Each feed's validation and merge SQL comes from feed-pipeline.ts:
 * the fact feeds' from fact-feeds.ts, the REGISTRY feed's (people themselves) from registry-merge.ts.
 */
@Module({
  providers: [
    ImportsService,
    ImportRunner,
    ImportSchedule,
    ImportsResolver,
    { provide: PARSE_FEED, useValue: parseFeed },
  ],
  controllers: [ImportsController],
  exports: [ImportsService, ImportRunner, ImportSchedule],
})
export class ImportsModule {}
