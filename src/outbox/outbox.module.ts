import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { OutboxService } from './outbox.service.js';
import { PartnerEventsService } from './partner-events.service.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service.js';
import { WebhookDeliveriesController, WebhookSubscriptionsController } from './webhooks.controller.js';

/**
 * The transactional outbox: modules import it to enqueue events (OutboxService.enqueue); partner
 * systems pull events and national administrators manage subscriptions over REST.
 */
@Module({
  providers: [OutboxService, WebhookDispatcher, PartnerEventsService, WebhookSubscriptionsService],
  controllers: [EventsController, WebhookSubscriptionsController, WebhookDeliveriesController],
  exports: [OutboxService, WebhookDispatcher],
})
export class OutboxModule {}
