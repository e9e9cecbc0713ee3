import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RequestContext } from '../auth/request-context.js';
import { canSeeSpecialCategory } from '../auth/special-category.js';
import { describeError } from '../common/describe-error.js';
import {
  buildEsfCube,
  csvField,
  ESF_CSV_COLUMNS,
  ESF_GENDERS,
  ESF_INDICATORS,
  publishEsfCount,
  type EsfCube,
  type EsfRow,
} from './esf-indicators.js';
import type { EsfIndicatorReport, EsfIndicatorRow } from './esf-indicators.model.js';
import { ESF_AS_OF, ESF_ROWS, ESF_VIEW } from './esf-indicators.queries.js';
import { AreaLevel, type Geography } from './statistics-cube.js';
import { ATHENS_MONTH, RECORD_REFRESH, REFRESH_LOCK, refreshSql } from './statistics.queries.js';
import { StatisticsService, type AreaRef, type RefreshResult } from './statistics.service.js';

/**
 * ESF+ participant indicators per centre and fixed period (docs/statistics.md, "ESF+ participant
 * indicators"): read from the `stats_esf` view through a cube like the registry figures, with the
 * same area scope (StatisticsService.authorize), the same threshold and the one suppression
 * function; the disability and minority rows only for callers with special_category.
 */
@Injectable()
export class EsfIndicatorsService {
  private readonly log = new Logger('EsfIndicators');
  private readonly cubes = new Map<boolean, { asOf: string; cube: Promise<EsfCube> }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly statistics: StatisticsService,
  ) {}

  /**
   * Every indicator row of each centre of an area (a municipality with any ESF participant, ever),
   * then the area's own rows when it is larger than a municipality.
   */
  async report(ctx: RequestContext, ref: AreaRef, period: string): Promise<EsfIndicatorReport> {
    const { area, index } = await this.statistics.authorize(ctx, ref, period);
    const threshold = this.statistics.thresholdFor(ctx);
    const withSpecial = canSeeSpecialCategory(ctx);
    const geography = await this.statistics.loadGeography(ctx.em);
    const cube = await this.cube(ctx.em, geography, withSpecial);
    const p = cube.periods.index.get(period);
    const all = cube.periods.index.get('ALL')!;
    const participants = cube.categoryIndex.get('ENTRY:participants:')!;
    const leavers = cube.categoryIndex.get('EXIT:leavers:')!;
    const P = cube.periods.keys.length;
    const K = cube.categories.length * ESF_GENDERS.length;
    // Whether a centre ever had a participant is the true count's, never hidden: zero is always shown.
    const everUsed = (a: number) =>
      cube.values[(a * P + all) * K + participants * ESF_GENDERS.length]! > 0 ||
      cube.values[(a * P + all) * K + leavers * ESF_GENDERS.length]! > 0;
    const centres = area.municipalities.filter(everUsed);
    if (area.level !== AreaLevel.MUNICIPALITY || centres.length === 0) centres.push(index);
    const rows: EsfIndicatorRow[] = [];
    for (const a of centres) {
      const centre = this.statistics.areaView(cube.geography.areas[a]!);
      for (const def of ESF_INDICATORS) {
        const c = cube.categoryIndex.get(def.category);
        if (c === undefined) continue; // a special-category row, for a caller without the permission
        const count = (g: number) => publishEsfCount(cube, a, p, c, g, threshold);
        rows.push({
          period,
          centre,
          code: def.code,
          name: def.name,
          kind: def.kind,
          total: count(0),
          women: count(1),
          men: count(2),
          nonBinary: count(3),
          genderNotRecorded: count(4),
        });
      }
    }
    return {
      area: this.statistics.areaView(area),
      period,
      asOf: cube.asOf,
      smallCellsSuppressed: threshold !== null,
      specialCategoryIncluded: withSpecial,
      rows,
    };
  }

  /** The same report as CSV (ESF_CSV_COLUMNS); a suppressed count is an empty field, zero is 0. */
  async reportCsv(ctx: RequestContext, ref: AreaRef, period: string): Promise<string> {
    const report = await this.report(ctx, ref, period);
    const asOf = report.asOf.toISOString();
    const lines = [ESF_CSV_COLUMNS.join(',')];
    for (const r of report.rows)
      lines.push(
        [
          r.period,
          r.centre.level,
          r.centre.code,
          r.centre.name,
          r.code,
          r.name,
          r.kind,
          r.total.count,
          r.women.count,
          r.men.count,
          r.nonBinary.count,
          r.genderNotRecorded.count,
          asOf,
        ]
          .map(csvField)
          .join(','),
      );
    return lines.join('\r\n') + '\r\n';
  }

  /**
   * Refreshes `stats_esf`: a step of its own, run by the job worker right after
   * StatisticsService.refresh() (same lock and record as the other views, docs/statistics.md).
   */
  async refresh(): Promise<RefreshResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [lock] = await runner.query(REFRESH_LOCK, [ESF_VIEW]);
      if (!lock.locked) {
        await runner.rollbackTransaction();
        return { view: ESF_VIEW, refreshed: false, durationMs: 0, slices: 0, rebuilt: false };
      }
      await runner.query(refreshSql(ESF_VIEW));
      // A materialized view is recounted whole: its contents count as changed (cubes rebuild).
      const [recorded] = await runner.query(RECORD_REFRESH, [ESF_VIEW, lock.started, 0, null, true]);
      await runner.commitTransaction();
      return {
        view: ESF_VIEW,
        refreshed: true,
        durationMs: recorded[0]?.duration_ms ?? 0,
        slices: 0,
        rebuilt: true,
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      this.log.error(`refreshing ${ESF_VIEW}: ${describeError(error)}`);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The cube of the view as last refreshed, rebuilt when its asOf moves; one with, one without special rows. */
  private async cube(em: EntityManager, geography: Geography, withSpecial: boolean): Promise<EsfCube> {
    const [current] = (await em.query(ESF_AS_OF)) as Array<{ refreshed_at: Date }>;
    const asOf = current?.refreshed_at.toISOString() ?? '';
    const cached = this.cubes.get(withSpecial);
    if (cached && cached.asOf === asOf) return cached.cube;
    const cube = (async () => {
      const rows = (await em.query(ESF_ROWS)) as Array<EsfRow & { header: number; as_of: string }>;
      const [{ month }] = (await em.query(ATHENS_MONTH)) as Array<{ month: string }>;
      const header = rows.find((r) => r.header === 0);
      return buildEsfCube(
        geography,
        rows.filter((r) => r.header === 1),
        new Date(header?.as_of ?? 0),
        withSpecial,
        month,
      );
    })();
    this.cubes.set(withSpecial, { asOf, cube });
    try {
      const built = await cube;
      this.cubes.set(withSpecial, { asOf: built.asOf.toISOString(), cube });
      return built;
    } catch (error) {
      this.cubes.delete(withSpecial);
      throw error;
    }
  }
}
