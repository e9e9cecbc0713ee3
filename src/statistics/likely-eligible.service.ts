import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { systemActor } from '../auth/actor.js';
import { RequestContext } from '../auth/request-context.js';
import { auditInsertSql } from '../audit/audit-writer.js';
import { AccessPurpose } from '../audit/purpose.js';
import { describeError } from '../common/describe-error.js';
import { todayInAthens } from '../common/athens-time.js';
import { EligibilityOutcome } from '../eligibility/contracts.js';
import type { ProgrammeRow } from '../eligibility/entitlements.queries.js';
import { FactsService } from '../eligibility/facts/facts.service.js';
import { outcomeOf, prepareProgramme, type PreparedProgramme } from '../eligibility/programme-evaluation.js';
import { parametersAsOf } from '../eligibility/rules/index.js';
import { canSeeSpecialCategory } from '../auth/special-category.js';
import type { EntityManager } from 'typeorm';
import {
  buildLikelyEligibleCube,
  evaluatedIn,
  publishLikelyEligible,
  type LikelyEligibleCube,
  type LikelyEligibleRow,
} from './likely-eligible-cube.js';
import type { LikelyEligibleReport, LikelyEligibleFigure } from './likely-eligible.model.js';
import { AreaLevel } from './statistics-cube.js';
import { StatisticsService, type AreaRef } from './statistics.service.js';
import {
  CLEAR_COUNTS,
  INSERT_COUNTS,
  LIKELY_ELIGIBLE_AS_OF,
  LIKELY_ELIGIBLE_ROWS,
  LIKELY_ELIGIBLE_TABLE,
  OPEN_ENROLMENTS,
  PROGRAMMES_REACHING,
  RECORD_RUN,
} from './likely-eligible.queries.js';
import { REFRESH_LOCK } from './statistics.queries.js';

export interface LikelyEligibleRun {
  view: string;
  /** False when another worker was computing it at that moment. */
  refreshed: boolean;
  durationMs: number;
  /** The day the rules were evaluated for. */
  asOf?: string;
  people?: number;
  evaluations?: number;
  /** Milliseconds in the phases: reading the programmes and enrolments, streaming and evaluating, writing. */
  phases?: { prepareMs: number; evaluateMs: number; writeMs: number };
}

interface Counts {
  evaluated: number;
  eligible: number;
  notEnrolled: number;
  cannotTell: number;
}

/**
 * "People likely eligible but not enrolled" per municipality x programme (docs/statistics.md): a
 * step of its own that the statistics refresh can call. Every active person's facts are streamed
 * through one cursor (FactsService.forEachBatch, the facts view of issue 11) and every programme
 * that reaches their municipality and has a rule is evaluated with the compiled rule (outcome only),
 * as the outreach list does for one programme; the counts replace the previous run's in
 * `stats_likely_eligible`, in one transaction, with one audit row for the bulk read.
 */
