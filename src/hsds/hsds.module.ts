import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module.js';
import { HsdsController } from './hsds.controller.js';
import { HsdsService } from './hsds.service.js';

@Module({
  imports: [ProvidersModule],
  providers: [HsdsService],
  controllers: [HsdsController],
})
export class HsdsModule {}
