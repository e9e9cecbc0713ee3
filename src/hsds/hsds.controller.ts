import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { HsdsPageQuery, HsdsServiceQuery } from './hsds.query.js';
import { HsdsService, type HsdsObject, type HsdsPage } from './hsds.service.js';
import { IdParam } from '../common/id-param.js';
import { LagTolerant } from '../database/read-replica.js';

const SCHEMAS = 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled';
const page = (item: string) =>
  ApiOkResponse({
    description: `HSDS 3.0 Page whose contents follow ${SCHEMAS}/${item}`,
    schema: {
      type: 'object',
      properties: {
        total_items: { type: 'integer' },
        total_pages: { type: 'integer' },
        page_number: { type: 'integer' },
        size: { type: 'integer' },
        first_page: { type: 'boolean' },
        last_page: { type: 'boolean' },
        empty: { type: 'boolean' },
        contents: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
    },
  });
const one = (schema: string) =>
  ApiOkResponse({
    description: `An HSDS 3.0 document following ${SCHEMAS}/${schema}`,
    schema: { type: 'object', additionalProperties: true },
  });

/** Read-only Open Referral HSDS 3.0 view of the provider registry for directory tools. */
@ApiTags('hsds')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@LagTolerant()
@Controller('hsds')
export class HsdsController {
  constructor(private readonly hsds: HsdsService) {}

  @Get('organizations')
  @ApiOperation({ summary: 'Providers as HSDS organizations' })
  @page('organization_list.json')
  organizations(@Ctx() ctx: RequestContext, @Query() query: HsdsPageQuery): Promise<HsdsPage> {
    return this.hsds.organizations(ctx, query);
  }

  @Get('organizations/:id')
  @one('organization.json')
  organization(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<HsdsObject> {
    return this.hsds.organization(ctx, id);
  }

  @Get('services')
  @page('service_list.json')
  services(@Ctx() ctx: RequestContext, @Query() query: HsdsServiceQuery): Promise<HsdsPage> {
    return this.hsds.services(ctx, query);
  }

  @Get('services/:id')
  @one('service.json')
  service(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<HsdsObject> {
    return this.hsds.service(ctx, id);
  }

  @Get('locations')
  @page('service_at_location.json (its location)')
  locations(@Ctx() ctx: RequestContext, @Query() query: HsdsPageQuery): Promise<HsdsPage> {
    return this.hsds.locations(ctx, query);
  }

  @Get('locations/:id')
  @one('service_at_location.json (its location)')
  location(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<HsdsObject> {
    return this.hsds.location(ctx, id);
  }

  @Get('service_at_locations')
  @page('service_at_location_list.json')
  serviceAtLocations(@Ctx() ctx: RequestContext, @Query() query: HsdsServiceQuery): Promise<HsdsPage> {
    return this.hsds.serviceAtLocations(ctx, query);
  }

  @Get('service_at_locations/:id')
  @one('service_at_location.json')
  serviceAtLocation(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<HsdsObject> {
    return this.hsds.serviceAtLocation(ctx, id);
  }
}
