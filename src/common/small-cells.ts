/**
 * Small-cell suppression for published counts: a count that could single out a person (1 to
 * threshold - 1) is not shown to someone who may not see the people themselves, and neither is a
 * second cell of a partition when one hidden cell alone could be worked out from the total and the
 * cells shown (complementary suppression). Zero is shown: it reveals nobody. Every figure given to
 * a caller below national level goes through `suppressLinked` (statistics, issue 14).
 */

const isSmall = (n: number, threshold: number) => n > 0 && n < threshold;

/**
 * A table of counts over several dimensions (for statistics: area x period x category), row-major,
 * with the additive relations of each dimension: along dimension d, the cell at index `parent`
 * equals the sum of the cells at `children`, whatever the coordinates in the other dimensions
 * (a region is the sum of its municipalities, a year of its months, a total of its genders).
 */
export interface LinkedCounts {
  shape: readonly number[];
  values: ArrayLike<number>;
  relations: ReadonlyArray<ReadonlyArray<{ parent: number; children: readonly number[] }>>;
}

/**
 * Small-cell suppression of a whole linked table at once, so that every table published from it
 * agrees (the same cell is hidden whichever area, period or endpoint it is read through). A cell
 * of 1 to threshold - 1 is hidden; then, until nothing changes, every relation (a parent and its
 * parts) that has exactly one hidden cell, which the others would give away by subtraction, gets
 * a second one: its smallest positive visible part, or its parent when no part is left. Across the
 * hierarchy: a region and its municipalities, a year
 * and its months, a total and its breakdowns are each one partition. Returns 1 for a hidden cell.
 * The result depends on the counts alone, never on who asks or in which order.
 */
export function suppressLinked(table: LinkedCounts, threshold: number): Uint8Array {
  const { shape, values, relations } = table;
  const size = shape.reduce((s, n) => s * n, 1);
  const hidden = new Uint8Array(size);
  for (let i = 0; i < size; i++) if (isSmall(values[i]!, threshold)) hidden[i] = 1;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((s, n) => s * n, 1));
  let changed = true;
  while (changed) {
    changed = false;
    shape.forEach((length, d) => {
      const stride = strides[d]!;
      const outer = size / (length * stride);
      for (const { parent, children } of relations[d] ?? []) {
        for (let o = 0; o < outer; o++) {
          for (let inner = 0; inner < stride; inner++) {
            const base = o * length * stride + inner;
            const p = base + parent * stride;
            let count = hidden[p]!;
            for (const c of children) count += hidden[base + c * stride]!;
            if (count !== 1) continue;
            let partner = -1;
            for (const c of children) {
              const i = base + c * stride;
              if (hidden[i] || values[i]! <= 0) continue;
              if (partner < 0 || values[i]! < values[partner]!) partner = i;
            }
            if (partner < 0 && !hidden[p] && values[p]! > 0) partner = p;
            if (partner < 0) continue;
            hidden[partner] = 1;
            changed = true;
          }
        }
      }
    });
  }
  return hidden;
}
