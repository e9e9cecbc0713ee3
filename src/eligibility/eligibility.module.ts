import { Module } from '@nestjs/common';
import { FactsModule } from './facts/facts.module.js';

/** Entitlements (issue 11): the facts view, rules and their evaluation. */
@Module({
  imports: [FactsModule],
  exports: [FactsModule],
})
export class EligibilityModule {}
