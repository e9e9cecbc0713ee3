import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { JobWorker } from './job-worker.js';

/** The job worker; started by main.ts (WORKER_IN_SERVICE) or by src/worker.ts. */
@Module({
  imports: [OutboxModule],
  providers: [JobWorker],
  exports: [JobWorker],
})
export class JobsModule {}
