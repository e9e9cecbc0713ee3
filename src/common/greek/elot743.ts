/**
 * Greek to Latin by ELOT 743 (= ISO 843, transcription), the standard for names on Greek passports
 * and in public registries. Case follows the source: a word in capitals stays in capitals
 * ("ΠΑΠΑΔΟΠΟΥΛΟΣ" → "PAPADOPOULOS"), a capitalised word stays capitalised ("Θεόδωρος" → "Theodoros").
 * Characters that are not Greek letters pass through unchanged.
 */
const LETTERS: Record<string, string> = {
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

/** After αυ/ευ/ηυ, these letters (and a word end) make υ an f; otherwise a v. */
const VOICELESS = new Set(['θ', 'κ', 'ξ', 'π', 'σ', 'ς', 'τ', 'φ', 'χ', 'ψ']);

interface Letter {
  base: string; // lower case, no accent
  upper: boolean;
  diaeresis: boolean;
}

const DIAERESIS = '\u0308';
const GREEK_LETTER = /[\u0370-\u03ff\u1f00-\u1fff]/u;

function decompose(ch: string): Letter | undefined {
  const nfd = ch.normalize('NFD');
  const base = nfd[0]!.toLowerCase();
  if (!(base in LETTERS)) return undefined;
  return { base, upper: nfd[0] !== base, diaeresis: nfd.includes(DIAERESIS) };
}

export function transliterate(text: string): string {
  let out = '';
  const chars = [...text.normalize('NFC')];
  let i = 0;
  while (i < chars.length) {
    if (!GREEK_LETTER.test(chars[i]!) || !decompose(chars[i]!)) {
      out += chars[i];
      i++;
      continue;
    }
    let j = i;
    const word: Letter[] = [];
    while (j < chars.length) {
      const letter = decompose(chars[j]!);
      if (!letter) break;
      word.push(letter);
      j++;
    }
    out += transliterateWord(word);
    i = j;
  }
  return out;
}

function transliterateWord(word: Letter[]): string {
  const allCaps = word.length > 1 && word.every((l) => l.upper);
  let out = '';
  const emit = (latin: string, source: Letter) => {
    if (allCaps) out += latin.toUpperCase();
    else if (source.upper) out += latin[0]!.toUpperCase() + latin.slice(1);
    else out += latin;
  };
  for (let k = 0; k < word.length; k++) {
    const cur = word[k]!;
    const next = word[k + 1];
    const after = word[k + 2];
    const pair = next && !next.diaeresis ? cur.base + next.base : '';
    if (pair === 'αυ' || pair === 'ευ' || pair === 'ηυ') {
      const f = !after || VOICELESS.has(after.base);
      emit(LETTERS[cur.base]! + (f ? 'f' : 'v'), cur);
      k++;
    } else if (pair === 'ου') {
      emit('ou', cur);
      k++;
    } else if (pair === 'γγ') {
      emit('ng', cur);
      k++;
    } else if (pair === 'γκ') {
      emit('gk', cur);
      k++;
    } else if (pair === 'γξ') {
      emit('nx', cur);
      k++;
    } else if (pair === 'γχ') {
      emit('nch', cur);
      k++;
    } else if (pair === 'μπ') {
      emit(k === 0 || k + 2 === word.length ? 'b' : 'mp', cur);
      k++;
    } else {
      emit(LETTERS[cur.base]!, cur);
    }
  }
  return out;
}
