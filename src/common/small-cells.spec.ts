import { isSuppressedTotal, suppressBreakdown } from './small-cells.js';

const cells = (...counts: number[]) => counts.map((count, i) => ({ key: `k${i}`, count }));
const sum = (ns: number[]) => ns.reduce((s, n) => s + n, 0);

describe('small-cell suppression', () => {
  it('shows every cell when none is small, and zero as zero', () => {
    const out = suppressBreakdown(cells(10, 0, 7), 17, 5);
    expect(out.cells.map((c) => c.count)).toEqual([10, 0, 7]);
    expect(out.cells.every((c) => !c.suppressed)).toBe(true);
  });

  it('hides a small cell and the smallest other cell, so the total minus the rest does not give it', () => {
    const out = suppressBreakdown(cells(40, 3, 9, 12), 64, 5);
    expect(out.cells.map((c) => c.count)).toEqual([40, null, null, 12]);
    // The attacker's difference: total minus what is shown is the sum of two cells, not one.
    expect(64 - 40 - 12).toBe(3 + 9);
  });

  it('needs no partner when two cells are small already', () => {
    const out = suppressBreakdown(cells(2, 1, 30), 33, 5);
    expect(out.cells.map((c) => c.count)).toEqual([null, null, 30]);
  });

  it('protects a small residual (what the breakdown leaves out) by hiding a partner', () => {
    // 2 referrals have no provider: total 52 minus the shown 50 would give them away.
    const out = suppressBreakdown(cells(30, 20), 52, 5);
    expect(out.cells.map((c) => c.count)).toEqual([30, null]);
  });

  it('withholds a breakdown whose single small cell has nothing to pair with', () => {
    const out = suppressBreakdown(cells(3), 20, 5);
    expect(out).toEqual({ cells: [{ key: 'k0', count: null, suppressed: true }], withheld: true });
  });

  it('for any breakdown, no small count is shown and no single hidden count can be derived', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 2000; round++) {
      const counts = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
        random() < 0.4 ? Math.floor(random() * 5) : Math.floor(random() * 60),
      );
      const total = sum(counts) + (random() < 0.5 ? 0 : Math.floor(random() * 8));
      if (isSuppressedTotal(total, 5) || total === 0) continue;
      const out = suppressBreakdown(
        counts.map((count, i) => ({ key: `k${i}`, count })),
        total,
        5,
      );
      const shown = out.cells.filter((c) => !c.suppressed).map((c) => c.count as number);
      expect(shown.every((n) => n === 0 || n >= 5)).toBe(true);
      // Unknowns: the hidden cells plus the residual when it is not zero.
      const residual = total - sum(counts);
      const unknowns = out.cells.filter((c) => c.suppressed).length + (residual > 0 ? 1 : 0);
      const derivable = total - sum(shown);
      if (unknowns === 1) expect(derivable === 0 || derivable >= 5).toBe(true);
    }
  });

  it('treats a total of 1 to threshold - 1 as small, and 0 as not', () => {
    expect([0, 1, 4, 5].map((n) => isSuppressedTotal(n, 5))).toEqual([false, true, true, false]);
  });
});
