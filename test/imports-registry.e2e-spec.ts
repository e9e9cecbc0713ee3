import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { Role } from '../src/auth/roles.js';
import { latinName, personKeys } from '../src/beneficiaries/person-keys.js';
import { ImportRunner } from '../src/imports/import-runner.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 13, the REGISTRY feed: a centre's existing records loaded as people, set-based, over HTTP.
 * test/fixtures/imports/registry.csv has, line by line: an update (2), an unchanged person (3), new
 * people (4, 5, 7, 16), a line without identifiers that looks like a known person (6, held), bad
 * identifiers and dates (8, 9, 10, 17), an unknown municipality (11), one outside the import's area
 * (12), a person registered in another area (13), a closed record (14) and a line repeated (15).
 */
const FIXTURES = join(process.cwd(), 'test/fixtures/imports');
const AREA = '4912,4904';

interface PersonSeed {
  afm?: string;
  amka?: string;
  given: string;
  surname: string;
  birth: string;
  gender: string;
  municipality: string;
  status?: string;
  father?: string;
  phone?: string;
  address?: string;
}

const SEED: Record<string, PersonSeed> = {
  anna: { afm: '100000015', amka: '01028000014', given: 'Άννα', surname: 'Οικονόμου', birth: '1980-02-01', gender: 'FEMALE', municipality: '4912' },
  nikos: { amka: '30116201036', given: 'Νίκος', surname: 'Αθανασίου', birth: '1962-11-30', gender: 'MALE', municipality: '4912', father: 'Γεώργιος', phone: '2100000000', address: 'Οδός 1' },
  giorgos: { given: 'Γιώργος', surname: 'Παπαδόπουλος', birth: '1975-05-05', gender: 'MALE', municipality: '4904' },
  elsewhere: { afm: '200000043', given: 'Κώστας', surname: 'Λαμπράκης', birth: '1970-06-06', gender: 'MALE', municipality: '0802' },
  closed: { afm: '200000055', given: 'Σοφία', surname: 'Νικολάου', birth: '1955-01-01', gender: 'FEMALE', municipality: '4912', status: 'CLOSED' },
}; // prettier-ignore

