import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { canSeeSpecialCategory, SPECIAL_CATEGORY_GROUP_CODES } from '../auth/special-category.js';
import { describeError } from '../common/describe-error.js';
import { AppConfig } from '../config/app-config.js';
import {
  AreaLevel,
  buildCube,
  buildGeography,
  MEASURES,
  PERIOD_PATTERN,
  publishCell,
  StatisticsMeasure,
  TOTAL_KEY,
  type Area,
  type Cube,
  type Geography,
  type MeasureDef,
} from './statistics-cube.js';
import { StatisticsError, StatisticsErrorCode } from './statistics.errors.js';
import type {
  AreaStatistics,
  MunicipalityFigures,
  StatisticsArea,
  StatisticsCell,
  StatisticsTable,
} from './statistics.model.js';
import {
  AS_OF,
  ATHENS_MONTH,
  GEOGRAPHY,
  measureRowsSql,
  RECORD_REFRESH,
  refreshSql,
  REFRESH_LOCK,
  type GeographyRow,
  type MeasureRow,
} from './statistics.queries.js';

export interface AreaRef {
  level: AreaLevel;
  code: string;
}

export interface RefreshResult {
  view: string;
  /** False when another worker was refreshing it at that moment (it is fresh either way). */
  refreshed: boolean;
  durationMs: number;
}

/**
 * Registry figures per area and fixed period (docs/statistics.md). Requests never count people:
 * they read materialized views at the municipality x month grain, refreshed every minute by the
 * job worker (refresh()). Each view becomes a cube in memory (statistics-cube.ts), rebuilt when
 * the view's `asOf` moves, and every table any endpoint publishes is read out of a cube by
 * publishCell, with one suppression decided for the whole cube: GraphQL, REST and the map
 * endpoint give the same figure the same answer, and no two answers difference into a hidden one.
 */
@Injectable()
export class StatisticsService {
  private readonly log = new Logger('Statistics');
  private geography?: Promise<Geography>;
  private readonly cubes = new Map<string, { asOf: string; cube: Promise<Cube> }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Every table of an area for a fixed period, as the caller may see them. */
  async figures(ctx: RequestContext, ref: AreaRef, period: string): Promise<AreaStatistics> {
    const { area, index } = await this.authorize(ctx, ref, period);
    const threshold = this.thresholdFor(ctx);
    const cubes = await this.cubesFor(ctx);
    const tables = cubes.map((cube) => this.table(ctx, cube, index, period, threshold));
    const people = tables.find((t) => t.measure === StatisticsMeasure.PEOPLE)!;
    return {
      area: this.areaView(area),
      period,
      asOf: new Date(Math.min(...tables.map((t) => t.asOf.getTime()))),
      smallCellsSuppressed: threshold !== null,
      peoplePer1000Residents: per1000(people.total.count, area.population),
      tables,
    };
  }

  /** One measure's total for each municipality of an area (what a choropleth map draws). */
  async municipalityFigures(
    ctx: RequestContext,
    ref: AreaRef,
    period: string,
    measure: StatisticsMeasure,
  ): Promise<MunicipalityFigures> {
    const { area } = await this.authorize(ctx, ref, period);
    const threshold = this.thresholdFor(ctx);
    const cube = (await this.cubesFor(ctx, [measure]))[0]!;
    const p = cube.periods.index.get(period);
    return {
      area: this.areaView(area),
      measure,
      period,
      asOf: cube.asOf,
      smallCellsSuppressed: threshold !== null,
      municipalities: area.municipalities.map((m) => {
        const municipality = cube.geography.areas[m]!;
        const total =
          p === undefined
            ? { key: TOTAL_KEY, count: 0, suppressed: false }
            : publishCell(cube, m, p, 0, threshold, TOTAL_KEY);
        return {
          area: this.areaView(municipality),
          total,
          per1000Residents: per1000(total.count, municipality.population),
        };
      }),
    };
  }

