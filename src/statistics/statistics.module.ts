import { Module } from '@nestjs/common';
import { EsfIndicatorsResolver } from './esf-indicators.resolver.js';
import { EsfIndicatorsService } from './esf-indicators.service.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsResolver } from './statistics.resolver.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  providers: [StatisticsService, StatisticsResolver, EsfIndicatorsService, EsfIndicatorsResolver],
  controllers: [StatisticsController],
  exports: [StatisticsService, EsfIndicatorsService],
})
export class StatisticsModule {}
