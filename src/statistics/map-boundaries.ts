import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { geoPath, geoStream, geoTransverseMercator, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

/**
 * The municipal boundaries maps are drawn with: the 325 Kallikratis 2011 municipalities (and Mount
 * Athos, which is no municipality and is not drawn), simplified to about 3% of their vertices
 * upstream, in data/geography/ with their attribution. A municipality made in 2019 by splitting a
 * 2011 one has no boundary of its own: it is drawn with its parent's shape (statistics-map.service.ts).
 * The file is read once per process; each shape keeps its geometry serialized (a GeoJSON answer
 * concatenates strings, it does not re-serialize 47,000 points), and the projected SVG paths of
 * an area's map are computed once per area and width and kept.
 */

export const BOUNDARIES_FILE = 'data/geography/municipalities_2011_boundaries.geojson';

/** Said on every map and in every GeoJSON answer (CC BY 3.0 asks for it). */
export const BOUNDARIES_ATTRIBUTION =
  'Boundaries: Kallikratis 2011 municipalities, geodata.gov.gr (CC BY 3.0), simplified';

type Area2D = Polygon | MultiPolygon;

export interface Shape {
  kallikratis2011Code: string;
  name: string;
  /** RFC 7946 geometry (exterior rings counter-clockwise), as in the file. */
  geometry: Area2D;
  /** The same, serialized once. */
  geometryJson: string;
  /** The same rings reversed: d3-geo takes the clockwise ring as the inside on the sphere. */
  d3: Feature<Area2D>;
}

export type Boundaries = ReadonlyMap<string, Shape>;

/** Reads the boundaries file (found up from this module, so it works from src/ and from dist/). */
export function loadBoundaries(file = findDataFile(BOUNDARIES_FILE)): Boundaries {
  const collection = JSON.parse(readFileSync(file, 'utf8')) as FeatureCollection<
    Area2D,
    { kallikratis_2011_code: string | null; name: string }
  >;
  const shapes = new Map<string, Shape>();
  for (const feature of collection.features) {
    const code = feature.properties.kallikratis_2011_code;
    if (!code) continue; // Mount Athos: self-governing, no municipality, no figures
    const geometry = feature.geometry;
    const reversed = (rings: Position[][]) => rings.map((ring) => [...ring].reverse());
    const d3Geometry: Area2D =
      geometry.type === 'Polygon'
        ? { type: 'Polygon', coordinates: reversed(geometry.coordinates) }
        : { type: 'MultiPolygon', coordinates: geometry.coordinates.map(reversed) };
    shapes.set(code, {
      kallikratis2011Code: code,
      name: feature.properties.name,
      geometry,
      geometryJson: JSON.stringify(geometry),
      d3: { type: 'Feature', properties: null, geometry: d3Geometry },
    });
  }
  return shapes;
}

function findDataFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The projected shapes of one map: SVG path data per 2011 code, and the projection for anything else. */
export interface MapFrame {
  width: number;
  height: number;
  projection: GeoProjection;
  paths: Map<string, string>;
}

/** Margin around the shapes, in pixels. */
const PADDING = 8;

/**
 * Fits the shapes into `width` pixels (height from their extent, at most 1.5 x the width) in a
 * transverse Mercator on 24°E (the central meridian of the Greek grid, EGSA87), and writes each as
 * SVG path data on a whole-pixel grid: points rounded, repeats and points on a straight line
 * between their neighbours dropped, then written as relative moves. Every step is decided per point
 * (a point on a straight line is on the drawn border either way), so the border two neighbours
 * share is drawn the same in both: no slivers, no gaps. A ring that rounds to less than a triangle
 * (an islet under a pixel) is kept, at a tenth of a pixel.
 */
export function projectShapes(shapes: readonly Shape[], width: number): MapFrame {
  const collection: FeatureCollection<Area2D> = {
    type: 'FeatureCollection',
    features: shapes.map((s) => s.d3),
  };
  const projection = geoTransverseMercator().rotate([-24, 0]);
  projection.fitWidth(width - 2 * PADDING, collection);
  const [[, y0], [, y1]] = geoPath(projection).bounds(collection);
  const height = Math.min(Math.ceil(y1 - y0) + 2 * PADDING, Math.round(width * 1.5));
  projection.fitExtent(
    [
      [PADDING, PADDING],
      [width - PADDING, height - PADDING],
    ],
    collection,
  );
  const paths = new Map<string, string>();
  for (const shape of shapes) paths.set(shape.kallikratis2011Code, pathData(shape.d3, projection));
  return { width, height, projection, paths };
}

function pathData(feature: Feature<Area2D>, projection: GeoProjection): string {
  const parts: string[] = [];
  let ring: Array<[number, number]> = [];
  const sink = {
    point(x: number, y: number) {
      ring.push([x, y]);
    },
    lineStart() {
      ring = [];
    },
    lineEnd() {
      const rounded = simplifyOnGrid(ring.map(([x, y]) => [Math.round(x), Math.round(y)]));
      if (rounded.length >= 3) parts.push(relativeRing(rounded));
      else if (ring.length >= 3)
        parts.push(relativeRing(ring.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10])));
    },
    polygonStart() {},
    polygonEnd() {},
    sphere() {},
  };
  geoStream(feature, projection.stream(sink));
  return parts.join('');
}

/** Drops repeated points and points on the straight line between their neighbours (a closed ring). */
function simplifyOnGrid(points: Array<[number, number]>): Array<[number, number]> {
  const distinct: Array<[number, number]> = [];
  for (const p of points) {
    const last = distinct[distinct.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) distinct.push(p);
  }
  while (distinct.length > 1) {
    const first = distinct[0]!;
    const last = distinct[distinct.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) break;
    distinct.pop();
  }
  const n = distinct.length;
  if (n < 3) return distinct;
  return distinct.filter((p, i) => {
    const a = distinct[(i + n - 1) % n]!;
    const b = distinct[(i + 1) % n]!;
    const cross = (p[0] - a[0]) * (b[1] - a[1]) - (p[1] - a[1]) * (b[0] - a[0]);
    const between = (p[0] - a[0]) * (p[0] - b[0]) <= 0 && (p[1] - a[1]) * (p[1] - b[1]) <= 0;
    return !(cross === 0 && between);
  });
}

/** `M x,y l dx,dy ... z`: relative moves on a pixel grid are one or two digits each. */
function relativeRing(points: Array<[number, number]>): string {
  const [x0, y0] = points[0]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  const moves: string[] = [];
  for (let i = 1; i < points.length; i++)
    moves.push(`${round(points[i]![0] - points[i - 1]![0])},${round(points[i]![1] - points[i - 1]![1])}`);
  return `M${x0},${y0}l${moves.join(' ').replace(/ -/g, '-')}z`;
}