  /**
   * Refreshes every statistics view (the job worker runs it every minute). Each view in a
   * transaction of its own, so readers of the others never wait.
   */
  async refresh(): Promise<RefreshResult[]> {
    const results: RefreshResult[] = [];
    for (const def of MEASURES) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const [lock] = await runner.query(REFRESH_LOCK, [def.view]);
        if (!lock.locked) {
          await runner.rollbackTransaction();
          results.push({ view: def.view, refreshed: false, durationMs: 0 });
          continue;
        }
        await runner.query(refreshSql(def.view));
        const [recorded] = await runner.query(RECORD_REFRESH, [def.view, lock.started]);
        await runner.commitTransaction();
        results.push({ view: def.view, refreshed: true, durationMs: recorded[0]?.duration_ms ?? 0 });
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        this.log.error(`refreshing ${def.view}: ${describeError(error)}`);
        throw error;
      } finally {
        await runner.release();
      }
    }
    return results;
  }

  /** The cubes a caller reads: special-category rows only with that permission. */
  async cubesFor(
    ctx: RequestContext,
    measures: readonly StatisticsMeasure[] = MEASURES.map((m) => m.measure),
  ): Promise<Cube[]> {
    const em = ctx.em;
    const geography = await this.loadGeography(em);
    const asOf = new Map<string, string>(
      ((await em.query(AS_OF)) as Array<{ view_name: string; refreshed_at: Date }>).map((r) => [
        r.view_name,
        r.refreshed_at.toISOString(),
      ]),
    );
    const withSpecial = canSeeSpecialCategory(ctx);
    const cubes: Cube[] = [];
    // One after another: a request holds one connection and runs one statement at a time.
    for (const def of MEASURES.filter((m) => measures.includes(m.measure)))
      cubes.push(await this.cube(em, geography, def, withSpecial, asOf.get(def.view)));
    return cubes;
  }

  private async cube(
    em: EntityManager,
    geography: Geography,
    def: MeasureDef,
    withSpecial: boolean,
    asOf: string | undefined,
  ): Promise<Cube> {
    // People and households hold no special-category rows: one cube serves every caller.
    const variant = def.measure === StatisticsMeasure.PEOPLE || def.measure === StatisticsMeasure.HOUSEHOLDS;
    const key = `${def.measure}:${variant || withSpecial}`;
    const cached = this.cubes.get(key);
    if (cached && cached.asOf === asOf) return cached.cube;
    const cube = (async () => {
      const rows = (await em.query(measureRowsSql(def.view))) as Array<
        MeasureRow & { header: number; as_of: string }
      >;
      const [{ month }] = (await em.query(ATHENS_MONTH)) as Array<{ month: string }>;
      const header = rows.find((r) => r.header === 0);
      const data = rows.filter((r) => r.header === 1);
      return buildCube(def, geography, data, new Date(header?.as_of ?? 0), variant || withSpecial, month);
    })();
    this.cubes.set(key, { asOf: asOf ?? '', cube });
    try {
      const built = await cube;
      // Cached under the time its rows carry (a refresh may have committed since asOf was read).
      this.cubes.set(key, { asOf: built.asOf.toISOString(), cube });
      return built;
    } catch (error) {
      this.cubes.delete(key);
      throw error;
    }
  }

  /** The geography of every figure (read once per process). */
  loadGeography(em: EntityManager): Promise<Geography> {
    this.geography ??= (em.query(GEOGRAPHY) as Promise<GeographyRow[]>).then(buildGeography);
    return this.geography.catch((error: unknown) => {
      this.geography = undefined;
      throw error;
    });
  }

  /**
   * Who may read figures of which area: national roles any; a regional officer its region and the
   * areas in it; centre staff their own municipalities. Anything else is OUTSIDE_YOUR_AREA (audited).
   */
  async authorize(ctx: RequestContext, ref: AreaRef, period: string): Promise<{ area: Area; index: number }> {
    const scope = ctx.actor.scope;
    if (!ctx.can(Permission.STATISTICS_READ) && scope.level !== 'centre')
      ctx.require(Permission.STATISTICS_READ, 'statistics.read');
    if (!PERIOD_PATTERN.test(period))
      throw new StatisticsError(
        StatisticsErrorCode.BAD_PERIOD,
        'period must be ALL, a year (2025), a quarter (2025-Q1) or a month (2025-01)',
      );
    const geography = await this.loadGeography(ctx.em);
    const index = geography.find(ref.level, ref.code);
    if (index === undefined)
      throw new StatisticsError(
        StatisticsErrorCode.UNKNOWN_AREA,
        `There is no ${ref.level.toLowerCase().replace('_', ' ')} with code ${ref.code}.`,
      );
    const area = geography.areas[index]!;
    if (scope.level !== 'national') {
      const own = new Set(scope.level === 'none' ? [] : scope.municipalityCodes);
      const inside = scope.level !== 'provider' && area.municipalityCodes.every((c) => own.has(c));
      if (!inside) {
        ctx.audit({
          action: 'statistics.read',
          subjectType: 'area',
          subjectId: `${ref.level}:${ref.code}`,
          outcome: 'denied',
          reason: 'outside the caller area',
        });
        throw new StatisticsError(
          StatisticsErrorCode.OUTSIDE_YOUR_AREA,
          `The figures of ${area.name} are outside your area: you see ${
            scope.level === 'region' ? 'your region and the areas in it' : 'your own municipalities'
          }.`,
        );
      }
    }
    return { area, index };
  }

  /** Whole figures for national callers; suppressed at SMALL_CELL_THRESHOLD for everyone else. */
  thresholdFor(ctx: RequestContext): number | null {
    return ctx.actor.scope.level === 'national' ? null : this.config.SMALL_CELL_THRESHOLD;
  }

  private table(
    ctx: RequestContext,
    cube: Cube,
    area: number,
    period: string,
    threshold: number | null,
  ): StatisticsTable {
    const p = cube.periods.index.get(period);
    const cell = (periodIndex: number | undefined, key: number, label: string): StatisticsCell =>
      periodIndex === undefined
        ? { key: label, count: 0, suppressed: false }
        : publishCell(cube, area, periodIndex, key, threshold, label);
    const special = new Set(canSeeSpecialCategory(ctx) ? [] : SPECIAL_CATEGORY_GROUP_CODES);
    return {
      measure: cube.measure,
      asOf: cube.asOf,
      total: cell(p, 0, TOTAL_KEY),
      breakdowns: cube.dimensions.map((d) => ({
        dimension: d.name,
        cells: d.keys
          .map((k) => cube.keys[k]!)
          .filter((k) => !(k.startsWith('group:') && special.has(k.slice('group:'.length))))
          .map((k) => cell(p, cube.keyIndex.get(k)!, k.slice(d.name.length + 1))),
      })),
      trend:
        p === undefined ? [] : cube.periods.parts(p).map((part) => cell(part, 0, cube.periods.keys[part]!)),
    };
  }

  areaView(area: Area): StatisticsArea {
    return { level: area.level, code: area.code, name: area.name, population: area.population };
  }
}

function per1000(count: number | null, population: number | null): number | null {
  if (count === null || !population) return null;
  return Math.round((count / population) * 1000 * 100) / 100;
}
