import { Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { IdParam } from '../common/id-param.js';
import { Consumes } from '../common/request-body.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { pageArgsOf, toRestPage } from '../common/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { FeedEncoding, FeedFormat, FeedKind } from './contracts.js';
import { ImportListQuery, importRequestOf } from './dto/import-upload.dto.js';
import { ImportJobPage, ImportJobView } from './imports.model.js';
import { ImportsService } from './imports.service.js';
import { receiveUpload } from './multipart-upload.js';

/** Feed imports (import:run): import operators and national administrators. docs/imports.md. */
@ApiTags('imports')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiRoute(
    'Upload a feed file (streamed) and queue its import; the same file again is recorded as a duplicate of the first',
    [403, 413],
    'multipart/form-data: the fields first (feed, dryRun, encoding, format; municipalities for REGISTRY), then the part named file. ' +
      'The job runs in the job worker: follow it with GET /imports/{id}.',
  )
  @Consumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['feed', 'file'],
      properties: {
        feed: { type: 'string', enum: Object.values(FeedKind) },
        dryRun: { type: 'string', enum: ['true', 'false'], default: 'false' },
        encoding: { type: 'string', enum: Object.values(FeedEncoding) },
        format: { type: 'string', enum: Object.values(FeedFormat) },
        municipalities: {
          type: 'string',
          description:
            'REGISTRY only, required: the municipalities its records are for, comma-separated codes',
          example: '4912,4904',
        },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiCreatedResponse({ type: ImportJobView })
  upload(@Ctx() ctx: RequestContext, @Req() req: Request): Promise<ImportJobView> {
    return receiveUpload(req, this.config.IMPORT_MAX_BYTES, (fields, file, fileName) =>
      this.imports.create(ctx, importRequestOf(fields, fileName), file),
    );
  }

  @Get()
  @ApiRoute('Import jobs, newest first', [403])
  @ApiOkResponse({ type: ImportJobPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ImportListQuery): Promise<ImportJobPage> {
    return toRestPage(await this.imports.list(ctx, { ...pageArgsOf(query), feed: query.feed }));
  }

  @Get(':id')
  @ApiRoute('An import job: status, counts, progress (rows done / total, rate, ETA)', [403, 404])
  @ApiOkResponse({ type: ImportJobView })
  get(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ImportJobView> {
    return this.imports.get(ctx, id);
  }

  @Get(':id/problems.csv')
  @ApiRoute('The rows refused or unmatched, as CSV: line, field, code, message (streamed)', [403, 404])
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'CSV with a header line',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async problems(@Ctx() ctx: RequestContext, @IdParam() id: string, @Res() res: Response): Promise<void> {
    await this.imports.writeProblemsCsv(ctx, id, res, () => {
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="import-${id}-problems.csv"`);
    });
    res.end();
  }
}
