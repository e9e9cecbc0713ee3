/**
 * The SQL twins of person-keys.ts (and of the ELOT 743 and search-key folds under it), so that a
 * bulk writer (the REGISTRY feed's set-based merge, src/imports/registry-merge.ts) computes a
 * person's Latin names and search keys in the database exactly as a registration computes them in
 * TypeScript (rule 19). test/person-keys-sql.e2e-spec.ts checks that both agree over many
 * generated names.
 *
 * The JavaScript functions lean on Unicode: `toLowerCase`/`toUpperCase`, the classes \p{L}, \p{N}
 * and \p{M}, NFD/NFC. PostgreSQL's lower/upper and regex classes follow the database's locale (the
 * C locale maps ASCII only), so the twins do not use them: the case tables and the character
 * classes are read from this JavaScript runtime when the migration runs and written into the
 * functions, which then agree with the code whatever the locale. NFD and NFC are PostgreSQL's own
 * `normalize` (its Unicode tables; a UTF-8 database).
 */

const MAX_CODE_POINT = 0x10ffff;

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** A regex bracket body (no brackets) of the code points that match `test`, as \U escapes. */
function bracketOf(test: RegExp): string {
  const parts: string[] = [];
  let start = -1;
  const hex = (cp: number) => `\\U${cp.toString(16).padStart(8, '0')}`;
  for (let cp = 0; cp <= MAX_CODE_POINT + 1; cp++) {
    const inClass = cp <= MAX_CODE_POINT && !isSurrogate(cp) && test.test(String.fromCodePoint(cp));
    if (inClass && start < 0) start = cp;
    if (!inClass && start >= 0) {
      parts.push(start === cp - 1 ? hex(start) : `${hex(start)}-${hex(cp - 1)}`);
      start = -1;
    }
  }
  return parts.join('');
}

type CaseTable = [from: string, to: string];

/**
 * Single code points whose case mapping is one other code point, in three tables (ASCII and Greek;
 * the rest of Latin and Cyrillic; everything else), and the code points mapping to several.
 */
function caseTables(map: (s: string) => string): { tables: CaseTable[]; multi: Array<[string, string]> } {
  const tables: CaseTable[] = [
    ['', ''],
    ['', ''],
    ['', ''],
  ];
  const multi: Array<[string, string]> = [];
  for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
    if (isSurrogate(cp)) continue;
    const ch = String.fromCodePoint(cp);
    const mapped = map(ch);
    if (mapped === ch) continue;
    if ([...mapped].length > 1) multi.push([ch, mapped]);
    else {
      const table = tables[cp < 0x80 || (cp >= 0x370 && cp < 0x400) ? 0 : cp < 0x530 ? 1 : 2]!;
      table[0] += ch;
      table[1] += mapped;
    }
  }
  return { tables, multi };
}

