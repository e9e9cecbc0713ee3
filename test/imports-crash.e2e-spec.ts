import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { ImportRunner } from '../src/imports/import-runner.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 13, "a job killed at any point (kill -9 of the worker) and started again ends in exactly the
 * state of an uninterrupted run: no duplicates, no lost rows". A TAXIS file of 3,000 rows (matched,
 * unmatched, bad and repeated ones) is imported by a worker process with batches of 50 rows, killed
 * with SIGKILL while staging; a second worker process is killed while merging; the job is then
 * finished here. Its facts, counts and problems are compared with those of the same file imported
 * without interruption.
 */
import { jest } from '@jest/globals';

jest.setTimeout(300_000);

const PEOPLE = 2_000;
const ROWS = 3_000;

describe('an import survives its worker killed with SIGKILL', () => {
  let t: TestApp;
  let db: pg.Client;
  let dir: string;
  let file: string;
  let operator: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    operator = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'operator-crash');
    const afms = Array.from({ length: PEOPLE }, (_, i) => makeAfm(String(30_000_000 + i)));
    await db.query(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, afm, name_key, phonetic_key)
       SELECT CASE WHEN n % 2 = 0 THEN '4912' ELSE '0802' END, 'Άννα', 'Οικονόμου', 'ANNA', 'OIKONOMOU',
              '1980-01-01', 'FEMALE', afm, 'x', 'x'
         FROM unnest($1::text[]) WITH ORDINALITY AS a(afm, n)`,
      [afms],
    );
    const lines = ['ΑΦΜ;Έτος;Οικογενειακό εισόδημα;Αξία ακινήτων;Οχήματα;Αξία οχημάτων'];
    for (let i = 0; i < ROWS; i++) {
      // Mostly people of the registry; every 7th unknown; every 13th a bad year; every 11th repeats
      // an earlier person and year (the later line wins).
      const afm =
        i % 7 === 6
          ? makeAfm(String(31_000_000 + i))
          : i % 11 === 10
            ? afms[(i - 5) % PEOPLE]!
            : afms[i % PEOPLE]!;
      const year = i % 13 === 12 ? 'x' : String(2023 + (i % 2));
      lines.push(
        `${afm};${year};${10_000 + i},${i % 100};${i % 3 ? 50000 + i : ''};${i % 4};${i % 4 ? 1000 * (i % 4) : ''}`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'mitroa-import-crash-'));
    file = join(dir, 'taxis-3000.csv');
    writeFileSync(file, lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = async (): Promise<string> => {
    const res = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'TAXIS')
      .attach('file', file);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const jobRow = async (id: string) =>
    (
      await db.query<{ status: string; phase: string; staged_line: number; checkpoint: number }>(
        `SELECT status, phase, staged_line, checkpoint FROM import_job WHERE id = $1`,
        [id],
      )
    ).rows[0]!;

  /** Starts a worker process on the job and kills it with SIGKILL as soon as `when` holds. */
  const killWorker = async (id: string, when: (j: Awaited<ReturnType<typeof jobRow>>) => boolean) => {
    const child = spawn(
      process.execPath,
      ['--import', './test/support/register-ts.mjs', 'test/fixtures/import-worker.ts', t.db.url, id, '50'],
      {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the worker ended before it was killed: ${output}`);
        const j = await jobRow(id);
        if (when(j)) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      return jobRow(id);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  };

  /** Everything the import leaves behind, without ids and times. */
  const state = async (id: string) => ({
    job: (
      await db.query(
        `SELECT status, phase, rows_read, rows_created, rows_updated, rows_unchanged, rows_unmatched, rows_rejected,
                rows_done, checkpoint FROM import_job WHERE id = $1`,
        [id],
      )
    ).rows[0],
    facts: (
      await db.query(
        `SELECT p.afm, f.kind, f.source, f.basis, f.tax_year, f.as_of::text, f.value_numeric::text
           FROM person_fact f JOIN person p ON p.id = f.person_id ORDER BY p.afm, f.kind, f.tax_year`,
      )
    ).rows,
    problems: (
      await db.query(
        `SELECT line, field, code, message FROM import_row_problem WHERE job_id = $1 ORDER BY line, id`,
        [id],
      )
    ).rows,
    staged: (await db.query(`SELECT count(*)::int AS n FROM import_staging_taxis`)).rows[0].n,
    factsOfOtherImports: (
      await db.query(`SELECT count(*)::int AS n FROM person_fact WHERE import_id IS DISTINCT FROM $1`, [id])
    ).rows[0].n,
  });

  it('killed while staging, then while merging, then resumed: the same state as an uninterrupted run', async () => {
    const id = await upload();
    const afterFirst = await killWorker(id, (j) => j.phase === 'STAGE' && j.staged_line > 0);
    expect(afterFirst).toMatchObject({ status: 'RUNNING', phase: 'STAGE' });
    expect(afterFirst.staged_line).toBeLessThan(ROWS + 1);

    const afterSecond = await killWorker(id, (j) => j.phase === 'MERGE' && j.checkpoint > 0);
    expect(afterSecond).toMatchObject({ status: 'RUNNING', phase: 'MERGE' });
    expect(afterSecond.checkpoint).toBeLessThan(afterSecond.staged_line);

    const runner = t.app.get(ImportRunner);
    for (let outcome = await runner.run(id); outcome === 'busy'; outcome = await runner.run(id))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = await state(id);
    expect(resumed.job).toMatchObject({ status: 'SUCCEEDED', rows_read: ROWS });
    const j = resumed.job as Record<string, number>;
    expect(j.rows_created + j.rows_updated + j.rows_unchanged + j.rows_unmatched + j.rows_rejected).toBe(
      ROWS,
    );
    expect(j.rows_unmatched).toBeGreaterThan(0);
    expect(j.rows_rejected).toBeGreaterThan(0);

    // The same file, from scratch, uninterrupted.
    await db.query(`DELETE FROM person_fact`);
    await db.query(`TRUNCATE import_job CASCADE`);
    const again = await upload();
    expect(await runner.run(again)).toBe('finished');
    const uninterrupted = await state(again);
    expect(resumed).toEqual(uninterrupted);
    expect(resumed.facts.length).toBeGreaterThan(PEOPLE);
    expect(resumed.staged).toBe(0);
  });

  it('a second run of a feed waits while one holds it: one import per feed at a time', async () => {
    await db.query(`TRUNCATE import_job CASCADE`);
    const id = await upload();
    const holder = new pg.Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('mitroa.import'), hashtext('TAXIS'))`);
      expect(await t.app.get(ImportRunner).run(id)).toBe('busy');
      expect((await jobRow(id)).status).toBe('QUEUED');
    } finally {
      await holder.end();
    }
    expect(await t.app.get(ImportRunner).run(id)).toBe('finished');
    expect((await jobRow(id)).status).toBe('SUCCEEDED');
  });
});
