import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import pg from 'pg';
import { Permission, Role } from '../src/auth/roles.js';
import { ImportRunner } from '../src/imports/import-runner.js';
import { ImportSchedule } from '../src/imports/import-schedule.js';
import { FeedKind, type RowProblem } from '../src/imports/contracts.js';
import { parseFeed } from '../src/imports/formats/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 13, the import pipeline of the fact feeds, over HTTP: upload (multipart), the job (run here
 * in-process, as a worker would), the facts it wrote, the counts, the problems, duplicates, dry
 * runs, precedence, and who may import. The kill-and-resume test is test/imports-crash.e2e-spec.ts.
 */
const FIXTURES = join(process.cwd(), 'test/fixtures/imports');

/** The people of the fixture files (test/fixtures/imports/*.csv). */
const A = { afm: '100000015', amka: '01028000014', birth: '1980-02-01', municipality: '4912' };
const B = { afm: '100000027', amka: '30097800020', birth: '1978-09-30', municipality: '4912' };
/** In another region (Alexandreia): national feeds reach every area. */
const C = { afm: '100000039', amka: '01015000035', birth: '1950-01-01', municipality: '0802' };

interface FactRow {
  kind: string;
  source: string;
  basis: string;
  tax_year: number | null;
  as_of: string;
  valid_from: string | null;
  valid_to: string | null;
  value_numeric: string | null;
  value_boolean: boolean | null;
  value_list: string[] | null;
}

