import fc from 'fast-check';
import { afmCheckDigit, isValidAfm, makeAfm } from './afm.js';
import { amkaMatchesBirthDate, checkAmka, isValidAmka, luhnCheckDigit, makeAmka } from './amka.js';

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const birthDate = fc
  .date({ min: new Date('1920-01-01'), max: new Date('2024-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('AFM', () => {
  it.each(['090000045', '094259216', '094019245'])('accepts %s', (afm) => expect(isValidAfm(afm)).toBe(true));
  it.each(['090000046', '000000000', '12345678', '0900000450', '09000004a'])('refuses %s', (afm) =>
    expect(isValidAfm(afm)).toBe(false),
  );

  it('makes valid numbers from any 8 digits', () => {
    fc.assert(
      fc.property(
        digits(8).filter((d) => d !== '00000000'),
        (first8) => isValidAfm(makeAfm(first8)),
      ),
    );
  });

  it('catches any change of the check digit alone', () => {
    // Changing one of the first eight digits can leave (sum mod 11) mod 10 unchanged (10 and 0 fold
    // together), so only the check digit itself is always caught.
    fc.assert(
      fc.property(
        digits(8).filter((d) => d !== '00000000'),
        fc.integer({ min: 1, max: 9 }),
        (first8, delta) => {
          const wrong = (afmCheckDigit(first8) + delta) % 10;
          return !isValidAfm(first8 + wrong);
        },
      ),
    );
  });
});

describe('AMKA', () => {
  it('accepts the documented valid example and refuses the invalid ones with the right reason', () => {
    expect(checkAmka('01013099997')).toEqual({ valid: true, birthDateCandidates: ['1930-01-01'] });
    expect(checkAmka('01013099999')).toMatchObject({ valid: false, problem: 'CHECKSUM' });
    expect(checkAmka('32013099995')).toMatchObject({
      valid: false,
      problem: 'DATE',
      message: expect.stringContaining('320130 is not a date'),
    });
    expect(checkAmka('0101309999')).toMatchObject({ valid: false, problem: 'FORMAT' });
  });

  it('offers both centuries when both are possible, and no future date', () => {
    const today = new Date('2026-11-22');
    const amka = makeAmka('2005-03-15', 1);
    expect(checkAmka(amka, today)).toEqual({
      valid: true,
      birthDateCandidates: ['1905-03-15', '2005-03-15'],
    });
    expect(checkAmka(makeAmka('1930-06-01', 1), today)).toEqual({
      valid: true,
      birthDateCandidates: ['1930-06-01'],
    });
  });

  it('makes valid numbers that match their birth date', () => {
    fc.assert(
      fc.property(birthDate, fc.integer({ min: 0, max: 9999 }), (date, serial) =>
        amkaMatchesBirthDate(makeAmka(date, serial), date),
      ),
    );
  });

  it('catches any single-digit change (Luhn)', () => {
    fc.assert(
      fc.property(
        birthDate,
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 6, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (date, serial, pos, delta) => {
          const amka = makeAmka(date, serial);
          const changed = amka.slice(0, pos) + ((Number(amka[pos]) + delta) % 10) + amka.slice(pos + 1);
          return !isValidAmka(changed);
        },
      ),
    );
  });

  it('computes the Luhn digit', () => {
    expect(luhnCheckDigit('0101309999')).toBe(7);
  });
});