@Injectable()
export class LikelyEligibleService {
  private readonly log = new Logger('LikelyEligible');
  private cached?: { asOf: string; cube: Promise<LikelyEligibleCube> };

  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: FactsService,
    private readonly statistics: StatisticsService,
  ) {}

  /**
   * The last run's counts for an area: each programme, in each municipality of the area where it
   * was evaluated, then in the area itself when larger. The area scope, threshold and suppression
   * of the other figures; special-category programmes only with that permission.
   */
  async report(ctx: RequestContext, ref: AreaRef): Promise<LikelyEligibleReport> {
    const { area, index } = await this.statistics.authorize(ctx, ref, 'ALL');
    const threshold = this.statistics.thresholdFor(ctx);
    const cube = await this.cube(ctx.em);
    const visible = cube.programmes
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => !p.special || canSeeSpecialCategory(ctx));
    const areas = area.municipalities.filter((m) => visible.some(({ i }) => evaluatedIn(cube, m, i) > 0));
    if (area.level !== AreaLevel.MUNICIPALITY || areas.length === 0) areas.push(index);
    const rows: LikelyEligibleFigure[] = [];
    for (const a of areas)
      for (const { p, i } of visible) {
        if (evaluatedIn(cube, a, i) === 0) continue;
        const cell = (measure: number) => publishLikelyEligible(cube, a, i, measure, threshold);
        rows.push({
          area: this.statistics.areaView(cube.geography.areas[a]!),
          programmeId: p.id,
          programmeCode: p.code,
          evaluated: cell(0),
          eligible: cell(1),
          eligibleNotEnrolled: cell(2),
          cannotTell: cell(3),
        });
      }
    return {
      area: this.statistics.areaView(area),
      asOf: cube.asOf,
      evaluatedOn: cube.evaluatedOn,
      smallCellsSuppressed: threshold !== null,
      rows,
    };
  }

  private async cube(em: EntityManager): Promise<LikelyEligibleCube> {
    const [current] = (await em.query(LIKELY_ELIGIBLE_AS_OF)) as Array<{ refreshed_at: Date }>;
    const asOf = current?.refreshed_at.toISOString() ?? '';
    if (this.cached?.asOf === asOf) return this.cached.cube;
    const geography = await this.statistics.loadGeography(em);
    const cube = (async () => {
      const rows = (await em.query(LIKELY_ELIGIBLE_ROWS)) as Array<
        LikelyEligibleRow & { header: number; refreshed_at: string | null }
      >;
      const header = rows.find((r) => r.header === 0);
      return buildLikelyEligibleCube(
        geography,
        rows.filter((r) => r.header === 1),
        new Date(header?.refreshed_at ?? 0),
      );
    })();
    this.cached = { asOf, cube };
    try {
      const built = await cube;
      this.cached = { asOf: built.asOf.toISOString(), cube };
      return built;
    } catch (error) {
      this.cached = undefined;
      throw error;
    }
  }

  /** Computes the counts for `asOf` (default today, Athens) and replaces the previous ones. */
  async refresh(asOf: string = todayInAthens()): Promise<LikelyEligibleRun> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const ctx = new RequestContext(randomUUID(), systemActor('statistics-likely-eligible'));
    try {
      // One snapshot for the facts, the enrolments and the programmes.
      await runner.startTransaction('REPEATABLE READ');
      const [lock] = await runner.query(REFRESH_LOCK, [LIKELY_ELIGIBLE_TABLE]);
      if (!lock.locked) {
        await runner.rollbackTransaction();
        return { view: LIKELY_ELIGIBLE_TABLE, refreshed: false, durationMs: 0 };
      }
      const started = performance.now();
      await runner.query(`SELECT set_config('mitroa.area', '*', true)`);
      ctx.bind(runner);
      const rows = (await runner.query(PROGRAMMES_REACHING, [asOf])) as Array<
        ProgrammeRow & { reaches: string[] }
      >;
      const programmes = rows
        .map((row) => ({
          prepared: prepareProgramme(row),
          params: parametersAsOf(row.parameters, asOf),
          reaches: new Set(row.reaches),
        }))
        .filter((p) => p.prepared.compiled !== undefined);
      // Per municipality, the programmes that reach it (a person is evaluated for those alone).
      const byMunicipality = new Map<string, number[]>();
      programmes.forEach((p, i) => {
        for (const m of p.reaches) byMunicipality.set(m, [...(byMunicipality.get(m) ?? []), i]);
      });
      const enrolled = new Map<string, Set<string>>();
      for (const e of (await runner.query(OPEN_ENROLMENTS)) as Array<{
        person_id: string;
        programme_id: string;
      }>) {
        let set = enrolled.get(e.person_id);
        if (!set) enrolled.set(e.person_id, (set = new Set()));
        set.add(e.programme_id);
      }
      const prepared = performance.now();

      const counts = new Map<string, Counts[]>();
      let evaluations = 0;
      const people = await this.facts.forEachBatch(ctx, { asOf, batchSize: 5_000 }, (batch) => {
        for (const person of batch) {
          const reaching = byMunicipality.get(person.municipalityCode);
          if (!reaching) continue;
          let row = counts.get(person.municipalityCode);
          if (!row) counts.set(person.municipalityCode, (row = programmes.map(() => emptyCounts())));
          const own = enrolled.get(person.personId);
          for (const i of reaching) {
            const p = programmes[i]!;
            const c = row[i]!;
            c.evaluated++;
            evaluations++;
            const { outcome } = outcomeOf(p.prepared, person.facts, p.params);
            if (outcome === EligibilityOutcome.ELIGIBLE) {
              c.eligible++;
              if (!own?.has(p.prepared.row.id)) c.notEnrolled++;
            } else if (outcome === EligibilityOutcome.CANNOT_TELL) c.cannotTell++;
          }
        }
      });
      const evaluated = performance.now();

      await runner.query(CLEAR_COUNTS);
      await runner.query(INSERT_COUNTS, [
        ...columnsOf(
          counts,
          programmes.map((p) => p.prepared),
        ),
        asOf,
      ]);
      const durationMs = Math.round(performance.now() - started);
      await runner.query(RECORD_RUN, [lock.started, durationMs]);
      // Every active person's facts were read: one audit row for the bulk read (no person is kept).
      ctx.audit({
        action: 'statistics.likely_eligible',
        subjectType: 'statistics',
        subjectId: LIKELY_ELIGIBLE_TABLE,
        outcome: 'allowed',
        purpose: AccessPurpose.STATISTICS,
        reason: `${people} people, ${programmes.length} programmes, as of ${asOf}`,
      });
      const audit = auditInsertSql(ctx);
      if (audit) await runner.query(audit);
      await runner.commitTransaction();
      return {
        view: LIKELY_ELIGIBLE_TABLE,
        refreshed: true,
        durationMs,
        asOf,
        people,
        evaluations,
        phases: {
          prepareMs: Math.round(prepared - started),
          evaluateMs: Math.round(evaluated - prepared),
          writeMs: Math.round(performance.now() - evaluated),
        },
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      this.log.error(`computing ${LIKELY_ELIGIBLE_TABLE}: ${describeError(error)}`);
      throw error;
    } finally {
      ctx.bind(undefined);
      await runner.release();
    }
  }
}

const emptyCounts = (): Counts => ({ evaluated: 0, eligible: 0, notEnrolled: 0, cannotTell: 0 });

/** The counts as the parallel arrays of INSERT_COUNTS. */
function columnsOf(counts: Map<string, Counts[]>, programmes: PreparedProgramme[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const [municipality, row] of counts)
    row.forEach((c, i) => {
      if (c.evaluated === 0) return;
      const p = programmes[i]!;
      const values = [
        municipality,
        p.row.id,
        p.row.code,
        p.specialCategory,
        c.evaluated,
        c.eligible,
        c.notEnrolled,
        c.cannotTell,
      ];
      values.forEach((v, k) => columns[k]!.push(v));
    });
  return columns;
}
