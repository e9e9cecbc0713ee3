import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

/** The transactional outbox: modules import it to enqueue events (OutboxService.enqueue). */
@Module({
  providers: [OutboxService],
  exports: [OutboxService],
})
export class OutboxModule {}
