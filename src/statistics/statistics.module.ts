import { Module } from '@nestjs/common';
import { StatisticsMapController } from './statistics-map.controller.js';
import { StatisticsMapResolver } from './statistics-map.resolver.js';
import { StatisticsMapService } from './statistics-map.service.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsResolver } from './statistics.resolver.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  providers: [StatisticsService, StatisticsResolver, StatisticsMapService, StatisticsMapResolver],
  controllers: [StatisticsController, StatisticsMapController],
  exports: [StatisticsService],
})
export class StatisticsModule {}
