import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module.js';
import type { OutboxWriter } from '../outbox/contracts.js';
import { REFERRAL_OUTBOX } from './referral-events.js';
import { ReferralsController } from './referrals.controller.js';
import { ReferralsResolver } from './referrals.resolver.js';
import { ReferralsService } from './referrals.service.js';

/**
 * Until the transactional outbox (src/outbox, issue 12) is merged, events go nowhere: replace this
 * with `{ provide: REFERRAL_OUTBOX, useExisting: OutboxService }` and import its module.
 */
const NO_OUTBOX: OutboxWriter = { enqueue: async () => undefined };

@Module({
  imports: [BeneficiariesModule],
  providers: [ReferralsService, ReferralsResolver, { provide: REFERRAL_OUTBOX, useValue: NO_OUTBOX }],
  controllers: [ReferralsController],
  exports: [ReferralsService],
})
export class ReferralsModule {}
