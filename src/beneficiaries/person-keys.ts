import { transliterate } from '../common/greek/elot743.js';
import { phoneticKey, phoneticVariants, searchKey } from '../common/greek/search-key.js';
import { GIVEN_NAME_VARIANTS } from './data/given-name-variants.js';

export interface PersonNames {
  givenName: string;
  surname: string;
  givenNameLatin?: string | null;
  surnameLatin?: string | null;
}

/**
 * The Latin form of a Greek name by ELOT 743, in capitals as on Greek identity documents. Accents
 * the transliteration leaves on Latin letters (a capital with tonos and dialytika) are dropped.
 */
export function latinName(greek: string): string {
  return transliterate(greek.normalize('NFC')).normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

/**
 * The keys of a person's names, over both scripts of both names: person.name_key (ELOT 743, no
 * accents or case) and person.phonetic_key, which name search and duplicate detection match on
 * (indexed by its words and by trigrams). Bulk loaders must compute them the same way.
 */
export function personKeys(names: PersonNames): { nameKey: string; phoneticKey: string } {
  const all = [
    names.givenName,
    names.surname,
    names.givenNameLatin ?? latinName(names.givenName),
    names.surnameLatin ?? latinName(names.surname),
  ].join(' ');
  return { nameKey: dedupeWords(searchKey(all)), phoneticKey: dedupeWords(phoneticKey(all)) };
}

/** The Greek name and its ELOT form usually give the same key; keep each word once. */
function dedupeWords(key: string): string {
  return [...new Set(key.split(' ').filter(Boolean))].join(' ');
}

/** Folded given name → the folded names of its groups (GIVEN_NAME_VARIANTS). */
const GIVEN_NAME_GROUPS: Map<string, Set<string>> = (() => {
  const groups = new Map<string, Set<string>>();
  for (const line of GIVEN_NAME_VARIANTS) {
    const keys = line.map((name) => phoneticKey(name));
    for (const key of keys) {
      const group = groups.get(key) ?? new Set<string>();
      for (const other of keys) group.add(other);
      groups.set(key, group);
    }
  }
  return groups;
})();

/**
 * The words of a typed name, each with the stored words that match it exactly: its fold (and the
 * other reading of a Latin x) and the everyday or official forms of a given name. A word of one
 * letter is ignored.
 */
export function typedNameWords(text: string): Array<{ typed: string; exact: string[] }> {
  const words = new Map<string, Set<string>>();
  for (const token of text.split(/[^\p{L}\p{N}]+/u)) {
    const typed = phoneticKey(token);
    if (typed.length < 2 || words.has(typed)) continue;
    const exact = new Set<string>();
    for (const variant of phoneticVariants(token)) {
      exact.add(variant);
      for (const other of GIVEN_NAME_GROUPS.get(variant) ?? []) exact.add(other);
    }
    words.set(typed, exact);
  }
  return [...words].map(([typed, exact]) => ({ typed, exact: [...exact] }));
}
