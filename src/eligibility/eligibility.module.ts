import { Module } from '@nestjs/common';
import { EntitlementsController } from './entitlements.controller.js';
import { BeneficiaryEntitlementsResolver, EntitlementsResolver } from './entitlements.resolver.js';
import { EntitlementsService } from './entitlements.service.js';
import { FactsService } from './facts/facts.service.js';

/** Facts, rules and what people are entitled to (issue 11). */
@Module({
  providers: [FactsService, EntitlementsService, EntitlementsResolver, BeneficiaryEntitlementsResolver],
  controllers: [EntitlementsController],
  exports: [FactsService, EntitlementsService],
})
export class EligibilityModule {}
