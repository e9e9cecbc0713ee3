import { suppressLinked, type LinkedCounts } from './small-cells.js';

const sum = (ns: number[]) => ns.reduce((s, n) => s + n, 0);

describe('small-cell suppression', () => {
  describe('across linked tables (suppressLinked)', () => {
    const hiddenOf = (t: LinkedCounts) => Array.from(suppressLinked(t, 5));

    it('treats an area and its parts as one partition: a second part hides with a small one', () => {
      // region = municipality a + b + c; a is small, so b (the smallest other) hides too
      const t = { shape: [4], values: [20, 3, 9, 8], relations: [[{ parent: 0, children: [1, 2, 3] }]] };
      expect(hiddenOf(t)).toEqual([0, 1, 0, 1]);
    });

    it('follows a partner into the other dimension until no relation has a single unknown', () => {
      // areas (region, m1, m2) x keys (total, F, M)
      const values = [40, 22, 18, 12, 9, 3, 28, 13, 15];
      const t = {
        shape: [3, 3],
        values,
        relations: [[{ parent: 0, children: [1, 2] }], [{ parent: 0, children: [1, 2] }]],
      };
      const hidden = hiddenOf(t);
      expect(hidden[5]).toBe(1); // m1 M = 3
      const at = (a: number, k: number) => hidden[a * 3 + k]!;
      for (let a = 0; a < 3; a++) expect([0, 2].includes(at(a, 0) + at(a, 1) + at(a, 2))).toBe(true);
      for (let k = 0; k < 3; k++) expect([0, 2, 3].includes(at(0, k) + at(1, k) + at(2, k))).toBe(true);
    });

    it('for random hierarchies, shows no small count and leaves no relation with exactly one unknown', () => {
      let seed = 11;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < 300; round++) {
        // dimension 0: country = r1 + r2, r1 = m1 + m2, r2 = m3 + m4 (+ m5); dimension 1: year = months
        const munis = 4 + Math.floor(random() * 2);
        const months = 2 + Math.floor(random() * 3);
        const areas = 3 + munis;
        const periods = 1 + months;
        const base: number[][] = Array.from({ length: munis }, () =>
          Array.from({ length: months }, () =>
            random() < 0.4 ? Math.floor(random() * 5) : Math.floor(random() * 30),
          ),
        );
        const cell = (m: number, p: number) => (p === 0 ? sum(base[m]!) : base[m]![p - 1]!);
        const r1 = [3, 4];
        const r2 = Array.from({ length: munis - 2 }, (_, i) => 5 + i);
        const values = new Array<number>(areas * periods).fill(0);
        for (let p = 0; p < periods; p++) {
          for (let m = 0; m < munis; m++) values[(3 + m) * periods + p] = cell(m, p);
          values[1 * periods + p] = sum(r1.map((a) => values[a * periods + p]!));
          values[2 * periods + p] = sum(r2.map((a) => values[a * periods + p]!));
          values[p] = values[periods + p]! + values[2 * periods + p]!;
        }
        const relations = [
          [
            { parent: 0, children: [1, 2] },
            { parent: 0, children: [...r1, ...r2] },
            { parent: 1, children: r1 },
            { parent: 2, children: r2 },
          ],
          [{ parent: 0, children: Array.from({ length: months }, (_, i) => i + 1) }],
        ];
        const hidden = suppressLinked({ shape: [areas, periods], values, relations }, 5);
        values.forEach((v, i) => {
          if (!hidden[i]) expect(v === 0 || v >= 5).toBe(true);
        });
        for (let p = 0; p < periods; p++)
          for (const r of relations[0]!) {
            const n = [r.parent, ...r.children].filter((a) => hidden[a * periods + p]).length;
            expect(n).not.toBe(1);
          }
        for (let a = 0; a < areas; a++) {
          const n = [0, ...relations[1]![0]!.children].filter((p) => hidden[a * periods + p]).length;
          expect(n).not.toBe(1);
        }
      }
    });
  });
});
