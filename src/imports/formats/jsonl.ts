import type { FeedDefinition, FeedRow } from '../contracts.js';
import { fieldForHeader } from '../feeds.js';
import type { PhysicalLine } from './lines.js';
import { RowBuilder } from './rows.js';

/**
 * JSON lines: one object per line, keys as the CSV header names (canonical names or aliases, same
 * matching), values strings, numbers, booleans or null. A line that is not a JSON object is a
 * MALFORMED_ROW; keys not of the feed are ignored; blank lines are skipped. Numbers are read as
 * JSON writes them (a point for decimals), booleans as true/false.
 */
export async function* jsonlRows(
  lines: AsyncIterable<PhysicalLine[]>,
  definition: FeedDefinition,
): AsyncGenerator<FeedRow[]> {
  const builder = new RowBuilder(definition);
  const keyIndex = new Map<string, number>();
  const indexOf = (key: string): number => {
    let index = keyIndex.get(key);
    if (index === undefined) {
      const field = fieldForHeader(definition, key);
      index = field ? definition.fields.indexOf(field) : -1;
      if (keyIndex.size < 1000) keyIndex.set(key, index);
    }
    return index;
  };
  const row = (line: number, text: string): FeedRow => {
    let object: unknown;
    try {
      object = JSON.parse(text);
    } catch {
      return builder.malformed(
        line,
        'The line is not valid JSON: each line must be one complete object, e.g. {"afm": "…", …}.',
      );
    }
    if (typeof object !== 'object' || object === null || Array.isArray(object))
      return builder.malformed(line, 'The line is JSON but not an object: each line must be one object {…}.');
    const raw: Array<string | undefined> = new Array(definition.fields.length);
    const nested: string[] = [];
    for (const key in object) {
      const value = (object as Record<string, unknown>)[key];
      const index = indexOf(key);
      if (index === -1 || value === null || value === undefined) continue;
      if (typeof value === 'string') raw[index] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') raw[index] = String(value);
      else nested.push(definition.fields[index]!.name);
    }
    if (nested.length > 0)
      return builder.malformed(
        line,
        `The value of ${nested.join(', ')} is a list or an object; it must be a string or a number.`,
      );
    return builder.build(line, raw);
  };
  for await (const chunk of lines) {
    const rows: FeedRow[] = [];
    for (const { line, text, truncated } of chunk) {
      if (text.trim() === '') continue;
      rows.push(
        truncated
          ? builder.malformed(line, 'The line is too long (over a million characters).')
          : row(line, text),
      );
    }
    if (rows.length > 0) yield rows;
  }
}
