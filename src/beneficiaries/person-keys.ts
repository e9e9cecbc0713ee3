import { transliterate } from '../common/greek/elot743.js';
import { phoneticKey, searchKey } from '../common/greek/search-key.js';

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
