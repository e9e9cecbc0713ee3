import { existsSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import {
  BOUNDARIES_ATTRIBUTION,
  loadBoundaries,
  projectShapes,
  type Boundaries,
  type MapFrame,
  type Shape,
} from './map-boundaries.js';
import { classify, fillOf, renderSvg, type MapClass, type ShapeFill } from './map-render.js';
import { AreaLevel, StatisticsMeasure } from './statistics-cube.js';
import type { StatisticsMap } from './statistics-map.model.js';
import type { MunicipalityFigure, StatisticsArea } from './statistics.model.js';
import { MUNICIPALITY_SHAPES } from './statistics.queries.js';
import { StatisticsService, type AreaRef } from './statistics.service.js';

/** What a map colours its municipalities by. */
export enum MapIndicator {
  /** The measure's count. */
  COUNT = 'COUNT',
  /** The count per 1,000 residents (2021 census): comparable between large and small municipalities. */
  PER_1000_RESIDENTS = 'PER_1000_RESIDENTS',
}

export interface MapRequest {
  area: AreaRef;
  period: string;
  measure: StatisticsMeasure;
  indicator: MapIndicator;
}

/** One municipality's published figure, as in `municipalityStatistics`. */
export interface MapPart {
  code: string;
  name: string;
  count: number | null;
  suppressed: boolean;
  population: number | null;
  per1000Residents: number | null;
}

/** The properties of one shape of the map (a GeoJSON feature's `properties`). */
export interface MapFeatureProperties {
  /** ELSTAT codes of the municipalities drawn with this shape (two or three for a 2019 split). */
  codes: string[];
  name: string;
  kallikratis2011Code: string;
  /** True when the shape is the 2011 boundary of municipalities split in 2019, drawn together. */
  drawnWithParentShape: boolean;
  /** null when suppressed: never a number for a suppressed cell. */
  count: number | null;
  suppressed: boolean;
  population: number | null;
  per1000Residents: number | null;
  /** The indicator the map is coloured by: `count` or `per1000Residents`. */
  value: number | null;
  /** The class's colour (also in the SVG map); null when suppressed or without a value. */
  fill: string | null;
  /** For a shared shape, each municipality's own figure, exactly as the table publishes it. */
  parts?: MapPart[];
}

export interface Choropleth {
  area: StatisticsArea;
  measure: StatisticsMeasure;
  indicator: MapIndicator;
  period: string;
  asOf: Date;
  smallCellsSuppressed: boolean;
  classes: MapClass[];
  features: Array<{ id: string; shape: Shape; properties: MapFeatureProperties }>;
}

const MEASURE_TITLES: Record<StatisticsMeasure, string> = {
  [StatisticsMeasure.PEOPLE]: 'People registered',
  [StatisticsMeasure.HOUSEHOLDS]: 'Households',
  [StatisticsMeasure.ENROLMENTS]: 'Enrolments',
  [StatisticsMeasure.REFERRALS]: 'Referrals',
};
const LEVEL_NAMES: Record<AreaLevel, string> = {
  [AreaLevel.MUNICIPALITY]: 'municipality',
  [AreaLevel.REGIONAL_UNIT]: 'regional unit',
  [AreaLevel.OLD_PREFECTURE]: 'old prefecture',
  [AreaLevel.REGION]: 'region',
  [AreaLevel.COUNTRY]: 'country',
};

/**
 * The fonts the PNG is drawn with (Greek and Latin): DejaVu Sans where Debian puts it (package
 * fonts-dejavu-core, in the image). Named files load in a few milliseconds; scanning every system
 * font took ~100 ms a map, so that is the fallback only.
 */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']
  .map((file) => `/usr/share/fonts/truetype/dejavu/${file}`)
  .filter((path) => existsSync(path));

/** Projected frames kept per area and width (an area's shapes never change in a process). */
const FRAME_CACHE_SIZE = 200;

/**
 * Choropleth maps of one measure per municipality of an area (docs/statistics.md, "Maps"): GeoJSON,
 * SVG and PNG. The figures are `StatisticsService.municipalityFigures`, the very cells the table
 * publishes (same scope check, same suppression, same asOf); this service only joins them to the
 * boundaries and draws them. A municipality split in 2019 has no boundary of its own: it is drawn
 * with its 2011 parent's shape, together with its sibling(s), showing their sum, which is
 * suppressed when any part is (a sum of shown cells reveals nothing the table does not; a sum
 * with a hidden part would give the hidden part away).
 */
@Injectable()
export class StatisticsMapService {
  private boundaries?: Boundaries;
  private shapeOf?: Promise<Map<string, string>>;
  private readonly frames = new Map<string, MapFrame>();

  constructor(
    private readonly statistics: StatisticsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** The figures of the caller's area joined to their shapes, classified. */
  async choropleth(ctx: RequestContext, req: MapRequest): Promise<Choropleth> {
    const figures = await this.statistics.municipalityFigures(ctx, req.area, req.period, req.measure);
    const shapeOf = await this.loadShapeOf(ctx);
    const boundaries = this.loadBoundaries();
    const groups = new Map<string, MunicipalityFigure[]>();
    for (const m of figures.municipalities) {
      const code = shapeOf.get(m.area.code);
      if (!code || !boundaries.has(code)) continue;
      groups.set(code, [...(groups.get(code) ?? []), m]);
    }
    const features = [...groups].map(([code, parts]) => {
      const properties = this.properties(boundaries.get(code)!, parts, req.indicator);
      return { id: properties.codes.join('+'), shape: boundaries.get(code)!, properties };
    });
    const classes = classify(
      features.flatMap((f) => (f.properties.value === null ? [] : [f.properties.value])),
      req.indicator === MapIndicator.COUNT,
    );
    for (const f of features)
      f.properties.fill =
        f.properties.suppressed || f.properties.value === null ? null : fillOf(classes, this.fill(f));
    return {
      area: figures.area,
      measure: req.measure,
      indicator: req.indicator,
      period: req.period,
      asOf: figures.asOf,
      smallCellsSuppressed: figures.smallCellsSuppressed,
      classes,
      features,
    };
  }

  /** GeoJSON FeatureCollection (RFC 7946) of the caller's area, serialized. */
  async geojson(ctx: RequestContext, req: MapRequest): Promise<string> {
    return this.geojsonText(await this.choropleth(ctx, req));
  }

  /** The map drawn as SVG, `width` pixels wide. */
  async svg(ctx: RequestContext, req: MapRequest, width: number): Promise<string> {
    return this.drawSvg(await this.choropleth(ctx, req), width);
  }

  /** The SVG rendered to PNG (resvg, on the libuv thread pool: the event loop is not held). */
  async png(ctx: RequestContext, req: MapRequest, width: number): Promise<Buffer> {
    const options: ResvgRenderOptions = {
      fitTo: { mode: 'width', value: width },
      font: FONT_FILES.length
        ? { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans' }
        : { loadSystemFonts: true },
      background: '#ffffff',
    };
    return (await renderAsync(this.drawSvg(await this.choropleth(ctx, req), width), options)).asPng();
  }

  /** GraphQL: the GeoJSON as an object and the SVG. */
  async graphqlMap(ctx: RequestContext, req: MapRequest, width: number): Promise<StatisticsMap> {
    const map = await this.choropleth(ctx, req);
    return {
      area: map.area,
      measure: map.measure,
      indicator: map.indicator,
      period: map.period,
      asOf: map.asOf,
      smallCellsSuppressed: map.smallCellsSuppressed,
      geojson: this.geojsonObject(map),
      svg: this.drawSvg(map, width),
    };
  }

  /** The choropleth as a GeoJSON FeatureCollection (RFC 7946), with what it shows as foreign members. */
  geojsonObject(map: Choropleth): Record<string, unknown> {
    return {
      type: 'FeatureCollection',
      ...this.header(map),
      features: map.features.map((f) => ({
        type: 'Feature',
        id: f.id,
        properties: f.properties,
        geometry: f.shape.geometry,
      })),
    };
  }

  /** The same GeoJSON serialized, with each shape's geometry written once per process, not per request. */
  geojsonText(map: Choropleth): string {
    const header = JSON.stringify({ type: 'FeatureCollection', ...this.header(map) });
    const features = map.features.map(
      (f) =>
        `{"type":"Feature","id":${JSON.stringify(f.id)},"properties":${JSON.stringify(f.properties)},"geometry":${f.shape.geometryJson}}`,
    );
    return `${header.slice(0, -1)},"features":[${features.join(',')}]}`;
  }

  drawSvg(map: Choropleth, width: number): string {
    const frame = this.frame(map, width);
    const per1000 = map.indicator === MapIndicator.PER_1000_RESIDENTS;
    const notes: string[] = [];
    if (map.smallCellsSuppressed)
      notes.push(
        `Counts under ${this.config.SMALL_CELL_THRESHOLD}, and the counts that would give them away, are suppressed (hatched).`,
      );
    if (map.features.some((f) => f.properties.drawnWithParentShape))
      notes.push('Municipalities split in 2019 are drawn with their 2011 boundary, showing their sum.');
    return renderSvg(
      frame,
      map.features.map((f) => this.fill(f)),
      map.classes,
      {
        title: `${MEASURE_TITLES[map.measure]}${per1000 ? ' per 1,000 residents' : ''}: ${map.area.name}`,
        subtitle: `By municipality, ${LEVEL_NAMES[map.area.level]} ${map.area.code}, period ${map.period}`,
        asOf: map.asOf,
        notes,
        attribution: `${BOUNDARIES_ATTRIBUTION}. Populations: ELSTAT census 2021. Figures: mitroa.`,
        decimals: per1000 ? 2 : 0,
      },
    );
  }

  /** The projected shapes of an area's map, computed once per area and width. */
  private frame(map: Choropleth, width: number): MapFrame {
    const key = `${map.area.level}:${map.area.code}:${width}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = projectShapes(
        map.features.map((f) => f.shape),
        width,
      );
      if (this.frames.size >= FRAME_CACHE_SIZE) this.frames.delete(this.frames.keys().next().value!);
      this.frames.set(key, frame);
    }
    return frame;
  }

  private header(map: Choropleth) {
    return {
      area: map.area,
      measure: map.measure,
      indicator: map.indicator,
      period: map.period,
      asOf: map.asOf.toISOString(),
      smallCellsSuppressed: map.smallCellsSuppressed,
      classes: map.classes,
      attribution: BOUNDARIES_ATTRIBUTION,
    };
  }

  private properties(
    shape: Shape,
    parts: MunicipalityFigure[],
    indicator: MapIndicator,
  ): MapFeatureProperties {
    const shared = parts.length > 1 || parts.some((p) => p.area.code !== this.soleChild(shape));
    const suppressed = parts.some((p) => p.total.suppressed);
    const population = parts.every((p) => p.area.population !== null)
      ? parts.reduce((sum, p) => sum + p.area.population!, 0)
      : null;
    const count = suppressed ? null : parts.reduce((sum, p) => sum + p.total.count!, 0);
    // One municipality: its own published per-1,000 figure, so map and table agree to the digit.
    const per1000Residents =
      parts.length === 1
        ? parts[0]!.per1000Residents
        : count === null || !population
          ? null
          : Math.round((count / population) * 1000 * 100) / 100;
    return {
      codes: parts.map((p) => p.area.code),
      name: parts.map((p) => p.area.name).join(' + '),
      kallikratis2011Code: shape.kallikratis2011Code,
      drawnWithParentShape: shared,
      count,
      suppressed,
      population,
      per1000Residents,
      value: indicator === MapIndicator.COUNT ? count : per1000Residents,
      fill: null,
      ...(shared
        ? {
            parts: parts.map((p) => ({
              code: p.area.code,
              name: p.area.name,
              count: p.total.count,
              suppressed: p.total.suppressed,
              population: p.area.population,
              per1000Residents: p.per1000Residents,
            })),
          }
        : {}),
    };
  }

  private fill(f: Choropleth['features'][number]): ShapeFill {
    return {
      shape: f.shape.kallikratis2011Code,
      id: f.id,
      label: f.properties.name,
      value: f.properties.value,
      suppressed: f.properties.suppressed,
    };
  }

  /** The municipality drawn alone with a 2011 shape; undefined when the shape is a 2019 split's. */
  private soleChild(shape: Shape): string | undefined {
    return this.children?.get(shape.kallikratis2011Code);
  }

  private children?: Map<string, string | undefined>;

  private loadShapeOf(ctx: RequestContext): Promise<Map<string, string>> {
    this.shapeOf ??= (
      ctx.em.query(MUNICIPALITY_SHAPES) as Promise<
        Array<{ code: string; predecessor_2011_code: string | null }>
      >
    ).then((rows) => {
      const shapeOf = new Map<string, string>();
      const children = new Map<string, string | undefined>();
      for (const r of rows) {
        if (!r.predecessor_2011_code) continue;
        shapeOf.set(r.code, r.predecessor_2011_code);
        // a 2011 code with two or more descendants: no one draws that shape alone
        children.set(r.predecessor_2011_code, children.has(r.predecessor_2011_code) ? undefined : r.code);
      }
      this.children = children;
      return shapeOf;
    });
    return this.shapeOf.catch((error: unknown) => {
      this.shapeOf = undefined;
      throw error;
    });
  }

  private loadBoundaries(): Boundaries {
    this.boundaries ??= loadBoundaries();
    return this.boundaries;
  }
}
