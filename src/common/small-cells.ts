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
