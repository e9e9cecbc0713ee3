import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { REFERRAL_OUTBOX } from './referral-events.js';
import { ReferralsController } from './referrals.controller.js';
import { ReferralsResolver } from './referrals.resolver.js';
import { ReferralsService } from './referrals.service.js';

@Module({
  imports: [BeneficiariesModule, OutboxModule],
  providers: [ReferralsService, ReferralsResolver, { provide: REFERRAL_OUTBOX, useExisting: OutboxService }],
  controllers: [ReferralsController],
  exports: [ReferralsService],
})
export class ReferralsModule {}
