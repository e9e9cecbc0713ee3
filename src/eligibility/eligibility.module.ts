import { Module } from '@nestjs/common';
import { EntitlementsController } from './entitlements.controller.js';
import { BeneficiaryEntitlementsResolver, EntitlementsResolver } from './entitlements.resolver.js';
import { EntitlementsService } from './entitlements.service.js';
import { FactsModule } from './facts/facts.module.js';

/** Entitlements (issue 11): the facts view, rules and their evaluation, and what people are entitled to. */
@Module({
  imports: [FactsModule],
  providers: [EntitlementsService, EntitlementsResolver, BeneficiaryEntitlementsResolver],
  controllers: [EntitlementsController],
  exports: [FactsModule, EntitlementsService],
})
export class EligibilityModule {}
