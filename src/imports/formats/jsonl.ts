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
  lines: AsyncIterable<PhysicalLine>,
  definition: FeedDefinition,
): AsyncGenerator<FeedRow> {
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
  for await (const { line, text, truncated } of lines) {
    if (text.trim() === '') continue;
    if (truncated) {
      yield builder.malformed(line, 'The line is too long (over a million characters).');
      continue;
    }
    let object: unknown;
    try {
      object = JSON.parse(text);
    } catch {
      yield builder.malformed(
        line,
        'The line is not valid JSON: each line must be one complete object, e.g. {"afm": "…", …}.',
      );
      continue;
    }
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      yield builder.malformed(line, 'The line is JSON but not an object: each line must be one object {…}.');
      continue;
    }
    const raw: Array<string | undefined> = new Array(definition.fields.length);
    const nested: string[] = [];
    for (const [key, value] of Object.entries(object)) {
      const index = indexOf(key);
      if (index === -1 || value === null || value === undefined) continue;
      if (typeof value === 'string') raw[index] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') raw[index] = String(value);
      else nested.push(definition.fields[index]!.name);
    }
    if (nested.length > 0) {
      yield builder.malformed(
        line,
        `The value of ${nested.join(', ')} is a list or an object; it must be a string or a number.`,
      );
      continue;
    }
    yield builder.build(line, raw);
  }
}
