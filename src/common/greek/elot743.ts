// PLACEHOLDER until the full ELOT 743 module lands (helper-1 is writing it).
const MAP: Record<string, string> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};
export function transliterate(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ου/g, 'ou')
    .replace(/ΟΥ/g, 'OU')
    .replace(/./gu, (c) => {
      const lower = c.toLowerCase();
      const m = MAP[lower];
      if (!m) return c;
      return c === lower ? m : m.toUpperCase();
    });
}
