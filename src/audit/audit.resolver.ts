import { Args, Info, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { selectsField } from '../common/graphql/selection.js';
import { Connection } from '../common/pagination.js';
import { AuditEventView } from './audit.model.js';
import { AuditService } from './audit.service.js';
import { AuditFilterArgs } from './dto/audit-filter.dto.js';

export const AuditEventConnection = Connection(AuditEventView, 'AuditEvent');

@Resolver(() => AuditEventView)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditEventConnection, {
    description: 'The audit trail, newest first (auditors; purpose AUDIT_REVIEW or DATA_SUBJECT_REQUEST)',
  })
  auditEvents(@Ctx() ctx: RequestContext, @Args() filter: AuditFilterArgs, @Info() info: GraphQLResolveInfo) {
    if (filter.purpose) ctx.purpose = filter.purpose;
    return this.audit.list(ctx, filter, { count: selectsField(info, 'totalCount') });
  }
}
