import pg from 'pg';
import PgBoss from 'pg-boss';
import { Role } from '../src/auth/roles.js';
import { JOB, JobWorker } from '../src/jobs/job-worker.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import {
  counts,
  FIGURES,
  insertReferralTimesFixture,
  insertStatisticsFixture,
  type Figures,
} from './support/statistics-fixture.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TABLES = ['stats_people', 'stats_households', 'stats_enrolments', 'stats_referrals'];

/**
 * Figures kept incrementally (migration 1764600000000): triggers mark the (municipality, month)
 * slices a write touched, the refresh recounts only those, and the job worker runs it on its
 * schedule. Counts are the hand-computed ones of test/support/statistics-fixture.ts.
 */
describe('statistics: fresh within a minute, recounting only what changed (issue 14)', () => {
  let t: TestApp;
  let admin: string;

  const figures = async (level: string, code: string, period = 'ALL') => {
    const body = (
      await t.gql(
        admin,
        `query($area: StatisticsAreaInput!, $period: String!) { statistics(area: $area, period: $period) { ${FIGURES} } }`,
        { area: { level, code }, period },
      )
    ).body as { data?: { statistics: Figures }; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data.statistics;
  };
  const people = async (code: string) => counts(await figures('MUNICIPALITY', code), 'PEOPLE');
  const refresh = (rebuild = false) => t.app.get(StatisticsService).refresh({ rebuild });
  const slicesOf = (results: Awaited<ReturnType<typeof refresh>>) =>
    Object.fromEntries(results.map((r) => [r.view, r.rebuilt ? 'whole' : r.slices]));
  const register = (municipality: string, born = '1985-01-01', gender = 'OTHER') =>
    t.db.query<{ id: string }>(
      `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                           gender, name_key, phonetic_key)
       VALUES ($1, 'Νέα', 'Εγγραφή', 'Nea', 'Engrafi', $2, $3, 'nea engrafi', 'nea engrafi') RETURNING id`,
      [municipality, born, gender],
    );
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES)
      out[table] = await t.db.query(
        `SELECT municipality_code, to_char(month, 'YYYY-MM') AS month, special, dim, key, n FROM ${table}
          ORDER BY 1, 2, 3, 4, 5`,
      );
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'fresh-admin');
    await insertStatisticsFixture(t.db);
    await insertReferralTimesFixture(t.db);
    // The migration asks for a whole count first (the tables start from the views' last rows).
    expect(Object.values(slicesOf(await refresh()))).toEqual(['whole', 'whole', 'whole', 'whole']);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a refresh with nothing changed recounts no slice, and asOf still moves', async () => {
    const before = await figures('COUNTRY', 'EL');
    expect(slicesOf(await refresh())).toEqual({
      stats_people: 0,
      stats_households: 0,
      stats_enrolments: 0,
      stats_referrals: 0,
    });
    const after = await figures('COUNTRY', 'EL');
    expect(new Date(after.asOf).getTime()).toBeGreaterThan(new Date(before.asOf).getTime());
    expect(counts(after, 'PEOPLE')).toEqual(counts(before, 'PEOPLE'));
  });

  it("a registration marks its one slice; a move marks both municipalities' and carries the enrolments", async () => {
    await register('0802');
    expect(slicesOf(await refresh())).toMatchObject({ stats_people: 1, stats_enrolments: 0 });
    expect(await people('0802')).toMatchObject({ total: 6, gender: { OTHER: 1 } });

    // One of Kropia's March people with an ACTIVE STATS_P1 enrolment moves to Marathon.
    const [moving] = await t.db.query<{ id: string }>(
      `SELECT p.id FROM person p JOIN enrolment e ON e.person_id = p.id
        WHERE p.municipality_code = '4904' AND e.status = 'ACTIVE' ORDER BY p.id LIMIT 1`,
    );
    await t.db.query(`UPDATE person SET municipality_code = '4906' WHERE id = $1`, [moving!.id]);
    // Kropia 2024-03 and Marathon 2024-03, for people and for enrolments (applied 2024-03)
    expect(slicesOf(await refresh())).toMatchObject({ stats_people: 2, stats_enrolments: 2 });
    expect(await people('4904')).toMatchObject({ total: 14 });
    expect(await people('4906')).toMatchObject({ total: 4, ageBand: { '18-29': 1, '30-54': 3 } });
    expect(counts(await figures('MUNICIPALITY', '4906'), 'ENROLMENTS')).toMatchObject({
      total: 1,
      status: { ACTIVE: 1 },
    });
    expect(counts(await figures('MUNICIPALITY', '4904'), 'ENROLMENTS')).toMatchObject({
      total: 5,
      status: { ACTIVE: 3, APPLIED: 2 },
    });

    // A write that changes nothing counted (a phone number) marks nothing.
    await t.db.query(`UPDATE person SET phone = '2101234567' WHERE id = $1`, [moving!.id]);
    expect(slicesOf(await refresh())).toMatchObject({ stats_people: 0, stats_enrolments: 0 });
  });

  it('after every kind of write, the figures kept by slice equal a whole recount', async () => {
    const kropia = await t.db.query<{ id: string }>(
      `SELECT id FROM person WHERE municipality_code = '4904' ORDER BY id`,
    );
    // a group recorded and one ended; a member leaving a household; a household made
    await t.db.query(
      `INSERT INTO person_group (person_id, group_code, basis, valid_from, recorded_by)
       VALUES ($1, 'HOMELESS', 'DOCUMENT', '2024-01-01', 'test')`,
      [kropia[0]!.id],
    );
    await t.db.query(
      `UPDATE person_group SET valid_to = '2024-06-30' WHERE group_code = 'DESTITUTE'
          AND person_id = (SELECT person_id FROM person_group WHERE group_code = 'DESTITUTE' ORDER BY person_id LIMIT 1)`,
    );
    await t.db.query(
      `UPDATE household_member SET left_on = '2024-05-01'
        WHERE id = (SELECT id FROM household_member WHERE relationship <> 'REFERENCE_PERSON' ORDER BY id LIMIT 1)`,
    );
    await t.db.query(`INSERT INTO household (municipality_code) VALUES ('4906')`);
    // an enrolment ended, a programme now for Roma (special category), a person merged
    await t.db.query(
      `UPDATE enrolment SET status = 'ENDED', ended_on = '2024-06-01'
        WHERE id = (SELECT id FROM enrolment WHERE status = 'APPLIED' ORDER BY id LIMIT 1)`,
    );
    await t.db.query(`UPDATE programme SET target_groups = '{ROMA}' WHERE code = 'STATS_P1'`);
    await t.db.query(`UPDATE person SET status = 'MERGED', merged_into = $2 WHERE id = $1`, [
      kropia[1]!.id,
      kropia[2]!.id,
    ]);
    // a referral accepted, one made, a provider's kind changed
    await t.db.query(
      `UPDATE referral SET status = 'ACCEPTED', accepted_at = sent_at + interval '2 days' WHERE status = 'IN_PROGRESS'`,
    );
    await t.db.query(
      `INSERT INTO referral (person_id, kind, from_municipality_code, referred_by, provider_id, due_on, status, sent_at)
       SELECT person_id, 'PROVIDER', '4912', 'test', provider_id, current_date + 14, 'SENT', now()
         FROM referral LIMIT 1`,
    );
    await t.db.query(`UPDATE provider SET kind_code = 'SOUP_KITCHEN' WHERE name = 'Στατιστική ΜΚΟ'`);

    const results = await refresh();
    expect(results.every((r) => !r.rebuilt && r.slices > 0)).toBe(true);
    const incremental = await snapshot();
    expect(slicesOf(await refresh(true))).toMatchObject({ stats_people: 'whole' });
    expect(await snapshot()).toEqual(incremental);
    // and the figures moved as they should
    const referrals = counts(await figures('MUNICIPALITY', '4904', '2024-03'), 'REFERRALS');
    expect(referrals).toMatchObject({ providerKind: { SOUP_KITCHEN: 7 }, status: { IN_PROGRESS: 0 } });
  });

  it("the calendar: someone who reached an age band's boundary since the last count is recounted", async () => {
    // Turns 18 today: counted 18-29 today, 0-17 by a count made yesterday.
    const [{ born }] = (await t.db.query<{ born: string }>(
      `SELECT to_char((now() AT TIME ZONE 'Europe/Athens')::date - interval '18 years', 'YYYY-MM-DD') AS born`,
    )) as [{ born: string }];
    await register('4901', born, 'FEMALE');
    await refresh();
    expect(await people('4901')).toMatchObject({ total: 1, ageBand: { '0-17': 0, '18-29': 1 } });
    // Make the table what yesterday's count left, as if the day had just changed.
    await t.db.query(
      `UPDATE stats_people SET key = '0-17' WHERE municipality_code = '4901' AND dim = 'ageBand' AND key = '18-29'`,
    );
    await t.db.query(
      `UPDATE statistics_refresh SET calendar_day = (now() AT TIME ZONE 'Europe/Athens')::date - 1
        WHERE view_name = 'stats_people'`,
    );
    expect(slicesOf(await refresh())).toMatchObject({ stats_people: expect.any(Number) });
    expect(await people('4901')).toMatchObject({ total: 1, ageBand: { '0-17': 0, '18-29': 1 } });
  });

  it("a household's composition follows its members' ages: a birthday, a corrected birth date, a merge", async () => {
    const households = async () => counts(await figures('MUNICIPALITY', '4901'), 'HOUSEHOLDS');
    const [{ born }] = (await t.db.query<{ born: string }>(
      `SELECT to_char((now() AT TIME ZONE 'Europe/Athens')::date - interval '18 years', 'YYYY-MM-DD') AS born`,
    )) as [{ born: string }];
    const [[adult], [child], [h]] = await Promise.all([
      register('4901', born),
      register('4901', '2016-03-01'),
      t.db.query<{ id: string }>(`INSERT INTO household (municipality_code) VALUES ('4901') RETURNING id`),
    ]);
    await t.db.query(
      `INSERT INTO household_member (household_id, person_id, relationship) VALUES ($1, $2, 'REFERENCE_PERSON')`,
      [h!.id, adult!.id],
    );
    await refresh();
    // Turns 18 today: one adult today, a household of a minor by yesterday's count.
    expect(await households()).toMatchObject({ total: 1, composition: { ONE_ADULT: 1, CHILDREN_ONLY: 0 } });
    await t.db.query(
      `UPDATE stats_households SET key = 'CHILDREN_ONLY' WHERE municipality_code = '4901' AND dim = 'composition'`,
    );
    await t.db.query(
      `UPDATE statistics_refresh SET calendar_day = (now() AT TIME ZONE 'Europe/Athens')::date - 1
        WHERE view_name = 'stats_people'`,
    );
    expect(slicesOf(await refresh())).toMatchObject({ stats_households: 1 });
    expect(await households()).toMatchObject({ composition: { ONE_ADULT: 1, CHILDREN_ONLY: 0 } });

    // A corrected birth date makes the member a minor.
    await t.db.query(`UPDATE person SET birth_date = '2015-01-01' WHERE id = $1`, [adult!.id]);
    expect(slicesOf(await refresh())).toMatchObject({ stats_households: 1 });
    expect(await households()).toMatchObject({ composition: { ONE_ADULT: 0, CHILDREN_ONLY: 1 } });

    // A merge repoints the membership to the surviving record (an adult's).
    const [survivor] = await register('4901', '1970-01-01');
    await t.db.query(`UPDATE household_member SET person_id = $2 WHERE person_id = $1 AND left_on IS NULL`, [
      adult!.id,
      survivor!.id,
    ]);
    expect(slicesOf(await refresh())).toMatchObject({ stats_households: 1 });
    expect(await households()).toMatchObject({ composition: { ONE_ADULT: 1, CHILDREN_ONLY: 0 } });
    // and a child joining makes a single parent
    await t.db.query(
      `INSERT INTO household_member (household_id, person_id, relationship) VALUES ($1, $2, 'CHILD')`,
      [h!.id, child!.id],
    );
    await refresh();
    expect(await households()).toMatchObject({
      total: 1,
      size: { '2': 1 },
      composition: { ONE_ADULT: 0, ONE_ADULT_WITH_CHILDREN: 1 },
    });
  });

  it('a write by a request (mitroa_app, under row security) marks its slice; it cannot write the figures', async () => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE mitroa_app');
      await client.query(`SELECT set_config('mitroa.area', '{4912}', true)`);
      await client.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key)
         VALUES ('4912', 'Από', 'Αίτημα', 'Apo', 'Aitima', '1970-01-01', 'MALE', 'apo aitima', 'apo aitima')`,
      );
      await client.query('COMMIT');
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE mitroa_app');
      await expect(client.query(`DELETE FROM stats_people`)).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE mitroa_app');
      await expect(client.query(`SELECT * FROM stats_dirty`)).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    const [marked] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stats_dirty WHERE measure = 'people' AND municipality_code = '4912'`,
    );
    expect(marked!.n).toBe(1);
  });

  it('the job worker runs the scheduled statistics-refresh job (pg-boss), and a change appears in the figures', async () => {
    const worker = t.app.get(JobWorker);
    const boss = new PgBoss({ connectionString: t.db.url, schema: 'pgboss', migrate: false, max: 1 });
    await worker.start();
    try {
      const [schedule] = await t.db.query<{ cron: string }>(
        `SELECT cron FROM pgboss.schedule WHERE name = $1`,
        [JOB.STATISTICS_REFRESH],
      );
      expect(schedule!.cron).toBe('* * * * *');
      const before = await figures('MUNICIPALITY', '4906');
      const total = counts(before, 'PEOPLE').total as number;
      await register('4906');
      // Not waiting up to a minute for the cron: the same job, queued now, for the worker to take.
      await boss.start();
      const jobId = await boss.send(JOB.STATISTICS_REFRESH, {});
      expect(jobId).toEqual(expect.any(String));
      const deadline = Date.now() + 60_000;
      let after = before;
      while (counts(after, 'PEOPLE').total === total && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        after = await figures('MUNICIPALITY', '4906');
      }
      expect(counts(after, 'PEOPLE').total).toBe(total + 1);
      expect(new Date(after.asOf).getTime()).toBeGreaterThan(new Date(before.asOf).getTime());
      // taken by the worker (it refreshes again half a minute after it started: still active)
      const job = await boss.getJobById(JOB.STATISTICS_REFRESH, jobId!);
      expect(['active', 'completed']).toContain(job?.state);
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await worker.stop();
    }
  });
});
