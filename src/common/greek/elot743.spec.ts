import fc from 'fast-check';
import { transliterate } from './elot743.js';
import { phoneticKey, phoneticVariants, searchKey } from './search-key.js';

describe('ELOT 743 transliteration', () => {
  it.each([
    ['Παπαδόπουλος', 'Papadopoulos'],
    ['ΠΑΠΑΔΟΠΟΥΛΟΣ', 'PAPADOPOULOS'],
    ['Γεώργιος', 'Georgios'],
    ['Ευάγγελος', 'Evangelos'],
    ['Ευαγγελία', 'Evangelia'],
    ['Ευθύμιος', 'Efthymios'],
    ['Αυγερινός', 'Avgerinos'],
    ['Μπακογιάννης', 'Bakogiannis'],
    ['Λάμπρος', 'Lampros'],
    ['Ελευθερία', 'Eleftheria'],
    ['Κωνσταντίνος', 'Konstantinos'],
    ['Αγγελική', 'Angeliki'],
    ['Ψαρράς', 'Psarras'],
    ['Χατζηγεωργίου', 'Chatzigeorgiou'],
    ['Ξανθή', 'Xanthi'],
    ['Θεόδωρος', 'Theodoros'],
    ['Χρήστος', 'Christos'],
    ['Παύλος', 'Pavlos'],
    ['Ραφαήλ', 'Rafail'],
    ['Ζωή', 'Zoi'],
    ['Σπάτων', 'Spaton'],
    ['Αρτέμιδος', 'Artemidos'],
    ['Βελβεντού', 'Velventou'],
    ['Ασπρόπυργος', 'Aspropyrgos'],
    ['Παιανία', 'Paiania'],
    ['Αλεξάνδρεια', 'Alexandreia'],
    ['αϋπνία', 'aypnia'],
    ['Σφίγξ', 'Sfinx'],
    ['Κομπολόι', 'Kompoloi'],
    ['Λαμπ', 'Lab'],
    ['ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ', 'SPATON - ARTEMIDOS'],
  ])('%s → %s', (greek, latin) => {
    expect(transliterate(greek)).toBe(latin);
  });

  it('leaves Latin text, digits and punctuation as they are', () => {
    expect(transliterate('Odos 12, Athens')).toBe('Odos 12, Athens');
  });

  it('gives only ASCII for any Greek letters', () => {
    const greek = fc.constantFrom(
      ...'αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰςΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏ'.split(''),
    );
    fc.assert(
      fc.property(fc.array(greek, { minLength: 1, maxLength: 20 }), (letters) =>
        /^[A-Za-z]+$/.test(transliterate(letters.join(''))),
      ),
    );
  });
});

describe('search keys', () => {
  it('match across accents, case and script', () => {
    for (const variant of ['Σπάτων', 'ΣΠΑΤΩΝ', 'spaton', 'SPATON', 'σπατων'])
      expect(searchKey(variant)).toBe('spaton');
    expect(searchKey('ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ')).toBe('spaton artemidos');
    expect(searchKey('Σπάτων-Αρτέμιδος')).toBe('spaton artemidos');
    expect(searchKey('Παπαδόπουλος')).toBe(searchKey('PAPADOPOULOS'));
  });

  it('phonetic keys bring together the usual Latin spellings and typos of a Greek name', () => {
    expect(phoneticKey('papadopulos')).toBe(phoneticKey('Παπαδόπουλος'));
    expect(phoneticKey('PAPADOPOULOS')).toBe(phoneticKey('Παπαδόπουλος'));
    expect(phoneticKey('Constantinos')).toBe(phoneticKey('Κωνσταντίνος'));
    expect(phoneticKey('Philippos')).toBe(phoneticKey('Φίλιππος'));
    expect(phoneticKey('Filipos')).toBe(phoneticKey('Φίλιππος'));
    expect(phoneticKey('Papadakis')).not.toBe(phoneticKey('Παπαδόπουλος'));
  });

  it.each([
    ['EVAGGELOU', 'Ευαγγέλου'],
    ['Lambrakis', 'Λαμπράκης'],
    ['Aggelopoulos', 'Αγγελόπουλος'],
    ['Agkelopoulos', 'Αγγελόπουλος'],
    ['Andoniou', 'Αντωνίου'],
    ['Hatzis', 'Χατζής'],
    ['Khatzis', 'Χατζής'],
    ['Eustathios', 'Ευστάθιος'],
    ['Augerinos', 'Αυγερινός'],
    ['Djavelas', 'Τζαβέλας'],
    ['Ksanthi', 'Ξάνθη'],
    ['Xanthi', 'Ξάνθη'],
    ['Psyhogios', 'Ψυχογιός'],
    ['Papadopoylos', 'Παπαδόπουλος'],
    ['Bakoyannis', 'Μπακογιάννης'],
    ['ΠAΠAΔOΠOYΛOΣ', 'Παπαδόπουλος'],
    ['PAPADΟPΟULΟS', 'Παπαδόπουλος'],
  ])('folds the typed %s and the stored %s alike', (typed, stored) => {
    expect(phoneticKey(typed)).toBe(phoneticKey(stored));
    expect(phoneticKey(phoneticKey(stored))).toBe(phoneticKey(stored));
  });

  it('reads a typed Latin x both as ξ and as χ', () => {
    expect(phoneticVariants('Xristos')).toContain(phoneticKey('Χρήστος'));
    expect(phoneticVariants('Alexandros')).toContain(phoneticKey('Αλέξανδρος'));
    expect(phoneticVariants('Χρήστος')).toEqual([phoneticKey('Χρήστος')]);
  });

  it('are idempotent and the same for upper, lower and accented forms of a Greek word', () => {
    const word = fc
      .array(fc.constantFrom(...'αβγδεζηθικλμνξοπρστυφχψω'.split('')), { minLength: 1, maxLength: 12 })
      .map((l) => l.join(''));
    fc.assert(
      fc.property(word, (w) => {
        const key = searchKey(w);
        return searchKey(key) === key && searchKey(w.toUpperCase()) === key;
      }),
    );
    expect(searchKey('Ελένη')).toBe(searchKey('ΕΛΕΝΗ'));
  });
});
