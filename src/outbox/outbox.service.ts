import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OutboxEvent, OutboxWriter } from './contracts.js';
import { INSERT_EVENT } from './outbox.queries.js';

const TOPIC = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * The transactional outbox's writer: an event is a row written in the caller's transaction, so it
 * exists exactly when the change it describes does. Publishing (a cursor position) and delivery
 * (webhooks) happen later in the worker (WebhookDispatcher); the insert trigger wakes it at commit.
 */
@Injectable()
export class OutboxService implements OutboxWriter {
  /**
   * Appends `event` inside the transaction `em` belongs to (`ctx.em`): never on a connection of its
   * own, so a rollback takes the event with it. Throws on a topic that is not `word.word[.word]`,
   * a programming error rather than a client's.
   */
  async enqueue(em: EntityManager, event: OutboxEvent): Promise<void> {
    if (!TOPIC.test(event.topic))
      throw new Error(`outbox topic ${JSON.stringify(event.topic)} is not word.word`);
    if (!em.queryRunner?.isTransactionActive)
      throw new Error('OutboxService.enqueue needs the caller transaction (ctx.em), none is open');
    await em.query(INSERT_EVENT, [
      event.topic,
      event.aggregateType,
      event.aggregateId,
      event.municipalityCode ?? null,
      event.providerId ?? null,
      JSON.stringify(event.payload),
    ]);
  }
}
