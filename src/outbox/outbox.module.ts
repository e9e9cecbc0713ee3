import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** The transactional outbox: modules import it to enqueue events (OutboxService.enqueue). */
@Module({
  providers: [OutboxService, WebhookDispatcher],
  exports: [OutboxService, WebhookDispatcher],
})
export class OutboxModule {}
