import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { REFERRAL_OUTBOX } from './referral-events.js';
import { ReferralLinkMiddleware } from './referral-link.middleware.js';
import { ReferralLinkPageController } from './referral-link-page.controller.js';
import { ReferralLinkHolderController, ReferralLinksController } from './referral-links.controller.js';
import { ReferralLinksResolver } from './referral-links.resolver.js';
import { ReferralLinksService } from './referral-links.service.js';
import { ReferralsController } from './referrals.controller.js';
import { ReferralsResolver } from './referrals.resolver.js';
import { ReferralsService } from './referrals.service.js';

@Module({
  imports: [BeneficiariesModule, OutboxModule],
  providers: [
    ReferralsService,
    ReferralsResolver,
    ReferralLinksService,
    ReferralLinksResolver,
    ReferralLinkMiddleware,
    { provide: REFERRAL_OUTBOX, useExisting: OutboxService },
  ],
  controllers: [
    ReferralsController,
    ReferralLinksController,
    ReferralLinkHolderController,
    ReferralLinkPageController,
  ],
  exports: [ReferralsService, ReferralLinkMiddleware],
})
export class ReferralsModule {}
