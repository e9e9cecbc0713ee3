import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { MetricsMiddleware, MetricsRegistry } from './metrics.js';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [MetricsRegistry, MetricsMiddleware],
  exports: [MetricsRegistry, MetricsMiddleware],
})
export class HealthModule {}
