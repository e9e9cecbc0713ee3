/**
 * AFM, the Greek tax number: 9 digits d0..d8; d8 = ((Σ d_i·2^(8−i), i = 0..7) mod 11) mod 10;
 * 000000000 is not a number.
 */
export function afmCheckDigit(first8: string): number {
  if (!/^\d{8}$/.test(first8)) throw new Error('afmCheckDigit needs exactly 8 digits');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(first8[i]) * 2 ** (8 - i);
  return (sum % 11) % 10;
}

export function isValidAfm(value: string): boolean {
  if (!/^\d{9}$/.test(value) || value === '000000000') return false;
  return afmCheckDigit(value.slice(0, 8)) === Number(value[8]);
}

/** Appends the check digit (synthetic data generators). */
export function makeAfm(first8: string): string {
  return first8 + afmCheckDigit(first8);
}
