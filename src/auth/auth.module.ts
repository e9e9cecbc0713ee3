import { Global, Module } from '@nestjs/common';
import { ApiKeyController } from './auth.controller.js';
import { ApiKeyService } from './api-key.service.js';
import { AuthMiddleware } from './auth.middleware.js';
import { AuthService } from './auth.service.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { RequestRateLimiter } from './request-rate-limiter.js';
import { ViewerResolver } from './viewer.resolver.js';

@Global()
@Module({
  providers: [
    AuthService,
    AuthMiddleware,
    FailedAuthLimiter,
    RequestRateLimiter,
    ApiKeyService,
    ViewerResolver,
  ],
  controllers: [ApiKeyController],
  exports: [AuthService, AuthMiddleware, RequestRateLimiter, FailedAuthLimiter],
})
export class AuthModule {}
