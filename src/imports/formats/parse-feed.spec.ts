import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import {
  FeedEncoding,
  FeedFormat,
  FeedKind,
  RowProblemCode,
  type FeedRow,
  type ParseOptions,
} from '../contracts.js';
import { FeedFileError, FeedFileErrorCode, parseFeed } from './index.js';

const FIXTURES = 'test/fixtures/feeds';

async function rowsOf(input: Readable, options: ParseOptions) {
  const parsed = await parseFeed(input, options);
  const batches: FeedRow[][] = [];
  for await (const batch of parsed.batches) batches.push(batch);
  return { ...parsed, batches, rows: batches.flat() };
}
const fixture = (file: string, options: ParseOptions) =>
  rowsOf(createReadStream(`${FIXTURES}/${file}`), options);
const text = (content: string, options: ParseOptions) =>
  rowsOf(Readable.from([Buffer.from(content, 'utf8')]), options);
/** Each row as [line, [field, code] of each problem]. */
const problems = (rows: FeedRow[]) => rows.map((r) => [r.line, r.problems.map((p) => [p.field, p.code])]);

describe('parseFeed: TAXIS', () => {
  it('reads a UTF-8 CSV with a BOM, Greek headers with accents and dots, and decimal commas', async () => {
    const { format, encoding, encodingDetected, rows } = await fixture('taxis.csv', { feed: FeedKind.TAXIS });
    expect([format, encoding, encodingDetected]).toEqual([FeedFormat.CSV, FeedEncoding.UTF8, true]);
    expect(rows[0]).toEqual({
      line: 2,
      values: {
        afm: '094259216',
        tax_year: '2024',
        household_income: '12345.67',
        income_salary: '12345.67',
        income_pension: '0',
        income_business: '0',
        income_farming: '0',
        income_rental: '0',
        income_other: '0',
        real_estate_value: '85000.00',
        vehicles: '1',
        vehicle_value: '3500.00',
      },
      problems: [],
    });
    expect(rows[1]!.values).toMatchObject({
      household_income: '8200.50',
      income_pension: '8200.50',
      income_farming: null,
    });
    // The blank line 7 is no row; every bad row is reported and the rows after it are read.
    expect(problems(rows)).toEqual([
      [2, []],
      [3, []],
      [4, [['afm', RowProblemCode.BAD_IDENTIFIER]]],
      [5, [['afm', RowProblemCode.BAD_IDENTIFIER]]],
      [6, [['household_income', RowProblemCode.BAD_NUMBER]]],
      [8, [['vehicles', RowProblemCode.OUT_OF_RANGE]]],
      [9, [['household_income', RowProblemCode.BAD_NUMBER]]],
      [10, [[null, RowProblemCode.MALFORMED_ROW]]],
      [11, []],
    ]);
    expect(rows[3]!.problems[0]!.message).toContain('leading 0');
    expect(rows[6]!.problems[0]!.message).toContain('ambiguous');
    // A bad field is null; the row's other values are still there for the report.
    expect(rows[2]!.values).toMatchObject({ afm: null, tax_year: '2024' });
  });

  it('reads a comma-separated CSV with English headers, quoted decimal commas and decimal points', async () => {
    const { rows } = await fixture('taxis-comma.csv', { feed: FeedKind.TAXIS });
    expect(problems(rows)).toEqual([
      [2, []],
      [3, []],
      [4, []],
    ]);
    expect(
      rows.map((r) => [r.values.household_income, r.values.income_salary, r.values.vehicle_value]),
    ).toEqual([
      ['12345.67', '12345.67', '3500'],
      ['1234.50', null, null],
      ['1234.5', null, '1500.25'],
    ]);
  });

  it('reads fixed-width records, amounts in cents, without a header', async () => {
    const { format, rows } = await fixture('taxis.txt', { feed: FeedKind.TAXIS });
    expect(format).toBe(FeedFormat.FIXED_WIDTH);
    expect(rows[0]!.values).toMatchObject({
      afm: '094259216',
      tax_year: '2024',
      household_income: '12345.67',
      real_estate_value: '85000.00',
      vehicles: '1',
      vehicle_value: '3500.00',
    });
    expect(problems(rows)).toEqual([
      [1, []],
      [2, []],
      [3, [[null, RowProblemCode.MALFORMED_ROW]]],
      [4, [['household_income', RowProblemCode.BAD_NUMBER]]],
      [6, [['household_income', RowProblemCode.MISSING_FIELD]]],
      [7, [['afm', RowProblemCode.BAD_IDENTIFIER]]],
    ]);
    expect(rows[2]!.problems[0]!.message).toBe(
      'The record is 100 characters long; a TAXIS record is 123 (space-padded).',
    );
    expect(rows[3]!.problems[0]!.message).toContain('Positions 14–25');
  });

  it('reads JSON lines with canonical or alias keys; bad JSON is a malformed row and reading goes on', async () => {
    const { format, rows } = await fixture('taxis.jsonl', { feed: FeedKind.TAXIS });
    expect(format).toBe(FeedFormat.JSONL);
    expect(rows[0]!.values).toMatchObject({
      household_income: '12345.67',
      income_salary: '12345.67',
      vehicles: '1',
    });
    expect(rows[1]!.values).toMatchObject({
      afm: '094019245',
      tax_year: '2024',
      household_income: '8200.50',
    });
    expect(problems(rows)).toEqual([
      [1, []],
      [2, []],
      [3, [[null, RowProblemCode.MALFORMED_ROW]]],
      [4, [[null, RowProblemCode.MALFORMED_ROW]]],
      [5, [[null, RowProblemCode.MALFORMED_ROW]]],
      [7, [['afm', RowProblemCode.MISSING_FIELD]]],
    ]);
  });

  it('takes the format given over the one detected', async () => {
    await expect(
      fixture('taxis.txt', { feed: FeedKind.TAXIS, format: FeedFormat.CSV }),
    ).rejects.toMatchObject({
      code: FeedFileErrorCode.MISSING_COLUMNS,
    });
    const { rows } = await fixture('taxis.jsonl', { feed: FeedKind.TAXIS, format: FeedFormat.FIXED_WIDTH });
    expect(rows.every((r) => r.problems[0]?.code === RowProblemCode.MALFORMED_ROW)).toBe(true);
  });
});

