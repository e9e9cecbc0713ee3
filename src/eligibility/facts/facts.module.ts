import { Module } from '@nestjs/common';
import { FactsResolver } from './facts.resolver.js';
import { FactsService } from './facts.service.js';

@Module({
  providers: [FactsService, FactsResolver],
  exports: [FactsService],
})
export class FactsModule {}
