import { latinName, personKeys, typedNameWords } from './person-keys.js';
import { ageOn } from './person-rows.js';
import { todayInAthens } from '../common/athens-time.js';

describe('person keys', () => {
  it.each([
    ['Γεώργιος', 'GEORGIOS'],
    ['Ευάγγελος', 'EVANGELOS'],
    ['Μπακογιάννης', 'BAKOGIANNIS'],
    ['Νικολαΐδου', 'NIKOLAIDOU'],
    ['Ψυχογιός', 'PSYCHOGIOS'],
  ])('writes %s in Latin as %s (ELOT 743, capitals)', (greek, latin) => {
    expect(latinName(greek)).toBe(latinName(greek.toUpperCase()));
    expect(latinName(greek)).toBe(latin);
  });

  it('gives the same phonetic key to a Greek name and its usual Latin spellings', () => {
    const greek = personKeys({ givenName: 'Κωνσταντίνος', surname: 'Παπαδόπουλος' });
    const latin = personKeys({
      givenName: 'Konstantinos',
      surname: 'Papadopoulos',
      givenNameLatin: 'KONSTANTINOS',
      surnameLatin: 'PAPADOPOULOS',
    });
    expect(latin.phoneticKey).toBe(greek.phoneticKey);
    expect(greek.nameKey).toBe('konstantinos papadopoulos');
  });

  it('keeps an edited Latin form beside the derived key', () => {
    const keys = personKeys({
      givenName: 'Φίλιππος',
      surname: 'Ζερβός',
      givenNameLatin: 'PHILIP',
      surnameLatin: 'ZERVOS',
    });
    expect(keys.nameKey.split(' ')).toEqual(expect.arrayContaining(['filippos', 'philip', 'zervos']));
  });
});

describe('typed names', () => {
  it('match the everyday and official forms of a given name, and the words as typed', () => {
    const [given, surname] = typedNameWords('Γιάννης Παπαδόπουλος');
    expect(given!.exact).toEqual(expect.arrayContaining(['gianis', 'ioanis']));
    expect(surname).toEqual({ typed: 'papadopulos', exact: ['papadopulos'] });
    expect(typedNameWords('Σούλα')[0]!.exact).toContain(
      personKeys({ givenName: 'Αθανασία', surname: 'Χ' }).phoneticKey.split(' ')[0],
    );
    expect(typedNameWords('a - ')).toEqual([]);
  });
});

describe('ages', () => {
  it('counts whole years, turning a year older on the birthday', () => {
    expect(ageOn('2008-03-15', '2026-03-14')).toBe(17);
    expect(ageOn('2008-03-15', '2026-03-15')).toBe(18);
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
    expect(ageOn('2000-02-29', '2026-03-01')).toBe(26);
  });

  it('takes today in Athens, which is already tomorrow late in the UTC evening', () => {
    expect(todayInAthens(new Date('2026-06-30T21:30:00Z'))).toBe('2026-07-01');
    expect(todayInAthens(new Date('2026-12-31T21:59:00Z'))).toBe('2026-12-31');
    expect(todayInAthens(new Date('2026-12-31T22:00:00Z'))).toBe('2027-01-01');
  });
});
