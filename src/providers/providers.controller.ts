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
import { ProviderQuery } from './dto/provider-filter.args.js';
import { ProviderInput } from './dto/provider.input.js';
import { ProviderDetail, ProviderPage } from './provider-detail.js';
import { ProviderKind, ServiceCategory, TargetGroup } from './provider.entity.js';
import { ProvidersService } from './providers.service.js';
import { IdParam } from '../common/id-param.js';
import { LagTolerant } from '../database/read-replica.js';

@ApiTags('providers')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller()
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Get('providers')
  @LagTolerant()
  @ApiOperation({ summary: 'Search the provider directory' })
  @ApiOkResponse({ type: ProviderPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ProviderQuery): Promise<ProviderPage> {
    const { limit, cursor, ...filter } = query;
    return toRestPage(await this.providers.search(ctx, { ...filter, ...pageArgsOf({ limit, cursor }) }));
  }

  @Get('providers/:id')
  @ApiOkResponse({ type: ProviderDetail })
  get(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ProviderDetail> {
    return this.providers.getDetail(ctx, id);
  }

  @Post('providers')
  @ApiOperation({
    summary: 'Add a provider in your region, with its locations, hours, closures and services',
  })
  @ApiCreatedResponse({ type: ProviderDetail })
  async create(@Ctx() ctx: RequestContext, @Body() input: ProviderInput): Promise<ProviderDetail> {
    const created = await this.providers.create(ctx, input);
    return this.providers.getDetail(ctx, created.id);
  }

  @Put('providers/:id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace a provider of your region as a whole (locations and services keep the ids you send)',
  })
  @ApiOkResponse({ type: ProviderDetail })
  async replace(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() input: ProviderInput,
  ): Promise<ProviderDetail> {
    await this.providers.replace(ctx, id, input);
    return this.providers.getDetail(ctx, id);
  }

  @Get('provider-kinds')
  @LagTolerant()
  @ApiOkResponse({ type: [ProviderKind] })
  kinds(@Ctx() ctx: RequestContext): Promise<ProviderKind[]> {
    return this.providers.listKinds(ctx);
  }

  @Get('service-categories')
  @LagTolerant()
  @ApiOkResponse({ type: [ServiceCategory] })
  categories(@Ctx() ctx: RequestContext): Promise<ServiceCategory[]> {
    return this.providers.listCategories(ctx);
  }

  @Get('target-groups')
  @LagTolerant()
  @ApiOkResponse({ type: [TargetGroup] })
  groups(@Ctx() ctx: RequestContext): Promise<TargetGroup[]> {
    return this.providers.listTargetGroups(ctx);
  }
}
