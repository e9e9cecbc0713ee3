import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { ImportJobsArgs } from './dto/import-upload.dto.js';
import { ImportJobConnection, ImportJobView } from './imports.model.js';
import { ImportsService } from './imports.service.js';

/** Import progress over GraphQL (uploads are REST or the CLI): import operators and national administrators. */
@Resolver()
export class ImportsResolver {
  constructor(private readonly imports: ImportsService) {}

  @Query(() => ImportJobView, {
    description: 'An import job: status, counts, progress (rows done / total, rate, ETA)',
  })
  importJob(@Ctx() ctx: RequestContext, @Args('id', { type: () => UuidScalar }) id: string) {
    return this.imports.get(ctx, id);
  }

  @Query(() => ImportJobConnection, { description: 'Import jobs, newest first' })
  importJobs(@Ctx() ctx: RequestContext, @Args() args: ImportJobsArgs) {
    return this.imports.list(ctx, args);
  }
}
