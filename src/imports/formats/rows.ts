import {
  FeedKind,
  RowProblemCode,
  type FeedDefinition,
  type FeedField,
  type FeedRow,
  type RowProblem,
} from '../contracts.js';
import { checkValue } from './values.js';

/** Pairs of date fields where the second may not come before the first. */
const DATE_ORDER: Array<[from: string, to: string]> = [
  ['period_start', 'period_end'],
  ['valid_from', 'valid_to'],
  ['registered_since', 'reference_date'],
];

/**
 * Turns the raw text of a row's fields (in the order of `definition.fields`; undefined or blank for
 * a missing one) into a FeedRow: every field checked (contracts.ts, FeedRow), required fields
 * present, at least one person key (REGISTRY rows may have none), and date ranges in order.
 */
export class RowBuilder {
  private readonly fields: readonly FeedField[];
  private readonly keyIndexes: number[];
  private readonly order: Array<[number, number]>;

  constructor(private readonly definition: FeedDefinition) {
    this.fields = definition.fields;
    const index = (name: string) => this.fields.findIndex((f) => f.name === name);
    this.keyIndexes = definition.kind === FeedKind.REGISTRY ? [] : definition.personKeys.map(index);
    this.order = DATE_ORDER.map(([a, b]) => [index(a), index(b)] as [number, number]).filter(
      ([a, b]) => a !== -1 && b !== -1,
    );
  }

  build(line: number, raw: ReadonlyArray<string | null | undefined>): FeedRow {
    const values: Record<string, string | null> = {};
    const problems: RowProblem[] = [];
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const text = raw[i]?.trim();
      if (!text) {
        values[field.name] = null;
        if (field.required)
          problems.push({
            line,
            field: field.name,
            code: RowProblemCode.MISSING_FIELD,
            message: `The ${field.name} is missing; it is required.`,
          });
        continue;
      }
      const checked = checkValue(field, text);
      values[field.name] = checked.value;
      if (checked.problem) problems.push({ line, field: field.name, ...checked.problem });
    }
    if (this.keyIndexes.length > 1 && this.keyIndexes.every((i) => !raw[i]?.trim()))
      problems.push({
        line,
        field: null,
        code: RowProblemCode.MISSING_FIELD,
        message: `The row names nobody: give the ${this.keyIndexes.map((i) => fields[i]!.name.toUpperCase()).join(' or the ')}.`,
      });
    for (const [a, b] of this.order) {
      const from = values[fields[a]!.name];
      const to = values[fields[b]!.name];
      if (from && to && to < from)
        problems.push({
          line,
          field: fields[b]!.name,
          code: RowProblemCode.OUT_OF_RANGE,
          message: `The ${fields[b]!.name} (${to}) is before the ${fields[a]!.name} (${from}).`,
        });
    }
    return { line, values, problems };
  }

  /** A row that could not be split into fields. */
  malformed(line: number, message: string): FeedRow {
    const values: Record<string, string | null> = {};
    for (const f of this.fields) values[f.name] = null;
    return { line, values, problems: [{ line, field: null, code: RowProblemCode.MALFORMED_ROW, message }] };
  }
}