describe('feed imports: the pipeline of the fact feeds (issue 13)', () => {
  let t: TestApp;
  let db: pg.Client;
  let operator: string;
  const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };

  const upload = (token: string, feed: string, file: string, fields: Record<string, string> = {}) => {
    let req = t.http.post('/api/v1/imports').set('Authorization', `Bearer ${token}`).field('feed', feed);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', join(FIXTURES, file));
  };
  const job = async (id: string) => {
    const res = await t.http.get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${operator}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Uploads a fixture and runs its job to the end, as the worker would. */
  const importFile = async (feed: string, file: string, fields: Record<string, string> = {}) => {
    const res = await upload(operator, feed, file, fields);
    expect(res.status).toBe(201);
    expect(await t.app.get(ImportRunner).run(res.body.id)).toBe('finished');
    return job(res.body.id);
  };
  const facts = async (who: 'A' | 'B' | 'C'): Promise<FactRow[]> =>
    (
      await db.query<FactRow>(
        `SELECT kind, source, basis, tax_year, as_of::text, valid_from::text, valid_to::text,
                value_numeric::text, value_boolean, value_list
           FROM person_fact WHERE person_id = $1 ORDER BY kind, source, as_of`,
        [ids[who]],
      )
    ).rows;
  const problems = async (jobId: string) =>
    (
      await db.query<{ line: number; field: string | null; code: string }>(
        `SELECT line, field, code FROM import_row_problem WHERE job_id = $1 ORDER BY line, id`,
        [jobId],
      )
    ).rows;
  const sum = (j: Record<string, number>) =>
    j.rowsCreated + j.rowsUpdated + j.rowsUnchanged + j.rowsUnmatched + j.rowsRejected;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    operator = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'operator-1');
    for (const [key, p] of Object.entries({ A, B, C }) as Array<['A' | 'B' | 'C', typeof A]>) {
      const { rows } = await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, afm, amka, name_key, phonetic_key)
         VALUES ($1, 'Άννα', 'Οικονόμου', 'ANNA', 'OIKONOMOU', $2, 'FEMALE', $3, $4, 'x', 'x') RETURNING id`,
        [p.municipality, p.birth, p.afm, p.amka],
      );
      ids[key] = rows[0].id;
    }
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM person_fact`);
    await db.query(`TRUNCATE import_job CASCADE`);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('TAXIS: good rows are committed, bad ones reported by line, field and code, and the counts add up', async () => {
    const j = await importFile('TAXIS', 'taxis-2024.csv');
    expect(j).toMatchObject({
      status: 'SUCCEEDED',
      phase: 'DONE',
      format: 'CSV',
      encoding: 'UTF-8',
      rowsRead: 7,
      rowsCreated: 3,
      rowsUpdated: 0,
      rowsUnchanged: 0,
      rowsUnmatched: 1,
      rowsRejected: 3,
      progress: 1,
      duplicateOf: null,
      error: null,
    });
    expect(sum(j)).toBe(j.rowsRead);
    expect(await problems(j.id)).toEqual([
      { line: 3, field: null, code: 'DUPLICATE_IN_FILE' },
      { line: 5, field: 'afm', code: 'UNMATCHED' },
      { line: 6, field: 'afm', code: 'BAD_IDENTIFIER' },
      { line: 8, field: 'tax_year', code: 'BAD_NUMBER' },
    ]);
    const base = {
      source: 'TAXIS',
      basis: 'FEED',
      tax_year: 2024,
      as_of: '2025-07-31',
      valid_from: null,
      valid_to: null,
    };
    const n = (kind: string, value: string) => ({
      ...base,
      kind,
      value_numeric: value,
      value_boolean: null,
      value_list: null,
    });
    expect(await facts('A')).toEqual([
      n('household_income_annual', '12345.67'),
      n('real_estate_value', '80000.00'),
      n('vehicle_value', '3500.00'),
    ]);
    // Line 3 and line 7 are the same person and year: the later line wins.
    expect(await facts('B')).toEqual([n('household_income_annual', '8500.00')]);
    expect(await facts('C')).toEqual([
      n('household_income_annual', '22000.50'),
      n('real_estate_value', '150000.00'),
      n('vehicle_value', '12000.00'),
    ]);
    const written = await db.query(`SELECT DISTINCT import_id, recorded_by FROM person_fact`);
    expect(written.rows).toEqual([{ import_id: j.id, recorded_by: 'operator-1' }]);
    // One audit row for the job's start, one per batch (one batch here) and one at its end.
    const audit = await db.query(
      `SELECT action, actor_id, reason FROM audit_event WHERE subject_id = $1 ORDER BY id`,
      [j.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'import.create',
      'import.start',
      'import.batch',
      'import.finish',
    ]);
    expect(audit.rows[0].actor_id).toBe('operator-1');
    expect(audit.rows[2].reason).toBe('TAXIS lines 1-8: created 3, updated 0, unchanged 0');
    // Nothing of the job stays in staging.
    expect((await db.query(`SELECT count(*)::int AS n FROM import_staging_taxis`)).rows[0].n).toBe(0);
  });

  it('the same file twice: the second job changes nothing and points to the first', async () => {
    const first = await importFile('TAXIS', 'taxis-2024.csv');
    const before = await db.query(`SELECT id, recorded_at FROM person_fact ORDER BY id`);
    const res = await upload(operator, 'TAXIS', 'taxis-2024.csv');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'SUCCEEDED',
      duplicateOf: first.id,
      rowsRead: 0,
      sha256: first.sha256,
    });
    expect(await t.app.get(ImportRunner).run(res.body.id)).toBe('finished');
    expect((await db.query(`SELECT id, recorded_at FROM person_fact ORDER BY id`)).rows).toEqual(before.rows);
    // Its file is not kept.
    const chunks = await db.query(`SELECT count(*)::int AS n FROM import_file_chunk WHERE job_id = $1`, [
      res.body.id,
    ]);
    expect(chunks.rows[0].n).toBe(0);
  });

  it('a second, corrected file: changed facts updated, the same ones left alone (IS DISTINCT FROM)', async () => {
    await importFile('TAXIS', 'taxis-2024.csv');
    const [incomeA] = (
      await db.query(
        `SELECT recorded_at FROM person_fact WHERE person_id = $1 AND kind = 'household_income_annual'`,
        [ids.A],
      )
    ).rows;
    const j = await importFile('TAXIS', 'taxis-2024-corrected.csv');
    expect(j).toMatchObject({
      rowsRead: 2,
      rowsCreated: 0,
      rowsUpdated: 1,
      rowsUnchanged: 1,
      rowsUnmatched: 0,
      rowsRejected: 0,
    });
    expect((await facts('C')).find((f) => f.kind === 'household_income_annual')?.value_numeric).toBe(
      '23100.00',
    );
    const [after] = (
      await db.query(
        `SELECT recorded_at FROM person_fact WHERE person_id = $1 AND kind = 'household_income_annual'`,
        [ids.A],
      )
    ).rows;
    expect(after.recorded_at).toEqual(incomeA.recorded_at);
  });

  it('dry run: previews new / changed / unchanged / unmatched / rejected with samples, and writes no fact', async () => {
    const dry = await importFile('TAXIS', 'taxis-2024.csv', { dryRun: 'true' });
    expect(dry).toMatchObject({
      dryRun: true,
      status: 'SUCCEEDED',
      rowsRead: 7,
      rowsCreated: 3,
      rowsUnmatched: 1,
      rowsRejected: 3,
    });
    expect(dry.previewSamples).toContainEqual({
      line: 2,
      fact: 'household_income_annual',
      change: 'NEW',
      oldValue: null,
      newValue: '12345.67',
    });
    expect((await db.query(`SELECT count(*)::int AS n FROM person_fact`)).rows[0].n).toBe(0);

    // A dry run never counts as the import of its file.
    const real = await importFile('TAXIS', 'taxis-2024.csv');
    expect(real.duplicateOf).toBeNull();
    const corrected = await importFile('TAXIS', 'taxis-2024-corrected.csv', { dryRun: 'true' });
    expect(corrected).toMatchObject({ rowsCreated: 0, rowsUpdated: 1, rowsUnchanged: 1 });
    expect(corrected.previewSamples).toEqual([
      {
        line: 3,
        fact: 'household_income_annual',
        change: 'CHANGED',
        oldValue: '22000.50',
        newValue: '23100.00',
      },
    ]);
    expect((await facts('C')).find((f) => f.kind === 'household_income_annual')?.value_numeric).toBe(
      '22000.50',
    );
  });

  it('EFKA: insured, pension and employment status of the people matched by AMKA', async () => {
    const j = await importFile('EFKA', 'efka.csv');
    expect(j).toMatchObject({ rowsRead: 3, rowsCreated: 2, rowsUnmatched: 1, rowsRejected: 0 });
    expect(sum(j)).toBe(3);
    const b = (kind: string, value: boolean) => ({
      kind,
      value_boolean: value,
      value_numeric: null,
      as_of: '2025-10-31',
    });
    expect(
      (await facts('A')).map((f) => ({
        kind: f.kind,
        value_boolean: f.value_boolean,
        value_numeric: f.value_numeric,
        as_of: f.as_of,
      })),
    ).toEqual([b('insured', true), b('receives_pension', false), b('unemployed', true)]);
    expect((await facts('C')).map((f) => [f.kind, f.value_boolean ?? f.value_numeric])).toEqual([
      ['insured', true],
      ['pension_amount', '640.50'],
      ['receives_pension', true],
      ['unemployed', false],
    ]);
    expect(await problems(j.id)).toEqual([{ line: 4, field: 'amka', code: 'UNMATCHED' }]);
    const [message] = (await db.query(`SELECT message FROM import_row_problem WHERE job_id = $1`, [j.id]))
      .rows;
    // Never a whole identifier in a problem.
    expect(message.message).toBe('No person in the registry has the AMKA ending in 991.');
  });

  it("OPEKA: matched by AMKA or AFM, one person's benefits of a period kept together as one list", async () => {
    const j = await importFile('OPEKA', 'opeka.csv');
    expect(j).toMatchObject({ rowsRead: 3, rowsCreated: 3, rowsUnmatched: 0, rowsRejected: 0 });
    expect(await facts('A')).toEqual([
      {
        kind: 'benefits_received',
        source: 'OPEKA',
        basis: 'FEED',
        tax_year: null,
        as_of: '2025-10-01',
        valid_from: '2025-10-01',
        valid_to: '2025-10-31',
        value_numeric: null,
        value_boolean: null,
        value_list: ['HEATING', 'KEA'],
      },
    ]);
    expect((await facts('B'))[0]).toMatchObject({ value_list: ['A21'], valid_to: '2025-12-31' });
  });

  it('KEPA: the disability percentage with its validity; a certificate ending before it starts is refused', async () => {
    const j = await importFile('KEPA', 'kepa.csv');
    expect(j).toMatchObject({ rowsRead: 2, rowsCreated: 1, rowsRejected: 1 });
    expect(await facts('B')).toEqual([
      expect.objectContaining({
        kind: 'disability_percentage',
        value_numeric: '67.00',
        valid_from: '2025-01-01',
        valid_to: '2027-12-31',
      }),
    ]);
    expect(await facts('C')).toEqual([]);
    expect(await problems(j.id)).toEqual([{ line: 3, field: 'valid_to', code: 'OUT_OF_RANGE' }]);
  });

  it('dry run: samples of special-category facts only for callers with special_category', async () => {
    await importFile('KEPA', 'kepa.csv');
    await importFile('OPEKA', 'opeka.csv');
    // The registry now holds other values, so a second run of the same files would change both.
    await db.query(
      `UPDATE person_fact SET value_numeric = 50 WHERE kind = 'disability_percentage';
       UPDATE person_fact SET value_list = ARRAY['DISABILITY'] WHERE kind = 'benefits_received' AND 'A21' = ANY(value_list)`,
    );
    const dryKepa = await importFile('KEPA', 'kepa.csv', { dryRun: 'true' });
    const dryOpeka = await importFile('OPEKA', 'opeka.csv', { dryRun: 'true' });
    // Without the permission (an import operator): left out, and counted.
    expect(dryKepa).toMatchObject({ rowsUpdated: 1, previewSamples: [], previewSamplesWithheld: 1 });
    expect(dryOpeka).toMatchObject({ rowsUpdated: 1, previewSamples: [], previewSamplesWithheld: 1 });
    const list = await t.http.get('/api/v1/imports?limit=5').set('Authorization', `Bearer ${operator}`);
    expect(JSON.stringify(list.body)).not.toMatch(/disability_percentage|DISABILITY|"50\.00"/);
    // With it: shown.
    const cleared = await t.token(
      { roles: [Role.IMPORT_OPERATOR], permissions: [Permission.SPECIAL_CATEGORY] },
      'operator-cleared',
    );
    const shown = async (id: string) =>
      (await t.http.get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${cleared}`).expect(200)).body;
    expect(await shown(dryKepa.id)).toMatchObject({
      previewSamplesWithheld: 0,
      previewSamples: [
        { fact: 'disability_percentage', change: 'CHANGED', oldValue: '50.00', newValue: '67.00' },
      ],
    });
    // Reading registry values through samples is audited, with the reader.
    const audit = await db.query(
      `SELECT actor_id, reason FROM audit_event WHERE action = 'import.preview.read' AND subject_id = $1`,
      [dryKepa.id],
    );
    expect(audit.rows).toContainEqual({
      actor_id: 'operator-cleared',
      reason: "1 registry value in the dry run's samples",
    });
    expect((await shown(dryOpeka.id)).previewSamples).toEqual([
      expect.objectContaining({ fact: 'benefits_received', oldValue: 'DISABILITY', newValue: 'A21' }),
    ]);
  });

  it('precedence: DYPA over EFKA for unemployment; facts recorded by staff are never touched', async () => {
    await db.query(
      `INSERT INTO person_fact (person_id, kind, basis, source, as_of, value_boolean, recorded_by)
       VALUES ($1, 'unemployed', 'DOCUMENT', 'staff-1', '2025-09-01', false, 'staff-1')`,
      [ids.A],
    );
    const dypa = await importFile('DYPA', 'dypa.csv');
    expect(dypa).toMatchObject({ rowsRead: 1, rowsCreated: 1 });
    const efka = await importFile('EFKA', 'efka.csv');
    // A's EFKA row: insured and pension written, its employment status superseded by DYPA's registration.
    expect(efka).toMatchObject({ rowsCreated: 2, rowsUnmatched: 1 });
    const unemployed = (await facts('A')).filter((f) => f.kind === 'unemployed');
    expect(unemployed.map((f) => [f.basis, f.source, f.value_boolean, f.valid_from])).toEqual([
      ['FEED', 'DYPA', true, '2025-03-01'],
      ['DOCUMENT', 'staff-1', false, null],
    ]);
    // C has no DYPA registration: EFKA's employment status stands.
    expect((await facts('C')).find((f) => f.kind === 'unemployed')?.source).toBe('EFKA');
  });

  it('problems.csv: every problem of the job, streamed as CSV in line order', async () => {
    const j = await importFile('TAXIS', 'taxis-2024.csv');
    const res = await t.http
      .get(`/api/v1/imports/${j.id}/problems.csv`)
      .set('Authorization', `Bearer ${operator}`)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = (res.body as string).trim().split('\n');
    expect(lines[0]).toBe('line,field,code,message');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '3,,DUPLICATE_IN_FILE',
      '5,afm,UNMATCHED',
      '6,afm,BAD_IDENTIFIER',
      '8,tax_year,BAD_NUMBER',
    ]);
    expect(res.body).not.toContain('100000992');
  });

  it('progress over GraphQL: importJob and importJobs', async () => {
    const j = await importFile('DYPA', 'dypa.csv');
    const res = await t.gql(
      operator,
      `query($id: UUID!) { importJob(id: $id) { id status phase progress rowsDone rowsTotal rowsPerSecond etaSeconds rowsCreated }
                          importJobs(first: 10, feed: DYPA) { totalCount edges { node { id feed } } } }`,
      { id: j.id },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.importJob).toMatchObject({
      id: j.id,
      status: 'SUCCEEDED',
      phase: 'DONE',
      progress: 1,
      rowsDone: 1,
      rowsTotal: 1,
      etaSeconds: 0,
      rowsCreated: 1,
    });
    expect(res.body.data.importJobs).toEqual({
      totalCount: 1,
      edges: [{ node: { id: j.id, feed: 'DYPA' } }],
    });
    const list = await t.http.get('/api/v1/imports?limit=5').set('Authorization', `Bearer ${operator}`);
    expect(list.body).toMatchObject({ total: 1, nextCursor: null, items: [{ id: j.id }] });
  });

  it('who may import: import operators and national administrators; everyone else is refused', async () => {
    const admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-1');
    expect((await upload(admin, 'DYPA', 'dypa.csv')).status).toBe(201);
    const refused = [
      await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-1'),
      await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['0802'] }, 'alex-1'),
      await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'attica-1'),
      await t.token({ roles: [Role.AUDITOR] }, 'auditor-1'),
    ];
    for (const token of refused) {
      const res = await upload(token, 'DYPA', 'dypa.csv');
      expect(res.status).toBe(403);
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM import_job`)).rows[0].n).toBe(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM import_file_chunk`)).rows[0].n).toBe(1);
    const [jobRow] = (await db.query(`SELECT id FROM import_job`)).rows;
    for (const token of refused) {
      expect(
        (await t.http.get(`/api/v1/imports/${jobRow.id}`).set('Authorization', `Bearer ${token}`)).status,
      ).toBe(403);
      expect((await t.http.get(`/api/v1/imports`).set('Authorization', `Bearer ${token}`)).status).toBe(403);
    }
    // Row-level security under it: a transaction without the national scope sees no import.
    const scoped = await db.query(
      `BEGIN; SET LOCAL ROLE mitroa_app; SELECT set_config('mitroa.area', '{4912}', true);
       SELECT count(*)::int AS n FROM import_job; ROLLBACK`,
    );
    expect((scoped as unknown as Array<{ rows: Array<{ n: number }> }>)[3]!.rows[0]!.n).toBe(0);
  });

  it('a bad upload: unknown feed, a REGISTRY import without its area, no file, an empty file: typed 400s, nothing kept', async () => {
    const bad = await upload(operator, 'NOPE', 'dypa.csv');
    expect(bad.status).toBe(400);
    expect(bad.body.code ?? JSON.parse(bad.text).code).toBe('BAD_USER_INPUT');
    const registry = await upload(operator, 'REGISTRY', 'dypa.csv');
    expect(JSON.parse(registry.text).code).toBe('BAD_AREA');
    const noFile = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'DYPA');
    expect(JSON.parse(noFile.text).code).toBe('BAD_UPLOAD');
    const empty = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'DYPA')
      .attach('file', Buffer.alloc(0), 'empty.csv');
    expect(JSON.parse(empty.text).code).toBe('EMPTY_FILE');
    expect((await db.query(`SELECT count(*)::int AS n FROM import_file_chunk`)).rows[0].n).toBe(0);
  });

  it('a file over IMPORT_MAX_BYTES is refused with 413 FILE_TOO_LARGE and nothing is kept', async () => {
    const small = await startTestApp({ IMPORT_MAX_BYTES: '1024' }, { database: t.db });
    try {
      const token = await small.token({ roles: [Role.IMPORT_OPERATOR] }, 'operator-2');
      const big = Buffer.from(
        'amka;registered_since;reference_date\n' + '01028000014;01/03/2025;31/10/2025\n'.repeat(100),
      );
      const res = await small.http
        .post('/api/v1/imports')
        .set('Authorization', `Bearer ${token}`)
        .field('feed', 'DYPA')
        .attach('file', big, 'big.csv');
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({ status: 413, code: 'FILE_TOO_LARGE' });
    } finally {
      await small.close();
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM import_job`)).rows[0].n).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM import_file_chunk`)).rows[0].n).toBe(0);
  });

  it('a file that cannot be read fails its job with the reason, writing nothing', async () => {
    const res = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'KEPA')
      .attach('file', Buffer.from('name;city\nx;y\n'), 'wrong.csv');
    expect(res.status).toBe(201);
    await t.app.get(ImportRunner).run(res.body.id);
    const j = await job(res.body.id);
    expect(j.status).toBe('FAILED');
    expect(j.error).toMatch(/amka/i);
    expect((await db.query(`SELECT count(*)::int AS n FROM person_fact`)).rows[0].n).toBe(0);
  });

  it('every fact-feed sample of the format readers (CSV, fixed width, JSON lines) goes through: their bad rows reported as read, the counts add up', async () => {
    const samples: Array<[FeedKind, string, string]> = [
      [FeedKind.TAXIS, 'taxis.csv', 'CSV'],
      [FeedKind.TAXIS, 'taxis-comma.csv', 'CSV'],
      [FeedKind.TAXIS, 'taxis.txt', 'FIXED_WIDTH'],
      [FeedKind.TAXIS, 'taxis.jsonl', 'JSONL'],
      [FeedKind.EFKA, 'efka.csv', 'CSV'],
      [FeedKind.OPEKA, 'opeka.csv', 'CSV'],
      [FeedKind.KEPA, 'kepa.csv', 'CSV'],
      [FeedKind.DYPA, 'dypa.jsonl', 'JSONL'],
    ];
    for (const [feed, file, format] of samples) {
      const path = join(process.cwd(), 'test/fixtures/feeds', file);
      // What the format readers make of the file, read directly; its people registered.
      const parsed = await parseFeed(createReadStream(path), { feed });
      const read: RowProblem[] = [];
      let good = 0;
      for await (const batch of parsed.batches)
        for (const row of batch) {
          read.push(...row.problems);
          if (row.problems.length) continue;
          good++;
          for (const key of ['afm', 'amka'] as const)
            if (row.values[key])
              await db.query(
                `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                                     gender, ${key}, name_key, phonetic_key)
                 VALUES ('4912', 'Άννα', 'Οικονόμου', 'ANNA', 'OIKONOMOU', '1980-01-01', 'FEMALE', $1, 'x', 'x')
                 ON CONFLICT DO NOTHING`,
                [row.values[key]],
              );
        }
      const res = await t.http
        .post('/api/v1/imports')
        .set('Authorization', `Bearer ${operator}`)
        .field('feed', feed)
        .attach('file', path);
      expect(res.status).toBe(201);
      await t.app.get(ImportRunner).run(res.body.id);
      const j = await job(res.body.id);
      expect({ file, status: j.status, format: j.format, sum: sum(j) }).toEqual({
        file,
        status: 'SUCCEEDED',
        format,
        sum: j.rowsRead,
      });
      expect(j.rowsCreated + j.rowsUpdated + j.rowsUnchanged).toBeGreaterThan(0);
      expect(j.rowsRejected).toBeGreaterThanOrEqual(new Set(read.map((p) => p.line)).size);
      const stored = await problems(j.id);
      for (const p of read) expect(stored).toContainEqual({ line: p.line, field: p.field, code: p.code });
      expect(good).toBeGreaterThan(0);
    }
  });

  it('a windows-1253 file is detected and imports as its UTF-8 twin does', async () => {
    const utf8 = await importFile('TAXIS', 'taxis-2024.csv');
    await db.query(`DELETE FROM person_fact`);
    await db.query(`TRUNCATE import_job CASCADE`);
    const greek = iconv.encode(readFileSync(join(FIXTURES, 'taxis-2024.csv'), 'utf8'), 'win1253');
    const res = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'TAXIS')
      .attach('file', greek, 'taxis-1253.csv');
    await t.app.get(ImportRunner).run(res.body.id);
    const j = await job(res.body.id);
    expect(j.encoding).toBe('WINDOWS-1253');
    const counts = (x: Record<string, number>) => [
      x.rowsRead,
      x.rowsCreated,
      x.rowsUnmatched,
      x.rowsRejected,
    ];
    expect(counts(j)).toEqual(counts(utf8));
  });

  it('the command line: npm run cli -- import stores, runs and summarizes the job', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          './test/support/register-ts.mjs',
          'src/cli.ts',
          'import',
          '--feed',
          'taxis',
          '--file',
          join(FIXTURES, 'taxis-2024.csv'),
        ],
        {
          cwd: process.cwd(),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            DATABASE_URL: t.db.url,
            JWT_SECRET: 'a-cli-secret-of-at-least-32-characters!',
            NODE_ENV: 'test',
            LOG_LEVEL: 'silent',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.output).toContain('SUCCEEDED: 7 rows read');
    expect(result.output).toMatch(/created +3/);
    expect(result.output).toMatch(/rejected +3/);
    expect(result.output).not.toContain('undefined');
    expect((await facts('A')).length).toBe(3);
  });

  it('retention: row problems and stored files of imports finished before the period are purged', async () => {
    const old = await importFile('TAXIS', 'taxis-2024.csv');
    const recent = await importFile('EFKA', 'efka.csv');
    await db.query(`UPDATE import_job SET finished_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    const purged = await t.app.get(ImportSchedule).purge(new Date());
    expect(purged).toEqual({ problems: 4, files: 1 });
    const left = await db.query(
      `SELECT j.id, j.file_purged_at IS NOT NULL AS purged,
              (SELECT count(*)::int FROM import_row_problem r WHERE r.job_id = j.id) AS problems,
              (SELECT count(*)::int FROM import_file_chunk c WHERE c.job_id = j.id) AS chunks
         FROM import_job j ORDER BY j.created_at`,
    );
    expect(left.rows).toEqual([
      { id: old.id, purged: true, problems: 0, chunks: 0 },
      { id: recent.id, purged: false, problems: 1, chunks: 1 },
    ]);
    // The facts stay; the job stays as the record of what was imported.
    expect((await facts('A')).length).toBeGreaterThan(0);
  });
});
