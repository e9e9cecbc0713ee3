import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * An outside review's attacks on "bad input gets a clear error and loses nothing; the service holds
 * under attack", each a test that failed before its fix:
 *   - an upload's file name and fields reached SQL without the input guard (a NUL: 500 INTERNAL).
 */
const TAXIS = 'afm;tax_year;household_income\n094259216;2024;1000\n';

/** A multipart body written by hand: supertest cannot send a file name with a NUL in it. */
function upload(fileNameParam: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      '--XX\r\nContent-Disposition: form-data; name="feed"\r\n\r\nTAXIS\r\n' +
        '--XX\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\ntrue\r\n' +
        `--XX\r\nContent-Disposition: form-data; name="file"; ${fileNameParam}\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(TAXIS),
    Buffer.from('\r\n--XX--\r\n'),
  ]);
}

describe('attacks on input and capacity', () => {
  let t: TestApp;
  let operator: string;
  const jobs = async () => Number((await t.db.query(`SELECT count(*)::int AS n FROM import_job`))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'attack-operator');
  });
  afterAll(() => t.close());

  const send = (body: Buffer) =>
    t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .set('Content-Type', 'multipart/form-data; boundary=XX')
      .send(body);

  describe('an upload passes the input guard like any body', () => {
    it.each([
      ['a NUL', "filename*=UTF-8''a%00b.csv"],
      ['a right-to-left override', "filename*=UTF-8''invoice%E2%80%AEvsc.exe"],
      ['a line feed', "filename*=UTF-8''a%0Ab.csv"],
    ])(
      'refuses a file name with %s as BAD_USER_INPUT naming fileName, creating no job',
      async (_l, param) => {
        const before = await jobs();
        const res = await send(upload(param));
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('BAD_USER_INPUT');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('fileName');
        expect(res.text).not.toMatch(/INTERNAL|QueryFailedError/);
        expect(await jobs()).toBe(before);
      },
    );

    it('keeps a Greek file name as sent (UTF-8), not garbled as latin1', async () => {
      const res = await send(upload('filename="Αρχείο ΤΑΧΙΣ.csv"'));
      expect(res.status).toBe(201);
      expect(res.body.fileName).toBe('Αρχείο ΤΑΧΙΣ.csv');
    });
  });
});
