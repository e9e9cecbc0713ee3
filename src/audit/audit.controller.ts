import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import { ApiRoute } from '../common/openapi-docs.js';
import type { RequestContext } from '../auth/request-context.js';
import { pageArgsOf, toRestPage } from '../common/pagination.js';
import { AuditEventView } from './audit.model.js';
import { AuditService } from './audit.service.js';
import { AuditQuery } from './dto/audit-filter.dto.js';

class AuditPage {
  @ApiProperty({ type: [AuditEventView] })
  items: AuditEventView[];

  @ApiProperty()
  total: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor: string | null;
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@ApiHeader({
  name: 'X-Purpose',
  required: true,
  description: 'Why the trail is read: AUDIT_REVIEW or DATA_SUBJECT_REQUEST',
})
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiRoute('Read the audit trail (auditors)', [403])
  @ApiOkResponse({ type: AuditPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: AuditQuery): Promise<AuditPage> {
    const { limit, cursor, ...filter } = query;
    if (filter.purpose) ctx.purpose = filter.purpose;
    return toRestPage(await this.audit.list(ctx, { ...filter, ...pageArgsOf({ limit, cursor }) }));
  }
}