describe('parseFeed: EFKA, OPEKA, KEPA, DYPA', () => {
  it('EFKA: booleans in Greek, codes in any case, D/M/YYYY and ISO dates, each problem with its field', async () => {
    const { rows } = await fixture('efka.csv', { feed: FeedKind.EFKA });
    expect(rows.slice(0, 3).map((r) => r.values)).toEqual([
      {
        amka: '15038012348',
        reference_date: '2025-10-01',
        insured: 'true',
        employment_status: 'EMPLOYED',
        receives_pension: 'false',
        pension_amount: null,
      },
      {
        amka: '01015700428',
        reference_date: '2025-09-01',
        insured: 'true',
        employment_status: 'RETIRED',
        receives_pension: 'true',
        pension_amount: '1020.40',
      },
      {
        amka: '29029200077',
        reference_date: '2025-10-01',
        insured: 'false',
        employment_status: 'UNEMPLOYED',
        receives_pension: 'false',
        pension_amount: null,
      },
    ]);
    expect(problems(rows.slice(3))).toEqual([
      [5, [['reference_date', RowProblemCode.BAD_DATE]]],
      [6, [['amka', RowProblemCode.BAD_IDENTIFIER]]],
      [
        7,
        [
          ['insured', RowProblemCode.UNKNOWN_CODE],
          ['employment_status', RowProblemCode.UNKNOWN_CODE],
        ],
      ],
      [8, [['pension_amount', RowProblemCode.OUT_OF_RANGE]]],
    ]);
  });

  it('OPEKA: a row needs the AMKA or the AFM; unknown benefit codes and reversed periods are reported', async () => {
    const { rows } = await fixture('opeka.csv', { feed: FeedKind.OPEKA });
    expect(rows[1]!.values).toMatchObject({ amka: null, afm: '094259216', benefit_code: 'A21' });
    expect(problems(rows)).toEqual([
      [2, []],
      [3, []],
      [4, [[null, RowProblemCode.MISSING_FIELD]]],
      [5, [['benefit_code', RowProblemCode.UNKNOWN_CODE]]],
      [6, [['period_end', RowProblemCode.OUT_OF_RANGE]]],
    ]);
    expect(rows[2]!.problems[0]!.message).toBe('The row names nobody: give the AMKA or the AFM.');
  });

  it('KEPA: percentages with a decimal comma, bounds, calendar dates', async () => {
    const { rows } = await fixture('kepa.csv', { feed: FeedKind.KEPA });
    expect(rows.map((r) => r.values.percentage)).toEqual(['67', '80.5', null, '67']);
    expect(problems(rows)).toEqual([
      [2, []],
      [3, []],
      [4, [['percentage', RowProblemCode.OUT_OF_RANGE]]],
      [5, [['valid_from', RowProblemCode.BAD_DATE]]],
    ]);
  });

  it('DYPA: JSON lines with Greek keys; a registration after the reference date is refused', async () => {
    const { rows } = await fixture('dypa.jsonl', { feed: FeedKind.DYPA });
    expect(rows[1]!.values).toEqual({
      amka: '29029200077',
      registered_since: '2024-03-15',
      reference_date: '2025-10-01',
    });
    expect(problems(rows)).toEqual([
      [1, []],
      [2, []],
      [3, [['reference_date', RowProblemCode.OUT_OF_RANGE]]],
      [4, [[null, RowProblemCode.MALFORMED_ROW]]],
    ]);
  });
});

