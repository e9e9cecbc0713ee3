import { Module } from '@nestjs/common';
import { FactsModule } from '../eligibility/facts/facts.module.js';
import { EsfIndicatorsResolver } from './esf-indicators.resolver.js';
import { EsfIndicatorsService } from './esf-indicators.service.js';
import { LikelyEligibleResolver } from './likely-eligible.resolver.js';
import { LikelyEligibleService } from './likely-eligible.service.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsResolver } from './statistics.resolver.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  imports: [FactsModule],
  providers: [
    StatisticsService,
    StatisticsResolver,
    EsfIndicatorsService,
    EsfIndicatorsResolver,
    LikelyEligibleService,
    LikelyEligibleResolver,
  ],
  controllers: [StatisticsController],
  exports: [StatisticsService, EsfIndicatorsService, LikelyEligibleService],
})
export class StatisticsModule {}