describe('feed imports: the REGISTRY feed creates and updates people set-based (issue 13)', () => {
  let t: TestApp;
  let db: pg.Client;
  let operator: string;
  const ids: Record<string, string> = {};

  const upload = (file: string, fields: Record<string, string> = {}) => {
    let req = t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'REGISTRY');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', join(FIXTURES, file));
  };
  const importFile = async (fields: Record<string, string> = {}) => {
    const res = await upload('registry.csv', { municipalities: AREA, ...fields });
    expect(res.status).toBe(201);
    if (res.body.status === 'QUEUED') expect(await t.app.get(ImportRunner).run(res.body.id)).toBe('finished');
    const job = await t.http.get(`/api/v1/imports/${res.body.id}`).set('Authorization', `Bearer ${operator}`);
    expect(job.status).toBe(200);
    return job.body;
  };
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
  const sum = (j: Record<string, number>) =>
    j.rowsCreated + j.rowsUpdated + j.rowsUnchanged + j.rowsUnmatched + j.rowsRejected;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    operator = await t.token({ roles: [Role.IMPORT_OPERATOR] }, 'operator-registry');
  });
  beforeEach(async () => {
    await db.query(`TRUNCATE import_job, duplicate_review, person_history, person CASCADE`);
    for (const [key, p] of Object.entries(SEED)) {
      const latin = { given: latinName(p.given), surname: latinName(p.surname) };
      const keys = personKeys({ givenName: p.given, surname: p.surname });
      const { rows } = await db.query(
        `INSERT INTO person (municipality_code, given_name, surname, father_name, given_name_latin, surname_latin,
                             birth_date, gender, afm, amka, phone, address, status, name_key, phonetic_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
          p.municipality,
          p.given,
          p.surname,
          p.father ?? null,
          latin.given,
          latin.surname,
          p.birth,
          p.gender,
          p.afm ?? null,
          p.amka ?? null,
          p.phone ?? null,
          p.address ?? null,
          p.status ?? 'ACTIVE',
          keys.nameKey,
          keys.phoneticKey,
        ],
      );
      ids[key] = rows[0].id;
    }
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('creates, updates, leaves alone, holds likely duplicates and rejects bad rows; the counts add up', async () => {
    const j = await importFile();
    expect(j).toMatchObject({
      status: 'SUCCEEDED',
      feed: 'REGISTRY',
      area: ['4904', '4912'],
      rowsRead: 16,
      rowsCreated: 4,
      rowsUpdated: 1,
      rowsUnchanged: 1,
      rowsUnmatched: 1,
      rowsRejected: 9,
      error: null,
    });
    expect(sum(j)).toBe(j.rowsRead);
    const problems = await db.query(
      `SELECT line, field, code FROM import_row_problem WHERE job_id = $1 ORDER BY line, id`,
      [j.id],
    );
    expect(problems.rows).toEqual([
      { line: 6, field: null, code: 'LIKELY_DUPLICATE' },
      { line: 8, field: 'amka', code: 'BAD_IDENTIFIER' },
      { line: 9, field: 'afm', code: 'BAD_IDENTIFIER' },
      { line: 10, field: 'birth_date', code: 'BAD_DATE' },
      { line: 11, field: 'municipality', code: 'UNKNOWN_CODE' },
      { line: 12, field: 'municipality', code: 'OUTSIDE_AREA' },
      { line: 13, field: null, code: 'OUTSIDE_AREA' },
      { line: 14, field: null, code: 'PERSON_CLOSED' },
      { line: 15, field: null, code: 'DUPLICATE_IN_FILE' },
      { line: 17, field: 'amka', code: 'BAD_IDENTIFIER' },
    ]);
    const held = await db.query(`SELECT message FROM import_row_problem WHERE job_id = $1 AND line = 6`, [
      j.id,
    ]);
    expect(held.rows[0].message).toMatch(/^Not created: born the same day as, and named \d+% like, /);
    // Messages never repeat a whole AFM or AMKA. A person's uuid may name them, and its last group
    // can hold nine digits in a row by chance, so uuids are taken out before the check.
    const all = await db.query(`SELECT message FROM import_row_problem WHERE job_id = $1`, [j.id]);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
    for (const { message } of all.rows) expect(message.replace(uuid, '<uuid>')).not.toMatch(/\d{9}/);

    // The people created: in the row's municipality, with the keys and Latin names a registration
    // computes (person-keys.ts), a CREATED history row each, and the line that made each one.
    const created = await db.query(
      `SELECT p.given_name, p.surname, p.given_name_latin, p.surname_latin, p.name_key, p.phonetic_key,
              p.birth_date::text AS birth_date, p.municipality_code, p.afm, p.amka, p.gender, p.phone, p.created_by, o.line,
              (SELECT array_agg(h.change) FROM person_history h WHERE h.person_id = p.id) AS history
         FROM person p JOIN import_person_origin o ON o.person_id = p.id AND o.job_id = $1 ORDER BY o.line`,
      [j.id],
    );
    expect(created.rows.map((r) => [r.line, r.given_name, r.surname, r.municipality_code])).toEqual([
      [4, 'Μαρία', 'Κωνσταντίνου', '4912'],
      [5, 'Γιώργος', 'Παπαδόπουλος', '4912'],
      [7, 'Ελένη', 'Δημητρίου', '4904'],
      [16, 'Δημήτρης', 'Γεωργίου', '4912'],
    ]);
    for (const r of created.rows) {
      const keys = personKeys({ givenName: r.given_name, surname: r.surname });
      expect(r).toMatchObject({
        given_name_latin: latinName(r.given_name),
        surname_latin: latinName(r.surname),
        name_key: keys.nameKey,
        phonetic_key: keys.phoneticKey,
        created_by: 'operator-registry',
        history: ['CREATED'],
      });
    }
    expect(created.rows[3]).toMatchObject({ afm: '200000031', phone: '6911111111', gender: 'MALE' });
    // Line 6 (no identifiers, like Γιώργος Παπαδόπουλος born the same day) made no second record.
    expect(await count(`person WHERE birth_date = '1975-05-05'`)).toBe(2);

    // The update: changed fields, keys recomputed, one UPDATED history row with the old values.
    const anna = await db.query(
      `SELECT surname, surname_latin, given_name_latin, phone, address, version, name_key, phonetic_key FROM person WHERE id = $1`,
      [ids.anna],
    );
    expect(anna.rows[0]).toMatchObject({
      surname: 'Οικονόμου-Παππά',
      surname_latin: 'OIKONOMOU-PAPPA',
      given_name_latin: 'ANNA',
      phone: '6900000001',
      address: 'Λεωφόρος Αρτέμιδος 5',
      version: 2,
      ...Object.fromEntries(
        Object.entries(personKeys({ givenName: 'Άννα', surname: 'Οικονόμου-Παππά' })).map(([k, v]) => [
          k === 'nameKey' ? 'name_key' : 'phonetic_key',
          v,
        ]),
      ),
    });
    const history = await db.query(
      `SELECT change, changed_by, old_values, snapshot->>'surname' AS surname FROM person_history WHERE person_id = $1`,
      [ids.anna],
    );
    expect(history.rows).toEqual([
      {
        change: 'UPDATED',
        changed_by: 'operator-registry',
        old_values: { surname: 'Οικονόμου', surname_latin: 'OIKONOMOU', phone: null, address: null },
        surname: 'Οικονόμου-Παππά',
      },
    ]);
    // Unchanged, elsewhere and closed people: not touched.
    for (const key of ['nikos', 'elsewhere', 'closed'])
      expect(await count(`person_history WHERE person_id = $1`, [ids[key]])).toBe(0);

    // The new person of line 5 is queued for review against the known Γιώργος Παπαδόπουλος.
    const reviews = await db.query(`SELECT person_a, person_b, reason, status FROM duplicate_review`);
    const line5 = created.rows.find((r) => r.line === 5)!;
    const line5Id = (
      await db.query(`SELECT person_id FROM import_person_origin WHERE job_id = $1 AND line = 5`, [j.id])
    ).rows[0].person_id;
    expect(line5.given_name).toBe('Γιώργος');
    expect(reviews.rows).toEqual([
      {
        person_a: [ids.giorgos, line5Id].sort()[0],
        person_b: [ids.giorgos, line5Id].sort()[1],
        reason: 'same birth date, names 100% alike',
        status: 'OPEN',
      },
    ]);

    // The audit: one row when created, started, per batch (with its counts) and finished; none per person.
    const audit = await db.query(
      `SELECT action, reason FROM audit_event WHERE subject_type = 'import_job' AND subject_id = $1 ORDER BY id`,
      [j.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'import.create',
      'import.start',
      'import.batch',
      'import.finish',
    ]);
    expect(audit.rows[2].reason).toBe('REGISTRY lines 1-17: created 4, updated 1, unchanged 1');
    expect(await count(`audit_event WHERE subject_type = 'person'`)).toBe(0);
    expect(await count(`import_staging_registry`)).toBe(0);
  });

  it('the same file twice: the second job changes nothing and points to the first', async () => {
    const first = await importFile();
    const people = await count('person');
    const history = await count('person_history');
    const second = await importFile();
    expect(second).toMatchObject({ status: 'SUCCEEDED', duplicateOf: first.id, rowsCreated: 0 });
    expect(await count('person')).toBe(people);
    expect(await count('person_history')).toBe(history);
  });

  it('the file imported again as a new job (not the same bytes): nobody is created twice', async () => {
    await importFile();
    const people = await count('person');
    // A dry run is never a duplicate of its file: it previews what a second import would do.
    const j = await importFile({ dryRun: 'true' });
    expect(j).toMatchObject({ rowsCreated: 0, rowsUpdated: 0 });
    // Lines 4, 5, 16 are now people known by their identifiers; 7 (no identifiers) is held as a likely duplicate.
    expect(j.rowsUnchanged).toBe(5);
    expect(j.rowsUnmatched).toBe(2);
    expect(sum(j)).toBe(16);
    expect(await count('person')).toBe(people);
  });

  it('dry run: previews new / changed / unchanged / held / rejected with samples, and writes nobody', async () => {
    const people = await count('person');
    const j = await importFile({ dryRun: 'true' });
    expect(j).toMatchObject({
      status: 'SUCCEEDED',
      dryRun: true,
      rowsCreated: 4,
      rowsUpdated: 1,
      rowsUnchanged: 1,
      rowsUnmatched: 1,
      rowsRejected: 9,
    });
    expect(j.previewSamples).toEqual(
      expect.arrayContaining([
        { line: 2, fact: 'surname', change: 'CHANGED', oldValue: 'Οικονόμου', newValue: 'Οικονόμου-Παππά' },
        { line: 2, fact: 'phone', change: 'CHANGED', oldValue: null, newValue: '6900000001' },
        {
          line: 4,
          fact: 'person',
          change: 'NEW',
          oldValue: null,
          newValue: 'Μαρία Κωνσταντίνου, 1985-03-12, 4912',
        },
      ]),
    );
    expect(await count('person')).toBe(people);
    expect(await count('person_history')).toBe(0);
    expect(await count('duplicate_review')).toBe(0);
    expect(await count('import_person_origin')).toBe(0);
  });

  it('the area: required, known municipalities only, and a fact feed has none', async () => {
    const none = await upload('registry.csv');
    expect(none.status).toBe(400);
    expect(JSON.parse(none.text).code).toBe('BAD_AREA');
    const unknown = await upload('registry.csv', { municipalities: '4912,9999' });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text)).toMatchObject({ code: 'BAD_AREA' });
    const malformed = await upload('registry.csv', { municipalities: '4912;4904' });
    expect(malformed.status).toBe(400);
    const fact = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'DYPA')
      .field('municipalities', '4912')
      .attach('file', join(FIXTURES, 'dypa.csv'));
    expect(JSON.parse(fact.text).code).toBe('BAD_AREA');
    expect(await count('import_job')).toBe(0);
    // Centre staff may not import, even for their own area.
    const staff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'staff-1');
    const refused = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${staff}`)
      .field('feed', 'REGISTRY')
      .field('municipalities', '4912')
      .attach('file', join(FIXTURES, 'registry.csv'));
    expect(refused.status).toBe(403);
  });

  it('the command line: --feed registry --municipalities ... --dry-run previews and writes nobody', async () => {
    const people = await count('person');
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          './test/support/register-ts.mjs',
          'src/cli.ts',
          'import',
          '--feed',
          'registry',
          '--file',
          join(FIXTURES, 'registry.csv'),
          '--municipalities',
          AREA,
          '--dry-run',
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
    expect(result.output).toContain('16 rows read');
    expect(result.output).toMatch(/would create +4/);
    expect(result.output).not.toContain('undefined');
    expect(await count('person')).toBe(people);
  });

  it('a person moved to another municipality of the area leaves their household in the old one', async () => {
    const { rows } = await db.query(
      `WITH h AS (INSERT INTO household (municipality_code) VALUES ('4912') RETURNING id)
       INSERT INTO household_member (household_id, person_id, relationship) SELECT id, $1, 'REFERENCE_PERSON' FROM h
       RETURNING household_id`,
      [ids.nikos],
    );
    const csv = 'ΑΜΚΑ;Όνομα;Επώνυμο;Ημερομηνία γέννησης;Δήμος\n30116201036;Νίκος;Αθανασίου;30/11/1962;4904\n';
    const res = await t.http
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${operator}`)
      .field('feed', 'REGISTRY')
      .field('municipalities', AREA)
      .attach('file', Buffer.from(csv), 'move.csv');
    expect(res.status).toBe(201);
    expect(await t.app.get(ImportRunner).run(res.body.id)).toBe('finished');
    const person = await db.query(`SELECT municipality_code, father_name, phone FROM person WHERE id = $1`, [
      ids.nikos,
    ]);
    // Moved; the fields the row left empty keep what was recorded.
    expect(person.rows[0]).toEqual({
      municipality_code: '4904',
      father_name: 'Γεώργιος',
      phone: '2100000000',
    });
    const member = await db.query(`SELECT left_on FROM household_member WHERE household_id = $1`, [
      rows[0].household_id,
    ]);
    expect(member.rows[0].left_on).not.toBeNull();
    const history = await db.query(`SELECT change, old_values FROM person_history WHERE person_id = $1`, [
      ids.nikos,
    ]);
    expect(history.rows).toEqual([{ change: 'UPDATED', old_values: { municipality_code: '4912' } }]);
  });

  it('a line is made into a person once: the merge of a range run again creates nobody', async () => {
    const res = await upload('registry.csv', { municipalities: AREA });
    const runner = t.app.get(ImportRunner);
    expect(await runner.run(res.body.id)).toBe('finished');
    const people = await count('person');
    // As a worker that lost its checkpoint would: stage the lines again and merge them again.
    await db.query(
      `INSERT INTO import_staging_registry (job_id, line, given_name, surname, birth_date, municipality, group_end,
                                            given_name_latin, surname_latin, name_key, phonetic_key)
       SELECT $1, 7, 'Ελένη', 'Δημητρίου', '1990-07-14', '4904', 7, 'ELENI', 'DIMITRIOU', 'x', 'x'`,
      [res.body.id],
    );
    await db.query(`BEGIN; SELECT set_config('mitroa.area', '*', true)`);
    const again = await db.query(
      `SELECT * FROM import_registry_merge($1, 0, 20, 'REGISTRY', 'operator-registry', 0.5, 5)`,
      [res.body.id],
    );
    await db.query('COMMIT');
    expect(again.rows[0]).toMatchObject({ created: 0, updated: 0, unchanged: 0 });
    expect(await count('person')).toBe(people);
    await db.query(`DELETE FROM import_staging_registry`);
  });
});