describe('parseFeed: REGISTRY and the Greek 8-bit encodings', () => {
  const names = (rows: FeedRow[]) => rows.map((r) => `${r.values.given_name} ${r.values.surname}`);
  const expected = [
    'Άννα Παπαδοπούλου',
    'Άρης Ζαφειρίου',
    'Σταύρος Άλκης',
    'Ευτυχία Ωραιοπούλου',
    'Δέσποινα Άστρα',
  ];

  it.each([
    ['registry-windows-1253.csv', FeedEncoding.WINDOWS_1253],
    ['registry-iso-8859-7.csv', FeedEncoding.ISO_8859_7],
  ])('detects %s as %s and reads Ά right', async (file, encoding) => {
    const parsed = await fixture(file, { feed: FeedKind.REGISTRY });
    expect([parsed.encoding, parsed.encodingDetected]).toEqual([encoding, true]);
    expect(names(parsed.rows)).toEqual(expected);
    expect(parsed.rows[0]!.values).toMatchObject({
      father_name: 'Άγγελος',
      address: 'Άνω Πόλη 3',
      gender: 'FEMALE',
    });
    expect(parsed.rows[2]!.values.address).toBe('Παρ’ Όχθη 4');
    // A quoted address over two lines: the row is reported on its first line, the next row on its own.
    expect(parsed.rows[1]).toMatchObject({ line: 3, values: { address: 'Οδός Ηρώων\nΠολυτεχνείου 12' } });
    expect(problems(parsed.rows)).toEqual([
      [2, []],
      [3, []],
      [5, [['gender', RowProblemCode.UNKNOWN_CODE]]],
      [6, [['birth_date', RowProblemCode.BAD_DATE]]],
      [7, []],
    ]);
    // Registry rows may have no identifier (matched by name and birth date later); a 3-digit code lost its 0.
    expect(parsed.rows[4]!.values).toMatchObject({ afm: null, amka: null, municipality: '0101' });
  });

  it('takes the encoding given over the one detected', async () => {
    const wrong = await fixture('registry-windows-1253.csv', {
      feed: FeedKind.REGISTRY,
      encoding: FeedEncoding.ISO_8859_7,
    });
    expect([wrong.encoding, wrong.encodingDetected]).toEqual([FeedEncoding.ISO_8859_7, false]);
    expect(wrong.rows[0]!.values.given_name).toBe('’ννα');
    const right = await fixture('registry-iso-8859-7.csv', {
      feed: FeedKind.REGISTRY,
      encoding: FeedEncoding.ISO_8859_7,
    });
    expect(names(right.rows)).toEqual(expected);
  });
});

