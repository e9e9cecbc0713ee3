import { Module } from '@nestjs/common';
import { ProviderLoaders } from './provider-loaders.js';
import { ProvidersController } from './providers.controller.js';
import { OfferedServiceResolver, ProviderLocationResolver, ProviderResolver } from './providers.resolver.js';
import { ProvidersService } from './providers.service.js';

@Module({
  providers: [
    ProvidersService,
    ProviderLoaders,
    ProviderResolver,
    ProviderLocationResolver,
    OfferedServiceResolver,
  ],
  controllers: [ProvidersController],
  exports: [ProvidersService, ProviderLoaders],
})
export class ProvidersModule {}
