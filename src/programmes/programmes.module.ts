import { Module } from '@nestjs/common';
import { EligibilityModule } from '../eligibility/eligibility.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { EnrolmentsService } from './enrolments.service.js';
import { ProgrammeLoaders } from './programme-loaders.js';
import { ProgrammesController } from './programmes.controller.js';
import { EnrolmentResolver, ProgrammeResolver } from './programmes.resolver.js';
import { ProgrammesService } from './programmes.service.js';

@Module({
  imports: [ProvidersModule, EligibilityModule],
  providers: [ProgrammesService, EnrolmentsService, ProgrammeLoaders, ProgrammeResolver, EnrolmentResolver],
  controllers: [ProgrammesController],
  exports: [ProgrammesService, EnrolmentsService],
})
export class ProgrammesModule {}
