import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { pageArgsOf, toRestPage } from '../common/pagination.js';
import { ProgrammeInput, ProgrammeQuery } from './dto/programme.input.js';
import { ProgrammeDetail, ProgrammePage } from './programme-detail.js';
import { ProgrammesService } from './programmes.service.js';
import { IdParam } from '../common/id-param.js';
import { LagTolerant } from '../database/read-replica.js';

@ApiTags('programmes')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('programmes')
export class ProgrammesController {
  constructor(private readonly programmes: ProgrammesService) {}

  @Get()
  @LagTolerant()
  @ApiOperation({ summary: 'Programmes available in a municipality, for a group, active on a day' })
  @ApiOkResponse({ type: ProgrammePage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ProgrammeQuery): Promise<ProgrammePage> {
    const { limit, cursor, ...filter } = query;
    return toRestPage(await this.programmes.search(ctx, { ...filter, ...pageArgsOf({ limit, cursor }) }));
  }

  @Get(':id')
  @ApiOkResponse({ type: ProgrammeDetail })
  get(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ProgrammeDetail> {
    return this.programmes.getDetail(ctx, id);
  }

  @Post()
  @ApiOperation({
    summary: 'Add a programme of your region (coverage within it), or a national one (national bodies)',
  })
  @ApiCreatedResponse({ type: ProgrammeDetail })
  async create(@Ctx() ctx: RequestContext, @Body() input: ProgrammeInput): Promise<ProgrammeDetail> {
    const created = await this.programmes.create(ctx, input);
    return this.programmes.getDetail(ctx, created.id);
  }

  @Put(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace a programme your region maintains, as a whole' })
  @ApiOkResponse({ type: ProgrammeDetail })
  async replace(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() input: ProgrammeInput,
  ): Promise<ProgrammeDetail> {
    await this.programmes.replace(ctx, id, input);
    return this.programmes.getDetail(ctx, id);
  }
}