describe('parseFeed: CSV edge cases', () => {
  const header = 'ΑΜΚΑ;Ημερομηνία αναφοράς;Ασφαλισμένος\n';
  const good = '15038012348;01/10/2025;1\n';

  it('detects the delimiter from the header, or takes the one given', async () => {
    const comma = await text('amka,reference_date,insured\n15038012348,01/10/2025,1\n', {
      feed: FeedKind.EFKA,
    });
    expect(comma.rows[0]!.values).toMatchObject({ amka: '15038012348', insured: 'true' });
    await expect(text(header + good, { feed: FeedKind.EFKA, delimiter: ',' })).rejects.toMatchObject({
      code: FeedFileErrorCode.MISSING_COLUMNS,
    });
  });

  it('reads CRLF line ends, ignores columns not of the feed, and a trailing delimiter', async () => {
    const { rows } = await text('amka;note;reference_date;insured;\r\n15038012348;x;01/10/2025;0;\r\n', {
      feed: FeedKind.EFKA,
    });
    expect(problems(rows)).toEqual([[2, []]]);
    expect(rows[0]!.values).toMatchObject({ reference_date: '2025-10-01', insured: 'false' });
  });

  it('reports a never-closed quote at its line and reads on from the next line', async () => {
    const content =
      header + good + '29029200077;"01/10/2025;1\n' + good + good + '01015700428;01/10/2025;"1\n';
    const { rows } = await text(content, { feed: FeedKind.EFKA });
    expect(problems(rows)).toEqual([
      [2, []],
      [3, [[null, RowProblemCode.MALFORMED_ROW]]],
      [4, []],
      [5, []],
      [6, [[null, RowProblemCode.MALFORMED_ROW]]],
    ]);
    // Line 3's quote meets the one on line 6, followed by text: line 3 is refused, and line 6 on its own.
    expect(rows[1]!.problems[0]!.message).toContain('a closing quote is followed by more text');
    expect(rows[4]!.problems[0]!.message).toContain('never closed');
  });

  it('gives up on an open quote after 100 lines, and reads those lines again as rows', async () => {
    const content = header + '29029200077;"01/10/2025;1\n' + good.repeat(150);
    const { rows } = await text(content, { feed: FeedKind.EFKA });
    expect(rows).toHaveLength(151);
    expect(rows[0]!.problems).toEqual([
      expect.objectContaining({
        line: 2,
        code: RowProblemCode.MALFORMED_ROW,
        message: expect.stringContaining('never closed'),
      }),
    ]);
    expect(rows.slice(1).every((r) => r.problems.length === 0)).toBe(true);
    expect(rows.at(-1)!.line).toBe(152);
  });

  it('reports a quote followed by text, and a wrong number of fields, and goes on', async () => {
    const content =
      header +
      '29029200077;"01/10/2025"x;1\n' +
      good +
      '15038012348;1\n' +
      '15038012348;01/10/2025;1;extra\n' +
      good;
    const { rows } = await text(content, { feed: FeedKind.EFKA });
    expect(problems(rows)).toEqual([
      [2, [[null, RowProblemCode.MALFORMED_ROW]]],
      [3, []],
      [4, [[null, RowProblemCode.MALFORMED_ROW]]],
      [5, [[null, RowProblemCode.MALFORMED_ROW]]],
      [6, []],
    ]);
    expect(rows[2]!.problems[0]!.message).toBe(
      'The line has 2 fields and the header 3: check the delimiter (;) and the quotes.',
    );
  });

  it('keeps quotes doubled inside a quoted field and a delimiter inside quotes', async () => {
    const { rows } = await text(
      'afm;amka;given_name;surname;birth_date;municipality;address\n' +
        ';;"Ιωάννης ""Γιάννης""";Παππάς;01/01/1980;0101;"Ερμού 5; 2ος όροφος"\n',
      { feed: FeedKind.REGISTRY },
    );
    expect(rows[0]).toMatchObject({
      line: 2,
      values: { given_name: 'Ιωάννης "Γιάννης"', address: 'Ερμού 5; 2ος όροφος' },
      problems: [],
    });
  });

  it('reports a missing required value as MISSING_FIELD with its field', async () => {
    const { rows } = await text(header + '15038012348;;1\n', { feed: FeedKind.EFKA });
    expect(rows[0]!.problems).toEqual([
      {
        line: 2,
        field: 'reference_date',
        code: RowProblemCode.MISSING_FIELD,
        message: 'The reference_date is missing; it is required.',
      },
    ]);
  });

  it('cuts a line over the size limit and reports it', async () => {
    const long = 'x'.repeat(1024 * 1024 + 10);
    const { rows } = await text(header + `${long}\n` + good, { feed: FeedKind.EFKA });
    expect(problems(rows)).toEqual([
      [2, [[null, RowProblemCode.MALFORMED_ROW]]],
      [3, []],
    ]);
  });
});

