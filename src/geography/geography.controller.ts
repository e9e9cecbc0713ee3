import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { pageArgsOf, paginateInMemory, toRestPage } from '../common/pagination.js';
import { MunicipalityQuery } from './dto/municipality-filter.args.js';
import { Municipality, Region, RegionalUnit } from './geography.entity.js';
import { GeographyService } from './geography.service.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { LagTolerant } from '../database/read-replica.js';

class MunicipalityPage {
  @ApiProperty({ type: [Municipality] })
  items: Municipality[];

  @ApiProperty()
  total: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page',
  })
  nextCursor: string | null;
}

@ApiTags('geography')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@LagTolerant()
@Controller('geography')
export class GeographyController {
  constructor(private readonly geography: GeographyService) {}

  @Get('regions')
  @ApiOkResponse({ type: [Region] })
  regions(): Region[] {
    return this.geography.listRegions();
  }

  @Get('regions/:code')
  @ApiOkResponse({ type: Region })
  region(@Param('code') code: string): Region {
    return this.geography.getRegion(code);
  }

  @Get('regions/:code/regional-units')
  @ApiOkResponse({ type: [RegionalUnit] })
  regionalUnits(@Param('code') code: string): RegionalUnit[] {
    return this.geography.listRegionalUnits(code);
  }

  @Get('municipalities')
  @ApiOkResponse({ type: MunicipalityPage })
  async municipalities(
    @Ctx() ctx: RequestContext,
    @Query() query: MunicipalityQuery,
  ): Promise<MunicipalityPage> {
    const found = await this.geography.searchMunicipalities(ctx, {
      search: query.q,
      regionCode: query.region,
      regionalUnitCode: query.regionalUnit,
    });
    return toRestPage(paginateInMemory(found, pageArgsOf(query), (m) => m.code));
  }

  @Get('municipalities/:code')
  @ApiOkResponse({ type: Municipality })
  municipality(@Param('code') code: string): Municipality {
    return this.geography.getMunicipality(code);
  }
}