/** A SQL string literal (standard conforming strings). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A regex bracket body of the given characters. */
function bracketOfChars(chars: string): string {
  return [...chars].map((c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join('');
}

/**
 * A case mapping as one SQL expression (inlined by the planner). PostgreSQL's translate scans its
 * table for every character, so a name's own letters (ASCII, Greek) are mapped by a short table,
 * and the longer tables (and the mappings to several characters) are applied only to a text that
 * holds one of their characters.
 */
function caseFunction(name: string, map: (s: string) => string): string {
  const { tables, multi } = caseTables(map);
  const guarded = (body: string, chars: string, apply: (body: string) => string) =>
    `CASE WHEN p_text ~ '[${bracketOfChars(chars)}]' THEN ${apply(body)} ELSE ${body} END`;
  let body = 'p_text';
  if (multi.length)
    body = guarded(body, multi.map(([c]) => c).join(''), (b) =>
      multi.reduce((acc, [ch, mapped]) => `replace(${acc}, ${literal(ch)}, ${literal(mapped)})`, b),
    );
  const [short, common, rest] = tables as [CaseTable, CaseTable, CaseTable];
  body = `translate(${body}, ${literal(short[0])}, ${literal(short[1])})`;
  body = guarded(body, common[0], (b) => `translate(${b}, ${literal(common[0])}, ${literal(common[1])})`);
  body = guarded(body, rest[0], (b) => `translate(${b}, ${literal(rest[0])}, ${literal(rest[1])})`);
  return `
    CREATE FUNCTION ${name}(p_text text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT ${body}
      $fn$`;
}

/** The characters whose lower case is one of the 25 letters ELOT 743 reads, and that letter. */
function greekLowerTable(): [string, string] {
  const letters = 'αβγδεζηθικλμνξοπρσςτυφχψω';
  let from = '';
  let to = '';
  for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
    if (isSurrogate(cp)) continue;
    const ch = String.fromCodePoint(cp);
    const lower = ch.toLowerCase();
    if (lower !== ch && [...lower].length === 1 && letters.includes(lower)) {
      from += ch;
      to += lower;
    }
  }
  return [from, to];
}

/**
 * The functions, in creation order:
 * - `js_lower(text)`, `js_upper(text)`: String.prototype.toLowerCase / toUpperCase (the contextual
 *   final sigma of toLowerCase aside: every key transliterates σ and ς alike).
 * - `js_strip_marks(text)`: `.replace(/\p{M}/gu, '')`.
 * - `elot743_transliterate(text)`: transliterate() of src/common/greek/elot743.ts.
 * - `name_search_key(text)`, `name_phonetic_key(text)`: searchKey and phoneticKey of
 *   src/common/greek/search-key.ts.
 * - `person_latin_name(text)`, `person_name_keys(given, surname, given_latin, surname_latin)`:
 *   latinName and personKeys of src/beneficiaries/person-keys.ts (the Latin forms default to
 *   latinName of the Greek ones when NULL).
 */
export function personKeyFunctionsSql(): string[] {
  const [greekUpper, greekLower] = greekLowerTable();
  const letters = bracketOf(/\p{L}/u);
  const digits = bracketOf(/\p{N}/u);
  const lettersOrDigits = `${letters}${digits}`;
  const marks = bracketOf(/\p{M}/u);
  return [
    caseFunction('js_lower', (s) => s.toLowerCase()),
    caseFunction('js_upper', (s) => s.toUpperCase()),
    `CREATE FUNCTION js_strip_marks(p_text text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
         SELECT regexp_replace(p_text, '[${marks}]', '', 'g')
       $fn$`,
    // A loop over the characters, as elot743.ts walks them: a word is a run of Greek letters (a
    // character whose NFD base, lower-cased, is one of the 25 letters), read with its neighbours.
    `CREATE FUNCTION elot743_transliterate(p_text text) RETURNS text
       LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
       DECLARE
         greek CONSTANT text := 'αβγδεζηθικλμνξοπρσςτυφχψω';
         latin CONSTANT text[] := ARRAY['a','v','g','d','e','z','i','th','i','k','l','m','n','x','o','p',
                                         'r','s','s','t','y','f','ch','ps','o'];
         voiceless CONSTANT text := 'θκξπσςτφχψ';
         chars text[] := regexp_split_to_array(normalize(p_text, NFC), '');
         n int := coalesce(array_length(chars, 1), 0);
         base text[] := array_fill(NULL::text, ARRAY[n + 2]);
         up boolean[] := array_fill(false, ARRAY[n + 2]);
         dia boolean[] := array_fill(false, ARRAY[n + 2]);
         result text := '';
         c text; nfd text; first text; lowered text; cp int;
         i int := 1; j int; k int; len int; all_caps boolean; pair text; aft text; out_latin text;
       BEGIN
         IF p_text = '' THEN RETURN ''; END IF;
         FOR k IN 1 .. n LOOP
           c := chars[k];
           CONTINUE WHEN ascii(c) < 128;
           nfd := normalize(c, NFD);
           first := substr(nfd, 1, 1);
           lowered := translate(first, ${literal(greekUpper)}, ${literal(greekLower)});
           IF position(lowered IN greek) > 0 THEN
             base[k] := lowered;
             up[k] := first <> lowered;
             dia[k] := position(U&'\\0308' IN nfd) > 0;
           END IF;
         END LOOP;
         WHILE i <= n LOOP
           cp := ascii(chars[i]);
           IF NOT (cp BETWEEN 880 AND 1023 OR cp BETWEEN 7936 AND 8191) OR base[i] IS NULL THEN
             result := result || chars[i];
             i := i + 1;
             CONTINUE;
           END IF;
           j := i;
           all_caps := true;
           WHILE j <= n AND base[j] IS NOT NULL LOOP
             all_caps := all_caps AND up[j];
             j := j + 1;
           END LOOP;
           len := j - i;
           all_caps := all_caps AND len > 1;
           k := i;
           WHILE k < j LOOP
             pair := CASE WHEN k + 1 < j AND NOT dia[k + 1] THEN base[k] || base[k + 1] ELSE '' END;
             aft := CASE WHEN k + 2 < j THEN base[k + 2] END;
             IF pair IN ('αυ', 'ευ', 'ηυ') THEN
               out_latin := latin[position(base[k] IN greek)]
                            || CASE WHEN aft IS NULL OR position(aft IN voiceless) > 0 THEN 'f' ELSE 'v' END;
             ELSIF pair = 'ου' THEN out_latin := 'ou';
             ELSIF pair = 'γγ' THEN out_latin := 'ng';
             ELSIF pair = 'γκ' THEN out_latin := 'gk';
             ELSIF pair = 'γξ' THEN out_latin := 'nx';
             ELSIF pair = 'γχ' THEN out_latin := 'nch';
             ELSIF pair = 'μπ' THEN out_latin := CASE WHEN k = i OR k + 2 = j THEN 'b' ELSE 'mp' END;
             ELSE out_latin := latin[position(base[k] IN greek)];
             END IF;
             IF all_caps THEN result := result || upper(out_latin);
             ELSIF up[k] THEN result := result || upper(left(out_latin, 1)) || substr(out_latin, 2);
             ELSE result := result || out_latin;
             END IF;
             k := k + CASE WHEN pair <> '' AND (pair IN ('αυ', 'ευ', 'ηυ', 'ου', 'γγ', 'γκ', 'γξ', 'γχ', 'μπ')) THEN 2 ELSE 1 END;
           END LOOP;
           i := j;
         END LOOP;
         RETURN result;
       END
       $fn$`,
    `CREATE FUNCTION name_search_key(p_text text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
         SELECT btrim(regexp_replace(
                  js_lower(elot743_transliterate(js_lower(js_strip_marks(normalize(p_text, NFD))))),
                  '[^${lettersOrDigits}]+', ' ', 'g'), ' ')
       $fn$`,
    // oneScript of search-key.ts: a word of letters in both scripts is written in the script most
    // of its letters are in, lookalike for lookalike.
    `CREATE FUNCTION name_one_script(p_text text) RETURNS text
       LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
       DECLARE
         latin_like CONSTANT text := 'ABEHIKMNOPTXYZaikopuvx';
         greek_like CONSTANT text := 'ΑΒΕΗΙΚΜΝΟΡΤΧΥΖαικορυνχ';
         parts text[];
         result text := '';
         word text; g int; l int;
       BEGIN
         IF p_text !~ '[A-Za-z]' OR p_text !~ '[\\u0370-\\u03ff\\u1f00-\\u1fff]' THEN RETURN p_text; END IF;
         FOR word IN SELECT m.r[1] FROM regexp_matches(p_text, '([${letters}]+|[^${letters}]+)', 'g')
                             WITH ORDINALITY AS m(r, ord) ORDER BY m.ord LOOP
           IF word ~ '^[${letters}]' THEN
             g := length(regexp_replace(word, '[^\\u0370-\\u03ff\\u1f00-\\u1fff]', '', 'g'));
             l := length(regexp_replace(word, '[^A-Za-z]', '', 'g'));
             IF g > 0 AND l > 0 THEN
               word := CASE WHEN g >= l THEN translate(word, latin_like, greek_like)
                            ELSE translate(word, greek_like, latin_like) END;
             END IF;
           END IF;
           result := result || word;
         END LOOP;
         RETURN result;
       END
       $fn$`,
    // foldWord of search-key.ts: the PHONETIC rules in order (the alternations here match the
    // same text under PostgreSQL's longest match as under JavaScript's first match). A word of a
    // search key holds letters and digits only, so "a doubled letter" is "a doubled non-digit".
    // A rule without an alternation or a class is a plain replace (PostgreSQL keeps only 32
    // compiled regular expressions per session: the fewer, the less they are compiled again).
    `CREATE FUNCTION name_phonetic_fold(p_word text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
         SELECT regexp_replace(replace(replace(
                regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                replace(replace(replace(
                regexp_replace(regexp_replace(p_word,
                  'y(?=[aeiou])', 'gi', 'g'),
                  '[ck]h', 'h', 'g'),
                  'x', 'ks'),
                  'ph', 'f'),
                  'th', 't'),
                  'ck|c|q', 'k', 'g'),
                  '([ae])[fuy]', '\\1v', 'g'),
                  'o[uy]', 'u', 'g'),
                  'm[pb]', 'b', 'g'),
                  'n[td]', 'd', 'g'),
                  '[ng][gk]|nk', 'g', 'g'),
                  'd[jz]|tj', 'tz', 'g'),
                  'ee|ei|oi|yi|y', 'i', 'g'),
                  'ai', 'e'),
                  'w', 'o'),
                  '([^${digits}])\\1+', '\\1', 'g')
       $fn$`,
    // The fold of each word of the key, applied to the whole key at once: no rule matches across
    // the single space between two words (every pattern is letters, or a character repeated).
    `CREATE FUNCTION name_phonetic_key(p_text text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
         SELECT name_phonetic_fold(name_search_key(name_one_script(normalize(p_text, NFC))))
       $fn$`,
    `CREATE FUNCTION person_latin_name(p_text text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
         SELECT js_upper(js_strip_marks(normalize(elot743_transliterate(normalize(p_text, NFC)), NFD)))
       $fn$`,
    // personKeys: the keys over both scripts of both names, each word once, in first-seen order.
    // plpgsql, not sql, from here: a SQL function that is not inlined is planned at every call.
    `CREATE FUNCTION person_key_words_once(p_key text) RETURNS text
       LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
       DECLARE
         words text[] := '{}';
         w text;
       BEGIN
         FOREACH w IN ARRAY string_to_array(p_key, ' ') LOOP
           IF w <> '' AND NOT w = ANY (words) THEN words := words || w; END IF;
         END LOOP;
         RETURN array_to_string(words, ' ');
       END
       $fn$`,
    `CREATE FUNCTION person_name_keys(p_given text, p_surname text, p_given_latin text, p_surname_latin text,
                                      OUT name_key text, OUT phonetic_key text)
       LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
       DECLARE
         all_names text := p_given || ' ' || p_surname || ' ' || coalesce(p_given_latin, person_latin_name(p_given))
                           || ' ' || coalesce(p_surname_latin, person_latin_name(p_surname));
         search_key text := name_search_key(all_names);
       BEGIN
         name_key := person_key_words_once(search_key);
         -- phoneticKey is the fold of the search key of oneScript(NFC(text)): the same search key
         -- when no word mixes the scripts.
         phonetic_key := person_key_words_once(
           CASE WHEN name_one_script(normalize(all_names, NFC)) = normalize(all_names, NFC)
                THEN name_phonetic_fold(search_key) ELSE name_phonetic_key(all_names) END);
       END
       $fn$`,
  ];
}

/** Their names and signatures, to drop them (in reverse order). */
export const PERSON_KEY_FUNCTIONS = [
  'js_lower(text)',
  'js_upper(text)',
  'js_strip_marks(text)',
  'elot743_transliterate(text)',
  'name_search_key(text)',
  'name_one_script(text)',
  'name_phonetic_fold(text)',
  'name_phonetic_key(text)',
  'person_latin_name(text)',
  'person_key_words_once(text)',
  'person_name_keys(text, text, text, text)',
];
