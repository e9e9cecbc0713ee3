import { Global, Module } from '@nestjs/common';
import { GeographyController } from './geography.controller.js';
import { MunicipalityResolver, RegionalUnitResolver, RegionResolver } from './geography.resolver.js';
import { GeographyService } from './geography.service.js';

@Global()
@Module({
  providers: [GeographyService, RegionResolver, RegionalUnitResolver, MunicipalityResolver],
  controllers: [GeographyController],
  exports: [GeographyService],
})
export class GeographyModule {}
