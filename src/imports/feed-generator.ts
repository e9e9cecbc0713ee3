import { once } from 'node:events';
import type { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import { MUNICIPALITIES } from '../../migrations/data/geography.js';
import {
  Random,
  SyntheticPopulation,
  type SyntheticHousehold,
  type SyntheticPerson,
  type WeightedMunicipality,
} from '../demo/synthetic-people.js';
import { FeedEncoding, FeedFormat, FeedKind, RowProblemCode, type FeedDefinition } from './contracts.js';
import { feedDefinition } from './feeds.js';
import { iconvName } from './formats/encoding.js';
import { recordLength, TAXIS_LAYOUT } from './formats/fixed-width.js';

/**
 * Synthetic feed files (issue 13): realistic rows about the people of a synthetic population
 * (src/demo/synthetic-people.ts), so that a file generated with the population seed and size of a
 * benchmark database names the people of that database: the same seed gives the same people, AFMs
 * and AMKAs. A share of rows is made bad on purpose, each with exactly one problem whose code the
 * summary counts, so a parser's report can be checked against it.
 *
 * Rows are drawn household by household and written as they come; memory does not grow with the
 * number of rows. When the population runs out before the rows asked for, it is drawn again from
 * the start for an earlier period (TAXIS: the previous tax year; others: a year earlier).
 */

export interface GenerateFeedOptions {
  feed: FeedKind;
  rows: number;
  format?: FeedFormat;
  encoding?: FeedEncoding;
  delimiter?: ';' | ',';
  /** Share of rows made bad on purpose, 0..1 (default 0). */
  badShare?: number;
  /** Seed of the rows' values and of which rows are bad. */
  seed?: number;
  /** Seed and size of the synthetic population (the benchmarks' SEED and BENCH_PEOPLE). */
  peopleSeed?: number;
  people?: number;
  /** Municipalities and weights as the benchmark read them (default: `geographyMunicipalities()`). */
  municipalities?: WeightedMunicipality[];
  romaMunicipalities?: string[];
  /** Facts are of this year: TAXIS declares tax year referenceYear − 1 (default 2025, as the benchmarks). */
  referenceYear?: number;
}

export interface GenerateFeedSummary {
  rows: number;
  badRows: number;
  /** Bad rows by the problem each was made to have. */
  problems: Partial<Record<RowProblemCode, number>>;
  /** Times the population was drawn (more than 1 when the rows outnumber what one draw gives). */
  passes: number;
}

export const DEFAULT_PEOPLE_SEED = 20_261_123;

/**
 * The municipalities and census weights in the order a freshly migrated database returns
 * `SELECT code, coalesce(population_2021, 1000) FROM municipality` (bench/synthetic-database.ts):
 * the order of migrations/data/geography.ts, except 4604, which the municipality-aliases migration
 * rewrites and so moves to the end of the table. Pass the database's own list when in doubt.
 */
export function geographyMunicipalities(): WeightedMunicipality[] {
  const all = MUNICIPALITIES.map(([code, , , , , population]) => ({ code, weight: population ?? 1000 }));
  const moved = all.filter((m) => m.code === '4604');
  return [...all.filter((m) => m.code !== '4604'), ...moved];
}

/** One generated row: canonical field name -> value in the neutral form formatRow writes. */
type Cells = Record<string, string | number | boolean | null>;

type BadKind = 'IDENTIFIER' | 'DATE' | 'CODE' | 'RANGE' | 'NUMBER' | 'MISSING' | 'MALFORMED';

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Rows about one household, for one pass (0 = the latest period). */
function householdRows(
  feed: FeedKind,
  household: SyntheticHousehold,
  population: SyntheticPopulation,
  r: Random,
  year: number,
  pass: number,
  next: { externalId: number },
): Cells[] {
  const members = household.members.map((m) => m.person);
  const adults = members.filter((p) => population.ageOf(p.birthDate) >= 18);
  const destitute = members.some((p) => p.groups.some((g) => g.code === 'DESTITUTE'));
  const rows: Cells[] = [];
  const refDate = `${year - pass}-10-01`;
  switch (feed) {
    case FeedKind.TAXIS: {
      const taxYear = year - 1 - pass;
      const scale = (destitute ? 0.2 : 1) * (1 - 0.03 * pass);
      const incomes = adults.map((p) => {
        const age = population.ageOf(p.birthDate);
        const money = (chance: number, min: number, max: number) =>
          r.chance(chance) ? round2((r.int(min * 100, max * 100) / 100) * scale) : 0;
        return {
          person: p,
          income_salary: age < 67 ? money(0.6, 6000, 38000) : 0,
          income_pension: age >= 62 ? money(0.85, 4800, 22000) : 0,
          income_business: money(0.08, 2000, 60000),
          income_farming: money(0.06, 800, 15000),
          income_rental: money(0.1, 900, 14000),
          income_other: money(0.05, 50, 3000),
        };
      });
      const total = round2(
        incomes.reduce(
          (sum, i) =>
            sum +
            i.income_salary +
            i.income_pension +
            i.income_business +
            i.income_farming +
            i.income_rental +
            i.income_other,
          0,
        ),
      );
      const realEstate = r.chance(destitute ? 0.15 : 0.6) ? r.int(8000, 260000) : 0;
      const vehicles = r.chance(destitute ? 0.2 : 0.75) ? r.int(1, 3) : 0;
      const vehicleValue = vehicles * r.int(800, 14000);
      for (const i of incomes) {
        if (!i.person.afm) continue;
        rows.push({
          afm: i.person.afm,
          tax_year: taxYear,
          household_income: total,
          income_salary: i.income_salary,
          income_pension: i.income_pension,
          income_business: i.income_business,
          income_farming: i.income_farming,
          income_rental: i.income_rental,
          income_other: i.income_other,
          real_estate_value: realEstate,
          vehicles,
          vehicle_value: vehicleValue,
        });
      }
      break;
    }
    case FeedKind.EFKA:
      for (const p of adults) {
        if (!p.amka) continue;
        const age = population.ageOf(p.birthDate) - pass;
        const pension = age >= 62 && r.chance(0.85);
        const status = pension
          ? 'RETIRED'
          : r.chance(destitute ? 0.35 : 0.12)
            ? 'UNEMPLOYED'
            : r.chance(0.15)
              ? 'SELF_EMPLOYED'
              : r.chance(0.8)
                ? 'EMPLOYED'
                : 'INACTIVE';
        rows.push({
          amka: p.amka,
          reference_date: refDate,
          insured: pension || status === 'EMPLOYED' || status === 'SELF_EMPLOYED' || r.chance(0.6),
          employment_status: status,
          receives_pension: pension,
          pension_amount: pension ? round2(380 + r.int(0, 150000) / 100) : null,
        });
      }
      break;
    case FeedKind.OPEKA: {
      const children = members.filter((p) => population.ageOf(p.birthDate) < 18);
      const reference = members[0]!;
      const paid = (p: SyntheticPerson, code: string, amount: number) => {
        const month = r.int(1, 12);
        const start = Date.UTC(year - pass, month - 1, 1);
        const end = Date.UTC(year - pass, month, 0);
        // Most rows carry the AMKA; some only the AFM (OPEKA keys by either).
        const byAfm = p.afm !== null && (p.amka === null || r.chance(0.1));
        if (!byAfm && !p.amka) return;
        rows.push({
          amka: byAfm ? null : p.amka,
          afm: byAfm ? p.afm : null,
          benefit_code: code,
          period_start: iso(start),
          period_end: iso(end),
          amount_paid: round2(amount),
        });
      };
      if (destitute) paid(reference, 'KEA', r.int(15000, 90000) / 100);
      if (children.length > 0 && r.chance(0.7))
        paid(reference, 'A21', 70 * children.length + r.int(0, 4000) / 100);
      if (r.chance(destitute ? 0.5 : 0.08)) paid(reference, 'HOUSING', r.int(7000, 21000) / 100);
      if (r.chance(destitute ? 0.4 : 0.05)) paid(reference, 'HEATING', r.int(5000, 80000) / 100);
      for (const p of members) {
        const age = population.ageOf(p.birthDate);
        if (p.groups.some((g) => g.code === 'DISABILITY') && r.chance(0.7))
          paid(p, 'DISABILITY', r.int(31300, 72600) / 100);
        if (age >= 67 && r.chance(0.04)) paid(p, 'UNINSURED_ELDERLY', 360);
        if (age < 1) paid(reference, 'BIRTH', 2400);
      }
      break;
    }
    case FeedKind.KEPA:
      for (const p of members) {
        const group = p.groups.find((g) => g.code === 'DISABILITY');
        if (!group || !p.amka) continue;
        const from = Math.max(Date.parse(group.validFrom) - pass * 3 * 365 * DAY_MS, Date.parse(p.birthDate));
        rows.push({
          amka: p.amka,
          percentage: r.pick([50, 60, 67, 67, 70, 80, 95]),
          valid_from: iso(from),
          valid_to: r.chance(0.2) ? null : iso(from + (r.pick([2, 3, 4, 5]) * 365 - 1) * DAY_MS),
        });
      }
      break;
    case FeedKind.DYPA:
      for (const p of adults) {
        const age = population.ageOf(p.birthDate);
        if (!p.amka || age >= 65 || !r.chance(destitute ? 0.4 : 0.12)) continue;
        const reference = Date.parse(`${refDate}T00:00:00Z`);
        const since = Math.max(
          reference - r.int(10, 1400) * DAY_MS,
          Date.parse(p.birthDate) + 18 * 366 * DAY_MS,
        );
        rows.push({
          amka: p.amka,
          registered_since: iso(Math.min(since, reference)),
          reference_date: refDate,
        });
      }
      break;
    case FeedKind.REGISTRY:
      for (const p of members)
        rows.push({
          afm: p.afm,
          amka: p.amka,
          given_name: p.givenName,
          surname: p.surname,
          father_name: p.fatherName,
          mother_name: p.motherName,
          birth_date: p.birthDate,
          gender: p.gender,
          municipality: p.municipalityCode,
          phone: p.phone,
          address: p.address,
          external_id: `K-${String(++next.externalId).padStart(7, '0')}`,
        });
      break;
  }
  return rows;
}

/** Makes a good row bad in one way, the one `kind` names; returns the problem code it must get. */
function spoil(definition: FeedDefinition, cells: Cells, kind: BadKind, r: Random): RowProblemCode {
  const fields = definition.fields;
  switch (kind) {
    case 'IDENTIFIER': {
      const key = definition.personKeys.find((k) => typeof cells[k] === 'string');
      if (key) {
        const id = cells[key] as string;
        cells[key] = id.slice(0, -1) + String((Number(id.at(-1)) + r.int(1, 9)) % 10);
        return RowProblemCode.BAD_IDENTIFIER;
      }
      return spoil(definition, cells, 'MISSING', r);
    }
    case 'DATE': {
      const date = fields.find((f) => f.type === 'date' && typeof cells[f.name] === 'string');
      if (!date) return spoil(definition, cells, 'NUMBER', r);
      const year = (cells[date.name] as string).slice(0, 4);
      cells[date.name] = r.pick([`${year}-02-30`, `${year}-04-31`, `${year}-13-01`]);
      return RowProblemCode.BAD_DATE;
    }
    case 'CODE': {
      const code = fields.find((f) => (f.type === 'code' || f.type === 'boolean') && cells[f.name] !== null);
      if (!code) return spoil(definition, cells, 'RANGE', r);
      cells[code.name] = code.type === 'code' ? r.pick(['XYZ', 'OTHER_BENEFIT', 'ΑΓΝΩΣΤΟ']) : 'MAYBE';
      return RowProblemCode.UNKNOWN_CODE;
    }
    case 'RANGE': {
      const bounded = fields.find(
        (f) => f.max !== undefined && (f.type === 'decimal' || f.type === 'integer'),
      );
      if (!bounded) return spoil(definition, cells, 'MISSING', r);
      cells[bounded.name] = bounded.max! + (bounded.type === 'integer' ? 1 : 50);
      return RowProblemCode.OUT_OF_RANGE;
    }
    case 'NUMBER': {
      const number = fields.find((f) => f.type === 'decimal' || f.type === 'integer');
      if (!number) return spoil(definition, cells, 'MISSING', r);
      cells[number.name] = `#${r.int(1, 999)}`;
      return RowProblemCode.BAD_NUMBER;
    }
    case 'MISSING': {
      const required = fields.find(
        (f) => f.required && !definition.personKeys.includes(f.name as 'afm' | 'amka'),
      );
      if (!required) return spoil(definition, cells, 'MALFORMED', r);
      cells[required.name] = null;
      return RowProblemCode.MISSING_FIELD;
    }
    case 'MALFORMED':
      return RowProblemCode.MALFORMED_ROW;
  }
}

const BAD_KINDS: BadKind[] = ['IDENTIFIER', 'DATE', 'CODE', 'RANGE', 'NUMBER', 'MISSING', 'MALFORMED'];

/** Formats rows as lines of one format (each line ends with "\n"). */
class RowWriter {
  private readonly fields: FeedDefinition['fields'];
  private readonly csvDecimalGrouping: boolean;

  constructor(
    private readonly definition: FeedDefinition,
    private readonly format: FeedFormat,
    private readonly delimiter: ';' | ',',
    private readonly r: Random,
  ) {
    this.fields = definition.fields;
    this.csvDecimalGrouping = delimiter === ';';
  }

  header(): string {
    if (this.format !== FeedFormat.CSV) return '';
    // Greek headers (the first alias), as the bodies' exports write them.
    return this.fields.map((f) => this.quote(f.headers[1] ?? f.name)).join(this.delimiter) + '\n';
  }

  private quote(text: string): string {
    return text.includes(this.delimiter) || /["\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  private csvValue(type: string, value: string | number | boolean | null): string {
    if (value === null) return '';
    if (typeof value === 'boolean') return value ? 'ΝΑΙ' : 'ΟΧΙ';
    if (type === 'decimal' && typeof value === 'number') {
      const [int, frac] = value.toFixed(2).split('.') as [string, string];
      const grouped = this.csvDecimalGrouping && value >= 1000 && this.r.chance(0.3);
      return `${grouped ? int.replace(/\B(?=(\d{3})+$)/g, '.') : int},${frac}`;
    }
    if (type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const [y, m, d] = value.split('-');
      return `${d}/${m}/${y}`;
    }
    return String(value);
  }

  line(cells: Cells, malformed: boolean): string {
    switch (this.format) {
      case FeedFormat.CSV: {
        const values = this.fields.map((f) => this.quote(this.csvValue(f.type, cells[f.name] ?? null)));
        if (malformed) {
          // A field too few, or a closing quote with text after it.
          if (this.r.chance(0.5)) values.pop();
          else values[1] = `"${values[1]}"x`;
        }
        return values.join(this.delimiter) + '\n';
      }
      case FeedFormat.JSONL: {
        const text = JSON.stringify(cells);
        return (malformed ? text.slice(0, Math.max(2, text.length - 7)) : text) + '\n';
      }
      case FeedFormat.FIXED_WIDTH: {
        let record = '';
        for (const column of TAXIS_LAYOUT) {
          const value = cells[column.field];
          let text: string;
          if (value === null || value === undefined) text = ' '.repeat(column.width);
          else if (column.kind === 'cents' && typeof value === 'number')
            text = String(Math.round(value * 100)).padStart(column.width, '0');
          else if (column.kind === 'cents' || column.kind === 'integer')
            text = String(value).padStart(column.width, typeof value === 'number' ? '0' : ' ');
          else text = String(value).padEnd(column.width, ' ');
          record += text.slice(0, column.width);
        }
        if (malformed) record = record.slice(0, recordLength(TAXIS_LAYOUT) - 10);
        return record + '\n';
      }
    }
  }
}

/** Writes a feed file to `out` (not ended), honouring backpressure. */
export async function generateFeed(
  options: GenerateFeedOptions,
  out: Writable,
): Promise<GenerateFeedSummary> {
  const definition = feedDefinition(options.feed);
  const format = options.format ?? FeedFormat.CSV;
  if (!definition.formats.includes(format))
    throw new Error(`a ${options.feed} feed does not come as ${format}`);
  const encoding = iconvName(options.encoding ?? FeedEncoding.UTF8);
  const delimiter = options.delimiter ?? ';';
  const badShare = options.badShare ?? 0;
  const people = options.people ?? Math.max(options.rows, 1000);
  const year = options.referenceYear ?? 2025;
  const r = new Random(options.seed ?? 1);
  const writer = new RowWriter(definition, format, delimiter, r);
  const summary: GenerateFeedSummary = { rows: 0, badRows: 0, problems: {}, passes: 0 };
  const next = { externalId: 0 };

  let buffer = writer.header();
  const flush = async (): Promise<void> => {
    if (!buffer) return;
    const ok = out.write(iconv.encode(buffer, encoding));
    buffer = '';
    if (!ok) await once(out, 'drain');
  };

  while (summary.rows < options.rows) {
    const population = new SyntheticPopulation({
      seed: options.peopleSeed ?? DEFAULT_PEOPLE_SEED,
      municipalities: options.municipalities ?? geographyMunicipalities(),
      romaMunicipalities: options.romaMunicipalities,
    });
    const pass = summary.passes++;
    let rowsThisPass = 0;
    for (const household of population.households(people)) {
      for (const cells of householdRows(options.feed, household, population, r, year, pass, next)) {
        if (summary.rows >= options.rows) break;
        let malformed = false;
        if (badShare > 0 && r.chance(badShare)) {
          const code = spoil(definition, cells, r.pick(BAD_KINDS), r);
          malformed = code === RowProblemCode.MALFORMED_ROW;
          summary.badRows++;
          summary.problems[code] = (summary.problems[code] ?? 0) + 1;
        }
        buffer += writer.line(cells, malformed);
        summary.rows++;
        rowsThisPass++;
        if (buffer.length >= 256 * 1024) await flush();
      }
      if (summary.rows >= options.rows) break;
    }
    if (rowsThisPass === 0) break; // this feed has no row for anyone of the population
  }
  await flush();
  return summary;
}
