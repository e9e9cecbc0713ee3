import { athensTime } from '../common/athens-time.js';
import type { MapFrame } from './map-boundaries.js';

/**
 * A choropleth as SVG, for reports: title, the indicator and period, the classes in a legend,
 * suppressed shapes hatched, as of when the figures were computed, and the attribution the
 * boundaries' licence asks for. Pure: it draws what it is given (statistics-map.service.ts decides
 * the values, and suppression was decided before, in the cube).
 */

/** What a shape shows: a value, suppressed (hatched), or no value (no population to divide by). */
export interface ShapeFill {
  /** The key of the shape's path in the frame (its 2011 code). */
  shape: string;
  /** Feature id (ELSTAT codes joined with +), for the path's id. */
  id: string;
  label: string;
  value: number | null;
  suppressed: boolean;
}

export interface MapClass {
  /** Inclusive. */
  from: number;
  /** Exclusive, except the last class's. */
  to: number;
  fill: string;
}

export interface MapText {
  title: string;
  subtitle: string;
  asOf: Date;
  notes: string[];
  attribution: string;
  /** How a value is written (decimals). */
  decimals: number;
}

/** A sequential scale, light to dark (legible in grey too). */
export const CLASS_FILLS = ['#e8f1f8', '#b3d1e8', '#6fa8d3', '#3a7cb8', '#15508f'] as const;
export const SUPPRESSED_FILL = 'url(#suppressed)';
export const NO_VALUE_FILL = '#ffffff';
/** The hatching's colours (a suppressed shape's pixels are one of them). */
export const HATCH_COLOURS = ['#d9d9d9', '#8c8c8c'] as const;

/**
 * Equal classes from 0 to the largest value, rounded up to a round number (1, 2, 2.5 or 5 x 10^k),
 * so the legend reads 0-20, 20-40, ...; counts get whole-number bounds. All zero: one class.
 */
export function classify(values: readonly number[], wholeNumbers: boolean): MapClass[] {
  const max = Math.max(0, ...values);
  if (max === 0) return [{ from: 0, to: 0, fill: CLASS_FILLS[0] }];
  const n = CLASS_FILLS.length;
  let step = niceStep(max / n);
  if (wholeNumbers) step = Math.max(1, Math.ceil(step));
  const count = Math.min(n, Math.ceil(max / step - 1e-9)) || 1;
  const classes: MapClass[] = [];
  for (let i = 0; i < count; i++)
    classes.push({
      from: round(i * step),
      to: round((i + 1) * step),
      // fewer classes than colours: spread over the scale, lightest to darkest
      fill: CLASS_FILLS[count === 1 ? n - 1 : Math.round((i * (n - 1)) / (count - 1))]!,
    });
  return classes;
}

export function classOf(classes: readonly MapClass[], value: number): MapClass {
  return classes.find((c) => value < c.to) ?? classes[classes.length - 1]!;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power + 1e-12) return m * power;
  return 10 * power;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function fillOf(classes: readonly MapClass[], shape: ShapeFill): string {
  if (shape.suppressed) return SUPPRESSED_FILL;
  if (shape.value === null) return NO_VALUE_FILL;
  return classOf(classes, shape.value).fill;
}

const HEADER = 60;
const LEGEND_ROW = 22;
const LINE = 15;

export function renderSvg(
  frame: MapFrame,
  shapes: readonly ShapeFill[],
  classes: readonly MapClass[],
  text: MapText,
): string {
  const { width } = frame;
  const fmt = (v: number) =>
    v.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: text.decimals });
  const legend: Array<{ fill: string; label: string }> = classes.map((c, i) => ({
    fill: c.fill,
    label:
      classes.length === 1 && c.to === 0
        ? '0'
        : i === classes.length - 1
          ? `${fmt(c.from)} – ${fmt(c.to)}`
          : `${fmt(c.from)} – < ${fmt(c.to)}`,
  }));
  if (shapes.some((s) => s.suppressed))
    legend.push({ fill: SUPPRESSED_FILL, label: 'suppressed (small count)' });
  if (shapes.some((s) => !s.suppressed && s.value === null))
    legend.push({ fill: NO_VALUE_FILL, label: 'no value' });
  const perRow = Math.max(1, Math.floor((width - 16) / 170));
  const legendRows = Math.ceil(legend.length / perRow);
  const mapTop = HEADER;
  const legendTop = mapTop + frame.height + 6;
  const footerTop = legendTop + legendRows * LEGEND_ROW + 8;
  const footer = [...text.notes, text.attribution];
  const height = footerTop + footer.length * LINE + 6;
  const when = athensTime(text.asOf);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<title>${esc(text.title)}</title>`,
    `<defs><pattern id="suppressed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="6" height="6" fill="${HATCH_COLOURS[0]}"/><rect width="2" height="6" fill="${HATCH_COLOURS[1]}"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="22" font-size="16" font-weight="bold" fill="#1a1a1a">${esc(text.title)}</text>`,
    `<text x="8" y="42" font-size="12" fill="#333333">${esc(text.subtitle)} · as of ${when.date} ${when.time.slice(0, 5)} (Athens)</text>`,
    `<g transform="translate(0,${mapTop})" stroke="#8c8c8c" stroke-width="0.4" stroke-linejoin="round">`,
  );
  for (const shape of shapes) {
    const d = frame.paths.get(shape.shape);
    if (!d) continue;
    const shown = shape.suppressed ? 'suppressed' : shape.value === null ? 'no value' : fmt(shape.value);
    out.push(
      `<path id="m-${esc(shape.id)}" fill="${fillOf(classes, shape)}" d="${d}"><title>${esc(shape.label)}: ${shown}</title></path>`,
    );
  }
  out.push('</g>');
  legend.forEach((item, i) => {
    const x = 8 + (i % perRow) * 170;
    const y = legendTop + Math.floor(i / perRow) * LEGEND_ROW;
    out.push(
      `<rect x="${x}" y="${y}" width="18" height="14" fill="${item.fill}" stroke="#666666" stroke-width="0.5"/>`,
      `<text x="${x + 24}" y="${y + 11}" font-size="11" fill="#1a1a1a">${esc(item.label)}</text>`,
    );
  });
  footer.forEach((line, i) =>
    out.push(
      `<text x="8" y="${footerTop + (i + 1) * LINE - 4}" font-size="10" fill="#555555">${esc(line)}</text>`,
    ),
  );
  out.push('</svg>');
  return out.join('\n');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
