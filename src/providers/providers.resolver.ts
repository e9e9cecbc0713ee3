import { Args, Info, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { selectsField, selectsPath } from '../common/graphql/selection.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { Connection } from '../common/pagination.js';
import { Municipality } from '../geography/geography.entity.js';
import { GeographyService } from '../geography/geography.service.js';
import { ProviderFilterArgs } from './dto/provider-filter.args.js';
import { ProviderInput } from './dto/provider.input.js';
import { ProviderLoaders } from './provider-loaders.js';
import {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderClosure,
  ProviderKind,
  ProviderLocation,
  ServiceCategory,
  TargetGroup,
} from './provider.entity.js';
import { ProvidersService } from './providers.service.js';
import { UuidScalar } from '../common/graphql/scalars.js';
import { LagTolerant } from '../database/read-replica.js';

export const ProviderConnection = Connection(Provider);

@Resolver(() => Provider)
export class ProviderResolver {
  constructor(
    private readonly service: ProvidersService,
    private readonly loaders: ProviderLoaders,
    private readonly geography: GeographyService,
  ) {}

  @LagTolerant()
  @Query(() => ProviderConnection, {
    description:
      'The provider directory: serving a municipality, near a point, open at an instant, offering a category, for a group, by name',
  })
  async providers(
    @Ctx() ctx: RequestContext,
    @Args() filter: ProviderFilterArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    const node = ['edges', 'node'];
    const locations = selectsPath(info, [...node, 'locations']);
    const page = await this.service.search(ctx, filter, {
      count: selectsField(info, 'totalCount'),
      include: {
        services: selectsPath(info, [...node, 'services']),
        locations,
        openingHours: locations && selectsPath(info, [...node, 'locations', 'openingHours']),
      },
    });
    this.loaders.prime(
      ctx,
      page.edges.map((e) => e.node),
    );
    return page;
  }

  @Query(() => Provider)
  provider(@Ctx() ctx: RequestContext, @Args('id', { type: () => UuidScalar }) id: string) {
    return this.service.get(ctx, id);
  }

  @LagTolerant()
  @Query(() => [ProviderKind])
  providerKinds(@Ctx() ctx: RequestContext) {
    return this.service.listKinds(ctx);
  }

  @LagTolerant()
  @Query(() => [ServiceCategory])
  serviceCategories(@Ctx() ctx: RequestContext) {
    return this.service.listCategories(ctx);
  }

  @LagTolerant()
  @Query(() => [TargetGroup])
  targetGroups(@Ctx() ctx: RequestContext) {
    return this.service.listTargetGroups(ctx);
  }

  @Mutation(() => Provider, { description: 'Adds a provider of your area with everything it has' })
  createProvider(@Ctx() ctx: RequestContext, @Args('input') input: ProviderInput) {
    return this.service.create(ctx, input);
  }

  @Mutation(() => Provider, { description: 'Replaces a provider of your area as a whole' })
  updateProvider(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => UuidScalar }) id: string,
    @Args('input') input: ProviderInput,
  ) {
    return this.service.replace(ctx, id, input);
  }

  @ResolveField(() => ProviderKind)
  kind(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return this.loaders.of(ctx).kind.load(p.kindCode);
  }

  @ResolveField(() => Provider, { nullable: true, description: 'The centre this is a branch of' })
  parent(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return p.parentId ? this.loaders.of(ctx).provider.load(p.parentId) : null;
  }

  @ResolveField(() => [Provider], { description: 'Its branches' })
  branches(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return this.loaders.of(ctx).branches.load(p.id);
  }

  @ResolveField(() => Municipality)
  municipality(@Parent() p: Provider) {
    return this.geography.getMunicipality(p.municipalityCode);
  }

  @ResolveField(() => [Municipality], { description: 'Every municipality it serves, its home first' })
  async serviceArea(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    const codes = await this.loaders.of(ctx).serviceArea.load(p.id);
    return codes.map((c) => this.geography.getMunicipality(c));
  }

  @ResolveField(() => [ProviderLocation])
  locations(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return this.loaders.of(ctx).locations.load(p.id);
  }

  @ResolveField(() => [ProviderClosure])
  closures(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return this.loaders.of(ctx).closures.load(p.id);
  }

  @ResolveField(() => [OfferedService])
  services(@Ctx() ctx: RequestContext, @Parent() p: Provider) {
    return this.loaders.of(ctx).services.load(p.id);
  }
}

@Resolver(() => ProviderLocation)
export class ProviderLocationResolver {
  constructor(private readonly loaders: ProviderLoaders) {}

  @ResolveField(() => [OpeningHours], { description: 'Weekly intervals, Europe/Athens local time' })
  openingHours(@Ctx() ctx: RequestContext, @Parent() l: ProviderLocation) {
    return this.loaders.of(ctx).hours.load(l.id);
  }
}

@Resolver(() => OfferedService)
export class OfferedServiceResolver {
  constructor(private readonly loaders: ProviderLoaders) {}

  @ResolveField(() => ServiceCategory)
  category(@Ctx() ctx: RequestContext, @Parent() s: OfferedService) {
    return this.loaders.of(ctx).category.load(s.categoryCode);
  }
}
