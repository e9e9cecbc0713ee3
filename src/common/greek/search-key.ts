import { transliterate } from './elot743.js';

/**
 * A key for matching names whatever their accents, case or script: "Σπάτων", "ΣΠΑΤΩΝ" and "spaton"
 * give "spaton". Greek is transliterated by ELOT 743; anything but letters and digits separates words.
 */
export function searchKey(text: string): string {
  const plain = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return transliterate(plain)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A coarser key for typo-tolerant matching across the ways Greeks write their names in Latin
 * letters, applied word by word on top of searchKey: sounds written several ways become one form
 * (ph → f, th → t, ch/kh → h, c/ck → k, ks → x, mp → b, nt → d, gk/gg → g, ou → u, oi/ei/ee/y → i,
 * ai → e, w → o, doubled letters once). So "Παπαδόπουλος", "PAPADOPOULOS" and "papadopulos" agree,
 * as do "Κωνσταντίνος" and "Constantinos", "Φίλιππος" and "Philippos". It finds candidates; it
 * never decides that two people are the same.
 */
const PHONETIC: Array<[RegExp, string]> = [
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/[ck]h/g, 'h'],
  [/ck/g, 'k'],
  [/c/g, 'k'],
  [/ks/g, 'x'],
  [/mp/g, 'b'],
  [/nt/g, 'd'],
  [/g[kg]/g, 'g'],
  [/ou/g, 'u'],
  [/ee|oi|ei|y/g, 'i'],
  [/ai/g, 'e'],
  [/w/g, 'o'],
  [/(\p{L})\1+/gu, '$1'],
];

export function phoneticKey(text: string): string {
  return searchKey(text)
    .split(' ')
    .map((word) => PHONETIC.reduce((w, [pattern, replacement]) => w.replace(pattern, replacement), word))
    .join(' ');
}
