import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { canSeeSpecialCategory, SPECIAL_CATEGORY_GROUP_CODES } from '../auth/special-category.js';
import { describeError } from '../common/describe-error.js';
import { AppConfig } from '../config/app-config.js';
import { withConnectionBudget } from '../database/connection-budget.js';
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
  CLAIM_SLICES,
  deleteSlicesSql,
  DIRTY_MEASURE,
  GEOGRAPHY,
  insertRowsSql,
  MARK_CALENDAR,
  measureRowsSql,
  rebuildSql,
  RECORD_REFRESH,
  REFRESH_START,
  type GeographyRow,
  unpackMeasureRows,
} from './statistics.queries.js';

/**
 * Above this many changed slices (of about 332 municipalities x the months registered), one whole
 * recount is cheaper than finding each slice's rows by index.
 */
const REBUILD_ABOVE_SLICES = 3000;

/**
 * How long a request waits for the new cube of a refreshed table before answering the previous
 * one, when the previous one was read from SMALL_CUBE_ROWS rows or more (else it waits for it:
 * milliseconds).
 */
const CUBE_WAIT_MS = 250;
const SMALL_CUBE_ROWS = 20_000;
const SMALL_CUBE_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A cube and the `changed_at` of the table contents it was built from. */
interface BuiltCube {
  changedAt: string;
  cube: Cube;
  /** The table rows it was built from. */
  rows: number;
  /** Reading the rows and summing them, in milliseconds. */
  loadMs: number;
}
interface CubeEntry {
  built?: BuiltCube;
  building?: Promise<void>;
}

export interface AreaRef {
  level: AreaLevel;
  code: string;
}

export interface RefreshResult {
  view: string;
  /** False when another worker was refreshing it at that moment (it is fresh either way). */
  refreshed: boolean;
  durationMs: number;
  /** (municipality, month) slices that had changed since the last run. */
  slices: number;
  /** Recounted whole rather than by slice. */
  rebuilt: boolean;
}

/**
 * Registry figures per area and fixed period (docs/statistics.md). Requests never count people:
 * they read summary tables at the municipality x month grain, brought up to date every minute by
 * the job worker (refresh()). Each table becomes a cube in memory (statistics-cube.ts), rebuilt when
 * the view's `asOf` moves, and every table any endpoint publishes is read out of a cube by
 * publishCell, with one suppression decided for the whole cube: GraphQL, REST and the map
 * endpoint give the same figure the same answer, and no two answers difference into a hidden one.
 */
@Injectable()
export class StatisticsService {
  private readonly log = new Logger('Statistics');
  private geography?: Promise<Geography>;
  private readonly cubes = new Map<string, CubeEntry>();

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
   * Brings every summary table up to date (the job worker runs it every minute): each measure in a
   * REPEATABLE READ transaction of its own, recounting only the (municipality, month) slices the
   * triggers marked since the last run (migration 1764600000000), or everything when a rebuild was
   * asked for (`rebuild`, the CLI, the migration) or when most slices changed anyway. Readers keep
   * the previous figures until the transaction commits.
   */
  async refresh(options: { rebuild?: boolean } = {}): Promise<RefreshResult[]> {
    const results: RefreshResult[] = [];
    for (const def of MEASURES) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction('REPEATABLE READ');
        const [start] = (await runner.query(REFRESH_START, [def.view])) as Array<{
          locked: boolean;
          started: Date;
          rebuild_needed: boolean;
          calendar_day: string | null;
          today: string;
        }>;
        if (!start?.locked) {
          await runner.rollbackTransaction();
          results.push({ view: def.view, refreshed: false, durationMs: 0, slices: 0, rebuilt: false });
          continue;
        }
        // People's ages and groups change with the day: mark what changed since the last count.
        const calendar = def.view === 'stats_people' ? start.today : null;
        if (calendar && start.calendar_day && start.calendar_day < calendar)
          await runner.query(MARK_CALENDAR, [start.calendar_day, calendar]);
        const [claimed] = (await runner.query(CLAIM_SLICES, [DIRTY_MEASURE[def.view]])) as Array<{
          codes: string[];
          months: string[];
          n: number;
        }>;
        const rebuild =
          options.rebuild === true ||
          start.rebuild_needed ||
          (calendar !== null && start.calendar_day === null) ||
          claimed!.n > REBUILD_ABOVE_SLICES;
        if (rebuild) {
          for (const sql of rebuildSql(def.view)) await runner.query(sql);
          await runner.query(insertRowsSql(def.view, 'whole'));
        } else if (claimed!.n > 0) {
          await runner.query(deleteSlicesSql(def.view), [claimed!.codes, claimed!.months]);
          await runner.query(insertRowsSql(def.view, 'slices'), [claimed!.codes, claimed!.months]);
        }
        const [recorded] = await runner.query(RECORD_REFRESH, [
          def.view,
          start.started,
          claimed!.n,
          calendar,
          rebuild || claimed!.n > 0,
        ]);
        await runner.commitTransaction();
        results.push({
          view: def.view,
          refreshed: true,
          durationMs: recorded[0]?.duration_ms ?? 0,
          slices: claimed!.n,
          rebuilt: rebuild,
        });
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
    const states = new Map(
      (
        (await em.query(AS_OF)) as Array<{ view_name: string; refreshed_at: Date; changed_at: string | null }>
      ).map((r) => [r.view_name, { refreshedAt: r.refreshed_at, changedAt: r.changed_at ?? '' }]),
    );
    const withSpecial = canSeeSpecialCategory(ctx);
    const cubes: Cube[] = [];
    // One after another: a request holds one connection and runs one statement at a time.
    for (const def of MEASURES.filter((m) => measures.includes(m.measure)))
      cubes.push(await this.cube(em, geography, def, withSpecial, states.get(def.view)));
    return cubes;
  }

