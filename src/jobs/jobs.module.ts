import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ReferralsModule } from '../referrals/referrals.module.js';
import { ReferralsService } from '../referrals/referrals.service.js';
import { StatisticsModule } from '../statistics/statistics.module.js';
import { JobWorker, REFERRAL_SCHEDULE } from './job-worker.js';

/** The job worker; started by main.ts (WORKER_IN_SERVICE) or by src/worker.ts. */
@Module({
  imports: [OutboxModule, ReferralsModule, StatisticsModule, ImportsModule],
  providers: [JobWorker, { provide: REFERRAL_SCHEDULE, useExisting: ReferralsService }],
  exports: [JobWorker],
})
export class JobsModule {}
