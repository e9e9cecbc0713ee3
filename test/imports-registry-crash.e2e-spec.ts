import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { jest } from '@jest/globals';
import { Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { ImportRunner } from '../src/imports/import-runner.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 13, kill -9 for the REGISTRY feed: a worker process importing 1,200 lines (people updated,
 * left alone, created with and without identifiers, held as likely duplicates, repeated and bad
 * lines) in batches of 50 is killed with SIGKILL while staging, a second one while merging, and the
 * job is finished here. The people, their history, the review queue, the counts and the problems
 * are those of the same file imported without interruption: no one is created twice.
 */
jest.setTimeout(300_000);

const KNOWN = 300;
const ROWS = 1_200;
const day = (n: number) => new Date(Date.UTC(1950, 0, 1 + n)).toISOString().slice(0, 10);
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('/');
const GIVEN = ['Μαρία', 'Γιώργος', 'Ελένη', 'Νίκος', 'Κατερίνα', 'Δημήτρης', 'Σοφία', 'Κώστας'];

describe('a REGISTRY import survives its worker killed with SIGKILL', () => {
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
    dir = mkdtempSync(join(tmpdir(), 'mitroa-registry-crash-'));
    file = join(dir, 'registry-1200.csv');
    const lines = ['ΑΦΜ;Όνομα;Επώνυμο;Ημερομηνία γέννησης;Φύλο;Δήμος;Τηλέφωνο'];
    for (let i = 0; i < ROWS; i++) {
      const given = GIVEN[i % GIVEN.length]!;
      if (i % 10 === 9) lines.push(`;${given};Λάθος;31/02/1980;;4912;`); // a bad date
      else if (i % 11 === 10) lines.push(lines[lines.length - 1]!); // the line before, repeated
      else if (i < KNOWN)
        // People known by their AFM: every other one with a new phone.
        lines.push(`${makeAfm(String(40_000_000 + i))};${given};Γνωστός${i};${ddmmyyyy(day(i))};;4912;${i % 2 ? `69${String(i).padStart(8, '0')}` : ''}`);
      else if (i % 3 === 0)
        // No identifiers, and like a person registered by hand (same birth date, same name): held.
        lines.push(`;${given};Χειρόγραφος;${ddmmyyyy(day(10_000 + (i % 30)))};;4904;`);
      else if (i % 3 === 1) lines.push(`;${given};Χωρίςαφμ${i};${ddmmyyyy(day(i))};;4904;`);
      else lines.push(`${makeAfm(String(41_000_000 + i))};${given};Νέος${i};${ddmmyyyy(day(i))};;4912;`);
    } // prettier-ignore
    writeFileSync(file, lines.join('\n') + '\n');
  });
  /** The registry before the import: people known by AFM, and people registered by hand without one. */
  const seed = async () => {
    await db.query(`TRUNCATE import_job, duplicate_review, person_history, person CASCADE`);
    await db.query(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, afm, name_key, phonetic_key)
       SELECT '4912', g, 'Γνωστός' || i, person_latin_name(g), person_latin_name('Γνωστός' || i),
              date '1950-01-01' + i, 'UNKNOWN', afm, k.name_key, k.phonetic_key
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(afm, g, n), LATERAL (SELECT (n - 1)::int AS i) x,
              LATERAL person_name_keys(g, 'Γνωστός' || i, NULL, NULL) k`,
      [
        Array.from({ length: KNOWN }, (_, i) => makeAfm(String(40_000_000 + i))),
        Array.from({ length: KNOWN }, (_, i) => GIVEN[i % GIVEN.length]),
      ],
    );
    // People registered by hand without identifiers, whom the file's held lines look like.
    await db.query(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, name_key, phonetic_key)
       SELECT '4904', g, 'Χειρόγραφος', person_latin_name(g), 'CHEIROGRAFOS', date '1950-01-01' + 10000 + i,
              'UNKNOWN', k.name_key, k.phonetic_key
         FROM generate_series(0, 29) AS i, LATERAL (SELECT ($1::text[])[1 + i % 8] AS g) x,
              LATERAL person_name_keys(g, 'Χειρόγραφος', NULL, NULL) k`,
      [GIVEN],
    );
  };
  afterAll(async () => {
    await db.end();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = async (): Promise<string> => {
    const res = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'REGISTRY')
      .field('municipalities', '4912,4904')
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
    people: (
      await db.query(
        `SELECT afm, given_name, surname, birth_date::text, municipality_code, phone, version, name_key, phonetic_key,
                (SELECT array_agg(h.change ORDER BY h.id) FROM person_history h WHERE h.person_id = p.id) AS history
           FROM person p ORDER BY surname, given_name, birth_date, afm`,
      )
    ).rows,
    origins: (await db.query(`SELECT count(*)::int AS n FROM import_person_origin WHERE job_id = $1`, [id]))
      .rows[0].n,
    reviews: (await db.query(`SELECT count(*)::int AS n FROM duplicate_review`)).rows[0].n,
    problems: (
      await db.query(
        `SELECT line, field, code, regexp_replace(message, '[0-9a-f-]{36}', '<id>') AS message
           FROM import_row_problem WHERE job_id = $1 ORDER BY line, id`,
        [id],
      )
    ).rows,
    staged: (await db.query(`SELECT count(*)::int AS n FROM import_staging_registry`)).rows[0].n,
  });

  it('killed while staging, then while merging, then resumed: the same people as an uninterrupted run', async () => {
    await seed();
    const id = await upload();
    const afterFirst = await killWorker(id, (j) => j.phase === 'STAGE' && j.staged_line > 0);
    expect(afterFirst).toMatchObject({ status: 'RUNNING', phase: 'STAGE' });
    const afterSecond = await killWorker(id, (j) => j.phase === 'MERGE' && j.checkpoint > 0);
    expect(afterSecond).toMatchObject({ status: 'RUNNING', phase: 'MERGE' });
    expect(afterSecond.checkpoint).toBeLessThan(afterSecond.staged_line);

    const runner = t.app.get(ImportRunner);
    for (let outcome = await runner.run(id); outcome === 'busy'; outcome = await runner.run(id))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = await state(id);
    const j = resumed.job as Record<string, number>;
    expect(resumed.job).toMatchObject({ status: 'SUCCEEDED', rows_read: ROWS });
    expect(j.rows_created + j.rows_updated + j.rows_unchanged + j.rows_unmatched + j.rows_rejected).toBe(
      ROWS,
    );
    for (const n of ['rows_created', 'rows_updated', 'rows_unchanged', 'rows_unmatched', 'rows_rejected'])
      expect(j[n]).toBeGreaterThan(0);
    expect(resumed.origins).toBe(j.rows_created);

    // The same file, from scratch, uninterrupted.
    await seed();
    const again = await upload();
    expect(await runner.run(again)).toBe('finished');
    const uninterrupted = await state(again);
    expect(resumed).toEqual(uninterrupted);
    expect(resumed.staged).toBe(0);
  });
});
