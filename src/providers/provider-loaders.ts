import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestContext } from '../auth/request-context.js';
import type {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderClosure,
  ProviderKind,
  ProviderLocation,
  ServiceCategory,
} from './provider.entity.js';
import { includedWithProvider } from './provider.queries.js';
import { ProvidersService } from './providers.service.js';

function groupBy<T>(keys: readonly string[], items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) groups.get(keyOf(item))?.push(item);
  return keys.map((k) => groups.get(k) ?? []);
}

/** The loaders of one request: each relation field of a page of providers costs one query (rule 7). */
export class ProviderLoaderSet {
  constructor(
    private readonly ctx: RequestContext,
    private readonly providers: ProvidersService,
  ) {}

  readonly provider = new DataLoader<string, Provider | null>(async (ids) => {
    const found = await this.providers.byIds(this.ctx.em, ids);
    return ids.map((id) => found.find((p) => p.id === id) ?? null);
  });

  readonly branches = new DataLoader<string, Provider[]>(async (ids) =>
    groupBy(ids, await this.providers.branchesOf(this.ctx.em, ids), (p) => p.parentId!),
  );

  readonly locations = new DataLoader<string, ProviderLocation[]>(async (ids) =>
    groupBy(ids, await this.providers.locationsOf(this.ctx.em, ids), (l) => l.providerId),
  );

  readonly hours = new DataLoader<string, OpeningHours[]>(async (ids) =>
    groupBy(ids, await this.providers.hoursOf(this.ctx.em, ids), (h) => h.locationId),
  );

  readonly closures = new DataLoader<string, ProviderClosure[]>(async (ids) =>
    groupBy(ids, await this.providers.closuresOf(this.ctx.em, ids), (c) => c.providerId),
  );

  readonly services = new DataLoader<string, OfferedService[]>(async (ids) =>
    groupBy(ids, await this.providers.servicesOf(this.ctx.em, ids), (s) => s.providerId),
  );

  readonly serviceArea = new DataLoader<string, string[]>(async (ids) => {
    const areas = await this.providers.serviceAreasOf(this.ctx.em, ids);
    return ids.map((id) => areas.get(id) ?? []);
  });

  readonly kind = new DataLoader<string, ProviderKind | null>(async (codes) => {
    const all = await this.providers.listKinds(this.ctx);
    return codes.map((c) => all.find((k) => k.code === c) ?? null);
  });

  readonly category = new DataLoader<string, ServiceCategory | null>(async (codes) => {
    const all = await this.providers.listCategories(this.ctx);
    return codes.map((c) => all.find((k) => k.code === c) ?? null);
  });
}

/** Hands out one ProviderLoaderSet per request context, so nothing is cached across requests. */
@Injectable()
export class ProviderLoaders {
  private readonly sets = new WeakMap<RequestContext, ProviderLoaderSet>();

  constructor(private readonly providers: ProvidersService) {}

  /**
   * Hands the loaders the relations a search brought with its page (provider.queries.ts), so that
   * the field resolvers find them without a statement of their own.
   */
  prime(ctx: RequestContext, providers: readonly Provider[]): void {
    const set = this.of(ctx);
    for (const provider of providers) {
      const included = includedWithProvider(provider);
      if (!included) continue;
      if (included.services) set.services.prime(provider.id, included.services);
      if (included.locations) set.locations.prime(provider.id, included.locations);
      for (const [locationId, hours] of included.hours ?? []) set.hours.prime(locationId, hours);
    }
  }

  of(ctx: RequestContext): ProviderLoaderSet {
    let set = this.sets.get(ctx);
    if (!set) {
      set = new ProviderLoaderSet(ctx, this.providers);
      this.sets.set(ctx, set);
    }
    return set;
  }
}
