import fc from 'fast-check';
import { latinName, personKeys } from '../src/beneficiaries/person-keys.js';
import { phoneticKey, searchKey } from '../src/common/greek/search-key.js';
import { transliterate } from '../src/common/greek/elot743.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The SQL twins of person-keys.ts (migration 1764640000000-registry-feed, built by
 * src/beneficiaries/person-keys.sql.ts) give the same Latin names and search keys as the
 * TypeScript a registration runs, over many generated names: a bulk writer and a registration
 * must store the same keys, or name search and duplicate checks would miss what an import wrote.
 */
const GREEK_LOWER = 'αβγδεζηθικλμνξοπρστυφχψωςάέήίόύώϊϋΐΰ';
const GREEK_UPPER = 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏΪΫ';
/** The pairs ELOT 743 reads together, and what breaks them (a diaeresis, a word end). */
const CLUSTERS = [
  'μπ',
  'ντ',
  'γγ',
  'γκ',
  'γξ',
  'γχ',
  'αυ',
  'ευ',
  'ηυ',
  'ου',
  'αϋ',
  'εϋ',
  'ΜΠ',
  'ΑΥ',
  'Ευ',
  'Ου',
];
const LATIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LATIN_DIGRAPHS = [
  'ch',
  'kh',
  'ph',
  'th',
  'ou',
  'oy',
  'mp',
  'mb',
  'nt',
  'nd',
  'gg',
  'gk',
  'nk',
  'dj',
  'ee',
  'ei',
  'oi',
  'ai',
  'y',
  'x',
  'w',
  'ck',
  'q',
];
const OTHER = [
  'é', 'ü', 'ñ', 'ß', 'ø', 'æ', 'ł', 'İ', 'ı', 'ŉ', 'ﬁ', 'Ω', 'µ', 'ϴ', 'ϐ', 'ἀ', 'ᾳ', 'Ἀ', 'ῥ', 'ᾼ',
  '\u0301', '\u0308', '\u0342', 'И', 'й', 'Ё', 'ß', '0', '7', '½', '²', ' ', ' ', '  ', '-', "'", '.', ',',
  '·', ';', '\u00a0', '\t', '‘', '’', '(', ')',
]; // prettier-ignore

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...GREEK_LOWER) },
  { weight: 3, arbitrary: fc.constantFrom(...GREEK_UPPER) },
  { weight: 3, arbitrary: fc.constantFrom(...CLUSTERS) },
  { weight: 4, arbitrary: fc.constantFrom(...LATIN) },
  { weight: 2, arbitrary: fc.constantFrom(...LATIN_DIGRAPHS) },
  { weight: 2, arbitrary: fc.constantFrom(...OTHER) },
  // Any code point but NUL and the surrogates (PostgreSQL text holds neither).
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 0x10ffff })
      .filter((cp) => cp < 0xd800 || cp > 0xdfff)
      .map((cp) => String.fromCodePoint(cp)),
  },
);
const name = fc.array(piece, { minLength: 0, maxLength: 14 }).map((parts) => parts.join(''));

const EDGE_CASES = [
  '',
  ' ',
  'Γεώργιος',
  'ΓΕΏΡΓΙΟΣ',
  'Ευάγγελος',
  'Μπακογιάννης',
  'Νικολαΐδου',
  'Ταΰγετος',
  'Αύγουστος-Ευθυμίου',
  'ΠAΠΑΔOΠΟΥΛΟΣ',
  'Papadopoulos',
  'Xristos Mixalis',
  "O'Brien",
  'Straße',
  'İstanbul',
  'ΜΠΑΜΠΗΣ ΕΥΓΕΝΙΑ',
  'μπ',
  'ευ',
  'αυτ',
  'Ἀθανάσιος',
  'Ωμέγα Ω',
];

describe('the SQL twins of person-keys.ts agree with the TypeScript', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  /** The SQL of many texts in one round trip. */
  const sqlOf = async (texts: string[]) =>
    db.query<{ translit: string; search: string; phonetic: string; latin: string }>(
      `SELECT elot743_transliterate(t) AS translit, name_search_key(t) AS search,
              name_phonetic_key(t) AS phonetic, person_latin_name(t) AS latin
         FROM unnest($1::text[]) WITH ORDINALITY AS u(t, ord) ORDER BY ord`,
      [texts],
    );

  const expectAgreement = async (texts: string[]) => {
    const rows = await sqlOf(texts);
    const sql = rows.map((r, i) => ({ text: texts[i], ...r }));
    const ts = texts.map((t) => ({
      text: t,
      translit: transliterate(t),
      search: searchKey(t),
      phonetic: phoneticKey(t),
      latin: latinName(t),
    }));
    expect(sql).toEqual(ts);
  };

  it('on the edge cases: accents, diaeresis, ELOT pairs, capitals, mixed scripts, other alphabets', async () => {
    await expectAgreement(EDGE_CASES);
    const [r] = await sqlOf(['Ευάγγελος Μπακογιάννης']);
    expect(r).toMatchObject({ search: 'evangelos bakogiannis', latin: 'EVANGELOS BAKOGIANNIS' });
  });

  it('on 20,000 generated names (Greek with accents and diaeresis, Latin, mixed, any code point)', async () => {
    const texts = fc.sample(name, { numRuns: 20_000, seed: 1764640 });
    for (let i = 0; i < texts.length; i += 2000) await expectAgreement(texts.slice(i, i + 2000));
  });

  it("a person's keys: person_name_keys is personKeys, with and without the Latin forms given", async () => {
    const quad = fc.tuple(name, name, fc.option(name, { nil: null }), fc.option(name, { nil: null }));
    const people = fc.sample(quad, { numRuns: 5000, seed: 42 });
    const rows = await db.query<{ name_key: string; phonetic_key: string }>(
      `SELECT k.name_key, k.phonetic_key
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(g, s, gl, sl, ord)
         CROSS JOIN LATERAL person_name_keys(g, s, gl, sl) k ORDER BY ord`,
      [people.map((p) => p[0]), people.map((p) => p[1]), people.map((p) => p[2]), people.map((p) => p[3])],
    );
    expect(rows).toEqual(
      people.map(([givenName, surname, givenNameLatin, surnameLatin]) => {
        const keys = personKeys({ givenName, surname, givenNameLatin, surnameLatin });
        return { name_key: keys.nameKey, phonetic_key: keys.phoneticKey };
      }),
    );
  });
});
