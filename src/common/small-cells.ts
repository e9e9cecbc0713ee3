/**
 * Small-cell suppression for published counts: a count that could single out a person (1 to
 * threshold - 1) is not shown to someone who may not see the people themselves, and neither is a
 * second cell of the same breakdown when one hidden cell alone could be worked out from the total
 * and the cells shown (complementary suppression). Zero is shown: it reveals nobody.
 *
 * Every breakdown is treated as a partition of the published total. Cells a breakdown leaves out
 * (a referral to a programme has no provider) form a residual `total - sum(cells)` that a reader
 * can compute, so it counts as a shown cell when it is safe and is itself protected when it is
 * small. Statistics (issue 14) use the same function for every table they publish.
 */

export interface CountCell {
  key: string;
  /** null when suppressed. */
  count: number | null;
  suppressed: boolean;
}

export interface SuppressedBreakdown {
  cells: CountCell[];
  /** True when the whole breakdown had to be withheld (e.g. a single small cell and nothing to pair it with). */
  withheld: boolean;
}

const isSmall = (n: number, threshold: number) => n > 0 && n < threshold;

/**
 * Suppresses one breakdown of a total that is itself shown (`total` at or above the threshold).
 * Cells are returned in their given order.
 */
export function suppressBreakdown(
  cells: readonly { key: string; count: number }[],
  total: number,
  threshold: number,
): SuppressedBreakdown {
  const residual = total - cells.reduce((s, c) => s + c.count, 0);
  const hidden = new Set<number>();
  cells.forEach((c, i) => {
    if (isSmall(c.count, threshold)) hidden.add(i);
  });
  const residualSmall = isSmall(residual, threshold);
  // The residual is never shown as a cell, but it is derivable; a small one is a hidden cell.
  const hiddenCount = hidden.size + (residualSmall ? 1 : 0);
  if (hiddenCount === 1) {
    // One hidden cell equals total minus everything shown: hide the smallest other positive cell too.
    const partner = cells
      .map((c, i) => ({ c, i }))
      .filter(({ c, i }) => !hidden.has(i) && c.count > 0)
      .sort((a, b) => a.c.count - b.c.count || a.c.key.localeCompare(b.c.key))[0];
    if (!partner) return { cells: cells.map((c) => withheldCell(c.key)), withheld: true };
    hidden.add(partner.i);
  }
  return {
    cells: cells.map((c, i) =>
      hidden.has(i) ? withheldCell(c.key) : { key: c.key, count: c.count, suppressed: false },
    ),
    withheld: false,
  };
}

function withheldCell(key: string): CountCell {
  return { key, count: null, suppressed: true };
}

/** Whether a total (or the number of cases behind a median or average) is too small to publish. */
export function isSuppressedTotal(total: number, threshold: number): boolean {
  return isSmall(total, threshold);
}

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
 * a second one: its smallest positive visible part, or its parent when no part is left. That is
 * `suppressBreakdown`'s rule applied across the hierarchy: a region and its municipalities, a year
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
