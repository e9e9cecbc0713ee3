import { FeedKind, RowProblemCode, type FeedField } from '../contracts.js';
import { FEEDS } from '../feeds.js';
import {
  checkValue,
  parseBoolean,
  parseDate,
  parseDecimal,
  type Checked,
  type ValueProblem,
} from './values.js';

/** The problem of a checked value, undefined for a good one. */
const problem = (checked: Checked): ValueProblem | undefined =>
  typeof checked === 'string' ? undefined : checked;

const field = (kind: `${FeedKind}`, name: string): FeedField =>
  FEEDS[kind as FeedKind].fields.find((f) => f.name === name)!;

describe('parseDecimal', () => {
  it.each([
    ['1.234,56', '1234.56'],
    ['1234,56', '1234.56'],
    ['1234.56', '1234.56'],
    ['1,234.56', '1234.56'],
    ['1.234.567', '1234567'],
    ['1,234,567', '1234567'],
    ['0,5', '0.5'],
    [',5', '0.5'],
    ['12.5', '12.5'],
    ['1,234', '1.234'],
    ['007', '7'],
    [' 1 234,50 € ', '1234.50'],
    ['-12,50', '-12.50'],
    ['-0', '0'],
  ])('reads %j as %s', (raw, value) => expect(parseDecimal(raw)).toBe(value));

  it.each(['1.234', '12,34,5', '1.23.4', '1,2.3', 'abc', '12a', '', '--1', '1e5'])('refuses %j', (raw) =>
    expect(parseDecimal(raw)).toHaveProperty('error'),
  );

  it('explains the ambiguous point', () => {
    expect(parseDecimal('1.234')).toEqual({ error: expect.stringContaining('ambiguous') });
  });
});

describe('parseDate', () => {
  it.each([
    ['31/12/2024', '2024-12-31'],
    ['1/2/2024', '2024-02-01'],
    ['01.02.2024', '2024-02-01'],
    ['01-02-2024', '2024-02-01'],
    ['2024-02-29', '2024-02-29'],
    ['20240229', '2024-02-29'],
    ['29/02/2000', '2000-02-29'],
  ])('reads %s as %s', (raw, value) => expect(parseDate(raw)).toBe(value));

  it.each([
    '31/04/2025',
    '29/02/2023',
    '29/02/1900',
    '00/01/2024',
    '12/13/2024',
    '2024-13-01',
    '1/1/24',
    '1899-12-31',
    'yesterday',
  ])('refuses %s', (raw) => expect(parseDate(raw)).toHaveProperty('error'));
});

describe('parseBoolean', () => {
  it('reads yes and no in Greek and English, any case and accent', () => {
    expect(['ΝΑΙ', 'ναι', 'Ναί', 'Yes', 'true', '1', 'Ν'].map(parseBoolean)).toEqual(Array(7).fill(true));
    expect(['ΟΧΙ', 'όχι', 'No', 'FALSE', '0', 'Ο'].map(parseBoolean)).toEqual(Array(6).fill(false));
    expect(parseBoolean('ίσως')).toBeNull();
  });
});

describe('checkValue', () => {
  it('checks AFM and AMKA check digits without repeating the number', () => {
    const afm = field('TAXIS', 'afm');
    expect(checkValue(afm, '094259216')).toBe('094259216');
    const wrong = checkValue(afm, '094259217');
    expect(problem(wrong)?.code).toBe(RowProblemCode.BAD_IDENTIFIER);
    expect(problem(wrong)?.message).not.toContain('094259217');
    expect(problem(wrong)?.message).toContain('…217');
    expect(problem(checkValue(afm, '94259216'))?.message).toContain('leading 0');
    expect(problem(checkValue(afm, '0942A9216'))?.code).toBe(RowProblemCode.BAD_IDENTIFIER);

    const amka = field('EFKA', 'amka');
    expect(checkValue(amka, '01013099997')).toBe('01013099997');
    for (const bad of ['01013099999', '32013099995', '0101309999']) {
      const checked = checkValue(amka, bad);
      expect(problem(checked)?.code).toBe(RowProblemCode.BAD_IDENTIFIER);
      expect(problem(checked)?.message).not.toContain(bad);
      expect(problem(checked)?.message).not.toContain(bad.slice(0, 6));
    }
  });

  it('checks codes, bounds and whole numbers', () => {
    expect(checkValue(field('EFKA', 'employment_status'), 'self-employed')).toBe('SELF_EMPLOYED');
    expect(problem(checkValue(field('OPEKA', 'benefit_code'), 'ΚΕΑ'))?.code).toBe(
      RowProblemCode.UNKNOWN_CODE,
    );
    expect(checkValue(field('KEPA', 'percentage'), '100,0')).toBe('100.0');
    expect(problem(checkValue(field('KEPA', 'percentage'), '100,5'))?.code).toBe(RowProblemCode.OUT_OF_RANGE);
    expect(problem(checkValue(field('TAXIS', 'vehicles'), '2,5'))?.code).toBe(RowProblemCode.BAD_NUMBER);
    expect(problem(checkValue(field('TAXIS', 'tax_year'), 'abc'))?.message).toBe(
      '"abc" is not a whole number: write digits only, from 2000 to 2099.',
    );
    expect(checkValue(field('TAXIS', 'vehicles'), '02')).toBe('2');
    expect(problem(checkValue(field('TAXIS', 'tax_year'), '1999'))?.code).toBe(RowProblemCode.OUT_OF_RANGE);
    expect(checkValue(field('REGISTRY', 'municipality'), '101')).toBe('0101');
    expect(problem(checkValue(field('REGISTRY', 'municipality'), 'Αθηνών'))?.code).toBe(
      RowProblemCode.BAD_NUMBER,
    );
    expect(problem(checkValue(field('REGISTRY', 'given_name'), 'x'.repeat(501)))?.code).toBe(
      RowProblemCode.OUT_OF_RANGE,
    );
  });
});
