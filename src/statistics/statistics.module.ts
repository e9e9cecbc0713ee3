import { Module } from '@nestjs/common';
import { StatisticsMapController } from './statistics-map.controller.js';
import { StatisticsMapResolver } from './statistics-map.resolver.js';
import { StatisticsMapService } from './statistics-map.service.js';
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
    StatisticsMapService,
    StatisticsMapResolver,
    EsfIndicatorsService,
    EsfIndicatorsResolver,
    LikelyEligibleService,
    LikelyEligibleResolver,
  ],
  controllers: [StatisticsController, StatisticsMapController],
  exports: [StatisticsService, EsfIndicatorsService, LikelyEligibleService],
})
export class StatisticsModule {}
