import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestContext } from '../auth/request-context.js';
import type {
  Programme,
  ProgrammeCoverage,
  ProgrammeParameter,
  ProgrammeRuleCase,
} from './programme.entity.js';
import { ProgrammesService } from './programmes.service.js';

/** The loaders of one request for programme relations (rule 7). */
export class ProgrammeLoaderSet {
  private readonly parametersOn = new Map<string, DataLoader<string, ProgrammeParameter[]>>();

  constructor(
    private readonly ctx: RequestContext,
    private readonly programmes: ProgrammesService,
  ) {}

  readonly programme = new DataLoader<string, Programme | null>(async (ids) => {
    const found = await this.programmes.byIds(this.ctx.em, ids);
    return ids.map((id) => found.find((p) => p.id === id) ?? null);
  });

  readonly coverage = new DataLoader<string, ProgrammeCoverage[]>(async (ids) => {
    const rows = await this.programmes.coverageOf(this.ctx.em, ids);
    return ids.map((id) => rows.filter((r) => r.programmeId === id));
  });

  readonly deliveringProviderIds = new DataLoader<string, string[]>(async (ids) => {
    const found = await this.programmes.deliveringProviderIdsOf(this.ctx.em, ids);
    return ids.map((id) => found.get(id) ?? []);
  });

  readonly ruleCases = new DataLoader<string, ProgrammeRuleCase[]>(async (ids) => {
    const rows = await this.programmes.ruleCasesOf(this.ctx.em, ids);
    return ids.map((id) => rows.filter((r) => r.programmeId === id));
  });

  /** Parameters valid on a day (or all of them): one loader per day asked for. */
  parameters(on: string | undefined): DataLoader<string, ProgrammeParameter[]> {
    const key = on ?? '';
    let loader = this.parametersOn.get(key);
    if (!loader) {
      loader = new DataLoader<string, ProgrammeParameter[]>(async (ids) => {
        const rows = await this.programmes.parametersOf(this.ctx.em, ids, on);
        return ids.map((id) => rows.filter((r) => r.programmeId === id));
      });
      this.parametersOn.set(key, loader);
    }
    return loader;
  }
}

@Injectable()
export class ProgrammeLoaders {
  private readonly sets = new WeakMap<RequestContext, ProgrammeLoaderSet>();

  constructor(private readonly programmes: ProgrammesService) {}

  of(ctx: RequestContext): ProgrammeLoaderSet {
    let set = this.sets.get(ctx);
    if (!set) {
      set = new ProgrammeLoaderSet(ctx, this.programmes);
      this.sets.set(ctx, set);
    }
    return set;
  }
}
