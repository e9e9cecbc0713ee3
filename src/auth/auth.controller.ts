import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';
import { Ctx } from './ctx.decorator.js';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/create-api-key.dto.js';
import type { RequestContext } from './request-context.js';
import { IdParam } from '../common/id-param.js';
import { ApiRoute } from '../common/openapi-docs.js';

const view = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  roles: k.roles,
  regionCode: k.regionCode,
  createdBy: k.createdBy,
  createdAt: k.createdAt,
  expiresAt: k.expiresAt,
  revokedAt: k.revokedAt,
});

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('api-keys')
export class ApiKeyController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @ApiRoute('Issue an API key for a regional system; the key is shown once', [403])
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { apiKey, key } = await this.apiKeys.create(ctx, body);
    return { ...view(apiKey), key };
  }

  @Get()
  @ApiRoute('The API keys you manage', [403])
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(@Ctx() ctx: RequestContext): Promise<ApiKeyView[]> {
    return (await this.apiKeys.list(ctx)).map(view);
  }

  @Delete(':id')
  @ApiRoute('Revoke an API key', [403, 404])
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyView })
  async revoke(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ApiKeyView> {
    return view(await this.apiKeys.revoke(ctx, id));
  }
}
