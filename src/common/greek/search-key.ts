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

/** Latin capitals and small letters that look like a Greek letter, and that letter. */
const LATIN_LOOKALIKES: Record<string, string> = {
  A: 'Α', B: 'Β', E: 'Ε', H: 'Η', I: 'Ι', K: 'Κ', M: 'Μ', N: 'Ν', O: 'Ο', P: 'Ρ', T: 'Τ', X: 'Χ',
  Y: 'Υ', Z: 'Ζ', a: 'α', i: 'ι', k: 'κ', o: 'ο', p: 'ρ', u: 'υ', v: 'ν', x: 'χ',
}; // prettier-ignore
const GREEK_LOOKALIKES = Object.fromEntries(Object.entries(LATIN_LOOKALIKES).map(([l, g]) => [g, l]));
const GREEK = /[\u0370-\u03ff\u1f00-\u1fff]/u;
const LATIN = /[A-Za-z]/;

/**
 * A word typed with a keyboard switched half-way ("ΠAΠΑΔOΠΟΥΛΟΣ" with Latin A and O) is written
 * wholly in the script most of its letters are in, lookalike for lookalike.
 */
function oneScript(text: string): string {
  return text.replace(/\p{L}+/gu, (word) => {
    const letters = [...word];
    const greek = letters.filter((c) => GREEK.test(c)).length;
    const latin = letters.filter((c) => LATIN.test(c)).length;
    if (greek === 0 || latin === 0) return word;
    const table = greek >= latin ? LATIN_LOOKALIKES : GREEK_LOOKALIKES;
    return letters.map((c) => table[c] ?? c).join('');
  });
}

/**
 * The ways one Greek sound is written in Latin letters, by ELOT 743 (on the stored Latin form) or
 * by hand (typed at a desk, on a foreign passport), made one spelling. Applied in order, word by word.
 */
const PHONETIC: Array<[RegExp, string]> = [
  [/y(?=[aeiou])/g, 'gi'], // Yannis, Yiorgos, Bakoyannis: γι
  [/[ck]h/g, 'h'], // χ: ch (ELOT), kh, h
  [/x/g, 'ks'], // ξ: x (ELOT), ks; a typed x may be a χ too (phoneticVariants)
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/ck|c|q/g, 'k'],
  [/([ae])[fuy]/g, '$1v'], // ευ, αυ: ev/ef (ELOT), eu, ey; av/af, au
  [/o[uy]/g, 'u'], // ου: ou (ELOT), oy, u
  [/m[pb]/g, 'b'], // μπ: mp, b (ELOT), mb
  [/n[td]/g, 'd'], // ντ: nt (ELOT), nd, d
  [/[ng][gk]|nk/g, 'g'], // γγ, γκ: ng, gk (ELOT), gg, nk, g
  [/d[jz]|tj/g, 'tz'], // τζ: tz (ELOT), dj, dz
  [/ee|ei|oi|yi|y/g, 'i'], // η, ι, υ, ει, οι, υι
  [/ai/g, 'e'],
  [/w/g, 'o'],
  [/(\p{L})\1+/gu, '$1'],
];

function foldWord(word: string): string {
  return PHONETIC.reduce((w, [pattern, replacement]) => w.replace(pattern, replacement), word);
}

/**
 * The one fold of names, for what is stored (person.phonetic_key) and for what is typed: script,
 * accents and case go (ELOT 743), then the Latin spellings of one Greek sound become one (gg/ng/gk,
 * mb/mp/b, nd/nt/d, ch/kh/h, ks/x, ev/ef/eu, av/af/au, dj/tz, ou/oy/u, ph/f, th/t, i for η ι υ ει
 * οι, e for αι, o for ω, doubled letters once). So "Ευαγγέλου" and "EVAGGELOU", "Λαμπράκης" and
 * "Lambrakis", "Παπαδόπουλος" and "papadopulos" agree. It finds candidates; it never decides that
 * two people are the same.
 */
export function phoneticKey(text: string): string {
  return searchKey(oneScript(text.normalize('NFC')))
    .split(' ')
    .map(foldWord)
    .join(' ');
}

/**
 * The keys a typed word may mean: its fold, and where a Latin x was typed, also with x read as χ
 * (Greeklish "Xristos", "Mixalis") rather than ξ (ELOT, "Alexandros").
 */
export function phoneticVariants(typedWord: string): string[] {
  const variants = new Set([phoneticKey(typedWord)]);
  const latin = searchKey(oneScript(typedWord.normalize('NFC')));
  if (latin.includes('x')) variants.add(phoneticKey(latin.replace(/x/g, 'h')));
  return [...variants].filter(Boolean);
}
