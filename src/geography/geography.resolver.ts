import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Connection, paginateInMemory } from '../common/pagination.js';
import { MunicipalityFilterArgs } from './dto/municipality-filter.args.js';
import { Municipality, Region, RegionalUnit } from './geography.entity.js';
import { GeographyService } from './geography.service.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { LagTolerant } from '../database/read-replica.js';

export const MunicipalityConnection = Connection(Municipality);

@Resolver(() => Region)
export class RegionResolver {
  constructor(private readonly geography: GeographyService) {}

  @LagTolerant()
  @Query(() => [Region], { description: 'The 13 regions' })
  regions(): Region[] {
    return this.geography.listRegions();
  }

  @LagTolerant()
  @Query(() => Region)
  region(@Args('code') code: string): Region {
    return this.geography.getRegion(code);
  }

  @ResolveField(() => [RegionalUnit])
  regionalUnits(@Parent() region: Region): RegionalUnit[] {
    return this.geography.listRegionalUnits(region.code);
  }
}

@Resolver(() => RegionalUnit)
export class RegionalUnitResolver {
  constructor(private readonly geography: GeographyService) {}

  @LagTolerant()
  @Query(() => [RegionalUnit], { description: 'Regional units, of one region if given' })
  regionalUnits(@Args('regionCode', { nullable: true }) regionCode?: string): RegionalUnit[] {
    return this.geography.listRegionalUnits(regionCode);
  }

  @ResolveField(() => Region)
  region(@Parent() unit: RegionalUnit): Region {
    return this.geography.getRegion(unit.regionCode);
  }
}

@Resolver(() => Municipality)
export class MunicipalityResolver {
  constructor(private readonly geography: GeographyService) {}

  @LagTolerant()
  @Query(() => Municipality, { description: 'A municipality by its ELSTAT code' })
  municipality(@Args('code') code: string): Municipality {
    return this.geography.getMunicipality(code);
  }

  @LagTolerant()
  @Query(() => MunicipalityConnection, {
    description: 'Municipalities by name (any accents, case or script), region or regional unit',
  })
  async municipalities(@Ctx() ctx: RequestContext, @Args() args: MunicipalityFilterArgs) {
    const found = await this.geography.searchMunicipalities(ctx, {
      search: args.search,
      regionCode: args.regionCode,
      regionalUnitCode: args.regionalUnitCode,
    });
    return paginateInMemory(found, args, (m) => m.code);
  }

  @ResolveField(() => Region)
  region(@Parent() municipality: Municipality): Region {
    return this.geography.getRegion(municipality.regionCode);
  }

  @ResolveField(() => RegionalUnit)
  regionalUnit(@Parent() municipality: Municipality): RegionalUnit {
    return this.geography.getRegionalUnit(municipality.regionalUnitCode);
  }
}