  /**
   * A measure's cube for the table's current state. The cube is kept while the table's contents
   * are (`changedAt`): a refresh that found nothing to recount only moves `asOf`. When they changed,
   * the new cube is built beside the requests (on a connection of its own) and a request waits
   * for it (at most CUBE_WAIT_MS when the last one was large), else answers the
   * previous cube with that cube's own `asOf`: the figures are never mixed, and a request does not
   * wait seconds for a million people's rows.
   * The first cube of a process is built on the request's own connection.
   */
  private async cube(
    em: EntityManager,
    geography: Geography,
    def: MeasureDef,
    withSpecial: boolean,
    state: { refreshedAt: Date; changedAt: string } | undefined,
  ): Promise<Cube> {
    // People and households hold no special-category rows: one cube serves every caller.
    const variant = def.measure === StatisticsMeasure.PEOPLE || def.measure === StatisticsMeasure.HOUSEHOLDS;
    const key = `${def.measure}:${variant || withSpecial}`;
    let entry = this.cubes.get(key);
    if (!entry) this.cubes.set(key, (entry = {}));
    const load = (query: (sql: string) => Promise<unknown>) =>
      this.loadCube(query, geography, def, variant || withSpecial);
    const current = (e: CubeEntry) =>
      e.built && e.built.changedAt === state?.changedAt ? e.built : undefined;
    const answer = (built: BuiltCube) =>
      state && state.refreshedAt > built.cube.asOf ? { ...built.cube, asOf: state.refreshedAt } : built.cube;

    let now = current(entry);
    if (now) return answer(now);
    if (!entry.built) {
      // Nothing to answer meanwhile: build it here (other requests wait for the same build).
      if (!entry.building)
        entry.building = this.keepBuilt(
          entry,
          load((sql) => em.query(sql)),
        );
      await entry.building;
      return answer(entry.built!);
    }
    if (!entry.building) {
      // A unit of work of its own (its own connection budget): the request does not hold it, and
      // waits for it a bounded time.
      const building = this.keepBuilt(
        entry,
        withConnectionBudget(() => load((sql) => this.dataSource.query(sql))),
      );
      entry.building = building;
      building.catch((error: unknown) =>
        this.log.error(`building the ${def.measure} figures: ${describeError(error)}`),
      );
    }
    const building = entry.building.catch(() => undefined);
    // A small registry's cube is built in milliseconds: wait for it (bounded, should the pool be full).
    await Promise.race([
      building,
      sleep(entry.built.rows < SMALL_CUBE_ROWS ? SMALL_CUBE_WAIT_MS : CUBE_WAIT_MS),
    ]);
    now = current(entry);
    return now ? answer(now) : entry.built.cube;
  }

  /** Keeps a finished build as the entry's cube (unless a newer one is there already). */
  private keepBuilt(entry: CubeEntry, build: Promise<BuiltCube>): Promise<void> {
    return build
      .then((built) => {
        if (!entry.built || entry.built.changedAt <= built.changedAt) entry.built = built;
      })
      .finally(() => {
        entry.building = undefined;
      });
  }

  /** A table's rows and when they were computed (one statement, one snapshot), summed into a cube. */
  private async loadCube(
    query: (sql: string) => Promise<unknown>,
    geography: Geography,
    def: MeasureDef,
    withSpecial: boolean,
  ): Promise<BuiltCube> {
    const started = performance.now();
    const [header] = (await query(measureRowsSql(def.view))) as Array<{
      as_of: string;
      changed_at: string | null;
      rows: string;
    }>;
    const [{ month }] = (await query(ATHENS_MONTH)) as Array<{ month: string }>;
    const data = unpackMeasureRows(header?.rows ?? '');
    return {
      changedAt: header?.changed_at ?? '',
      cube: buildCube(def, geography, data, new Date(header?.as_of ?? 0), withSpecial, month),
      rows: data.length,
      loadMs: performance.now() - started,
    };
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
