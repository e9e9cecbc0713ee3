import { Module } from '@nestjs/common';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsResolver } from './statistics.resolver.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  providers: [StatisticsService, StatisticsResolver],
  controllers: [StatisticsController],
  exports: [StatisticsService],
})
export class StatisticsModule {}