describe('parseFeed: files it refuses', () => {
  it('refuses a header without a required column, naming what it read', async () => {
    const error = await text('ΑΜΚΑ;Ασφαλισμένος\n15038012348;1\n', { feed: FeedKind.EFKA }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeedFileError);
    expect(error).toMatchObject({ code: FeedFileErrorCode.MISSING_COLUMNS, kind: 'BAD_INPUT' });
    expect((error as Error).message).toContain('reference_date');
  });

  it('refuses two columns for one field, an OPEKA header with neither key, an empty file, and a format the feed lacks', async () => {
    await expect(text('amka;ΑΜΚΑ;reference_date;insured\n', { feed: FeedKind.EFKA })).rejects.toMatchObject({
      code: FeedFileErrorCode.DUPLICATE_COLUMN,
    });
    await expect(
      text('benefit_code;period_start;period_end;amount_paid\n', { feed: FeedKind.OPEKA }),
    ).rejects.toMatchObject({
      code: FeedFileErrorCode.MISSING_COLUMNS,
      message: expect.stringContaining('amka or afm'),
    });
    await expect(text('\n\n', { feed: FeedKind.EFKA })).rejects.toMatchObject({
      code: FeedFileErrorCode.EMPTY_FILE,
    });
    await expect(
      text('15038012348', { feed: FeedKind.EFKA, format: FeedFormat.FIXED_WIDTH }),
    ).rejects.toMatchObject({ code: FeedFileErrorCode.UNSUPPORTED_FORMAT });
  });
});

describe('parseFeed: batches', () => {
  it('yields batches of the size asked, in file order', async () => {
    const { batches } = await fixture('taxis.csv', { feed: FeedKind.TAXIS, batchSize: 4 });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 1]);
    expect(batches.flat().map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 8, 9, 10, 11]);
  });

  it('decodes a windows-1253 file whose Ά falls across a chunk boundary of the stream', async () => {
    const bytes = iconv.encode(
      readFileSync(`${FIXTURES}/registry-windows-1253.csv`).toString('latin1'),
      'latin1',
    );
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const { rows, encoding } = await rowsOf(Readable.from(chunks), { feed: FeedKind.REGISTRY });
    expect(encoding).toBe(FeedEncoding.WINDOWS_1253);
    expect(rows.map((r) => r.values.given_name)).toEqual(['Άννα', 'Άρης', 'Σταύρος', 'Ευτυχία', 'Δέσποινα']);
  });
});
