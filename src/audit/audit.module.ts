import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditResolver } from './audit.resolver.js';
import { AuditService } from './audit.service.js';

@Module({ providers: [AuditService, AuditResolver], controllers: [AuditController], exports: [AuditService] })
export class AuditModule {}
