import type { TestDatabase } from './test-database.js';

/**
 * The hand-computed fixture of the statistics tests: people with known groups, genders and ages in
 * three municipalities of Attica (region 9, all in regional unit 0907 and old prefecture
 * ΑΝΑΤ. ΑΤΤΙΚΗΣ) and one of Central Macedonia (region 2), registered in January to March 2024.
 * Ages are counted on the day the views are refreshed; the birth years keep each person in one
 * band until 2030.
 *
 * | municipality        | month   | people                | born       | groups                    |
 * | ------------------- | ------- | --------------------- | ---------- | ------------------------- |
 * | 4912 Spata          | 2024-01 | 4 FEMALE, 2 MALE      | 1980 30-54 | 3 HOMELESS, 1 ROMA (women) |
 * | 4912 Spata          | 2024-02 | 2 FEMALE, 2 MALE      | 2015 0-17  |                           |
 * | 4904 Kropia         | 2024-01 | 5 FEMALE, 2 MALE      | 1950 65+   | 6 DESTITUTE (5 F, 1 M)    |
 * | 4904 Kropia         | 2024-03 | 4 FEMALE, 4 MALE      | 2000 18-29 |                           |
 * | 4906 Marathon       | 2024-02 | 2 FEMALE, 1 MALE      | 1990 30-54 |                           |
 * | 0802 Alexandreia    | 2024-01 | 3 FEMALE, 2 MALE      | 1990 30-54 |                           |
 *
 * Households (Spata, 2024-01), one of each composition: 2 January women and a child (ADULTS_WITH_CHILDREN),
 * a man (ONE_ADULT; a child left it), the other 2 women (ADULTS), the other man and a child
 * (ONE_ADULT_WITH_CHILDREN), 2 children (CHILDREN_ONLY), none (EMPTY). Enrolments: 6 of
 * Kropia's March people in STATS_P1 (4 ACTIVE, 2 APPLIED, applied 2024-03-05), and Spata's Roma
 * woman in STATS_ROMA (a programme for Roma: special category) ACTIVE, applied 2024-01-20.
 */
export async function insertStatisticsFixture(db: TestDatabase): Promise<void> {
  const people = async (
    municipality: string,
    month: string,
    gender: string,
    count: number,
    born: string,
  ): Promise<string[]> =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key, created_at)
         SELECT $1, 'Στατιστική', 'Δοκιμή', 'Statistiki', 'Dokimi', $2::date, $3, 'statistiki dokimi',
                'statistiki dokimi', ($4 || '-10 12:00')::timestamp AT TIME ZONE 'Europe/Athens'
           FROM generate_series(1, $5::int) RETURNING id`,
        [municipality, born, gender, month, count],
      )
    ).map((r) => r.id);
  const group = (ids: string[], code: string) =>
    db.query(
      `INSERT INTO person_group (person_id, group_code, basis, valid_from, recorded_by)
       SELECT unnest($1::uuid[]), $2, 'DOCUMENT', '2024-01-01', 'test'`,
      [ids, code],
    );

  const spataJanWomen = await people('4912', '2024-01', 'FEMALE', 4, '1980-05-01');
  const spataJanMen = await people('4912', '2024-01', 'MALE', 2, '1980-05-01');
  await group(spataJanWomen.slice(0, 3), 'HOMELESS');
  await group(spataJanWomen.slice(3), 'ROMA');
  const spataChildren = [
    ...(await people('4912', '2024-02', 'FEMALE', 2, '2015-01-01')),
    ...(await people('4912', '2024-02', 'MALE', 2, '2015-01-01')),
  ];
  const kropiaJanWomen = await people('4904', '2024-01', 'FEMALE', 5, '1950-01-01');
  const kropiaJanMen = await people('4904', '2024-01', 'MALE', 2, '1950-01-01');
  await group([...kropiaJanWomen, kropiaJanMen[0]!], 'DESTITUTE');
  const kropiaMarch = [
    ...(await people('4904', '2024-03', 'FEMALE', 4, '2000-01-01')),
    ...(await people('4904', '2024-03', 'MALE', 4, '2000-01-01')),
  ];
  await people('4906', '2024-02', 'FEMALE', 2, '1990-06-01');
  await people('4906', '2024-02', 'MALE', 1, '1990-06-01');
  await people('0802', '2024-01', 'FEMALE', 3, '1990-06-01');
  await people('0802', '2024-01', 'MALE', 2, '1990-06-01');

  const household = async (members: string[], left: string[] = []) => {
    const [h] = await db.query<{ id: string }>(
      `INSERT INTO household (municipality_code, created_at) VALUES ('4912', '2024-01-15 12:00+02') RETURNING id`,
    );
    await db.query(
      `INSERT INTO household_member (household_id, person_id, relationship)
       SELECT $1, m, CASE WHEN o = 1 THEN 'REFERENCE_PERSON' ELSE 'OTHER_RELATIVE' END
         FROM unnest($2::uuid[]) WITH ORDINALITY AS x(m, o)`,
      [h!.id, members],
    );
    await db.query(
      `INSERT INTO household_member (household_id, person_id, relationship, joined_on, left_on)
       SELECT $1, unnest($2::uuid[]), 'CHILD', '2024-01-15', '2024-01-20'`,
      [h!.id, left],
    );
  };
  const [w0, w1, w2, w3] = spataJanWomen as [string, string, string, string];
  const [m0, m1] = spataJanMen as [string, string];
  const [c0, c1, c2, c3] = spataChildren as [string, string, string, string];
  await household([w0, w1, c0]); // ADULTS_WITH_CHILDREN
  await household([m0], [c3]); // ONE_ADULT: the child who left is not counted
  await household([w2, w3]); // ADULTS
  await household([m1, c1]); // ONE_ADULT_WITH_CHILDREN
  await household([c2, c3]); // CHILDREN_ONLY
  await household([]); // EMPTY

  const programme = async (code: string, targetGroups: string[]) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO programme (code, title, search_key, kind, administering_body, funding_source, target_groups,
                                created_by, updated_by)
         VALUES ($1, $1, lower($1), 'SERVICE', 'test', 'ESF_PLUS', $2, 'test', 'test') RETURNING id`,
        [code, targetGroups],
      )
    )[0]!.id;
  const general = await programme('STATS_P1', []);
  const roma = await programme('STATS_ROMA', ['ROMA']);
  const enrol = (ids: string[], programmeId: string, status: string, appliedOn: string) =>
    db.query(
      `INSERT INTO enrolment (person_id, programme_id, status, applied_on, started_on, source, created_by, updated_by)
       SELECT unnest($1::uuid[]), $2, $3, $4::date, CASE WHEN $3 = 'ACTIVE' THEN $4::date END, 'CENTRE', 'test', 'test'`,
      [ids, programmeId, status, appliedOn],
    );
  await enrol(kropiaMarch.slice(0, 4), general, 'ACTIVE', '2024-03-05');
  await enrol(kropiaMarch.slice(4, 6), general, 'APPLIED', '2024-03-05');
  await enrol(spataJanWomen.slice(3), roma, 'ACTIVE', '2024-01-20');
}

/**
 * Referrals of Kropia (4904) with hand-computed times, all created 2024-03-04 09:00 (Athens) by
 * Kropia's first March person to one NGO. Times are whole days in Athens from sending:
 *
 * | # | status      | sent (Athens)  | accepted       | completed (ended) | accept   | complete |
 * | - | ----------- | -------------- | -------------- | ----------------- | -------- | -------- |
 * | 1 | COMPLETED   | 03-04 10:00    | 03-04 15:00    | 03-06 12:00       | SAME_DAY | 1-3      |
 * | 2 | IN_PROGRESS | 03-04 10:00    | 03-07 10:00    |                   | 1-3      | NONE     |
 * | 3 | COMPLETED   | 03-04 10:00    | 03-10 10:00    | 03-30 10:00       | 4-7      | 8-30     |
 * | 4 | COMPLETED   | 03-04 10:00    | 04-20 10:00    | 05-01 10:00       | 31+      | 31+      |
 * | 5 | REJECTED    | 03-04 10:00    |                | 03-05 10:00       | NONE     | NONE     |
 * | 6 | DRAFT       |                |                |                   | NONE     | NONE     |
 * | 7 | ACCEPTED    | 03-04 23:30    | 03-05 00:30    |                   | 1-3 (next day in Athens, same in UTC) | NONE |
 * | 8 | ACCEPTED, special category (HEALTH) | 03-04 10:00 | 03-04 11:00 |  | SAME_DAY | NONE     |
 */
export async function insertReferralTimesFixture(db: TestDatabase): Promise<void> {
  const [provider] = await db.query<{ id: string }>(
    `INSERT INTO provider (kind_code, name, search_key, municipality_code, created_by, updated_by)
     VALUES ('NGO', 'Στατιστική ΜΚΟ', 'στατιστικη μκο', '4904', 'test', 'test') RETURNING id`,
  );
  const [person] = await db.query<{ id: string }>(
    `SELECT id FROM person WHERE municipality_code = '4904' ORDER BY created_at DESC, id LIMIT 1`,
  );
  const at = (t: string | null) => (t ? `2024-${t}` : null);
  const rows: Array<[string, string | null, string | null, string | null, boolean]> = [
    ['COMPLETED', '03-04 10:00', '03-04 15:00', '03-06 12:00', false],
    ['IN_PROGRESS', '03-04 10:00', '03-07 10:00', null, false],
    ['COMPLETED', '03-04 10:00', '03-10 10:00', '03-30 10:00', false],
    ['COMPLETED', '03-04 10:00', '04-20 10:00', '05-01 10:00', false],
    ['REJECTED', '03-04 10:00', null, '03-05 10:00', false],
    ['DRAFT', null, null, null, false],
    ['ACCEPTED', '03-04 23:30', '03-05 00:30', null, false],
    ['ACCEPTED', '03-04 10:00', '03-04 11:00', null, true],
  ];
  for (const [status, sent, accepted, completed, special] of rows)
    await db.query(
      `INSERT INTO referral (person_id, kind, from_municipality_code, referred_by, provider_id, category_code, due_on,
                             special_category, status, rejection_reason, outcome, sent_at, accepted_at, completed_at,
                             created_at)
       VALUES ($1, 'PROVIDER', '4904', 'test', $2, CASE WHEN $3 THEN 'HEALTH' ELSE 'LEGAL_AID' END, '2024-03-20', $3, $4,
               CASE WHEN $4 = 'REJECTED' THEN 'NO_CAPACITY' END, CASE WHEN $4 = 'COMPLETED' THEN 'GOT_HELP' END,
               $5::timestamp AT TIME ZONE 'Europe/Athens', $6::timestamp AT TIME ZONE 'Europe/Athens',
               $7::timestamp AT TIME ZONE 'Europe/Athens', '2024-03-04 09:00'::timestamp AT TIME ZONE 'Europe/Athens')`,
      [person!.id, provider!.id, special, status, at(sent), at(accepted), at(completed)],
    );
}

/** The fields every statistics test reads. */
export const FIGURES = `
  area { level code name population }
  period asOf smallCellsSuppressed peoplePer1000Residents
  tables { measure asOf total { key count suppressed } breakdowns { dimension cells { key count suppressed } }
           trend { key count suppressed } }`;

export interface Cell {
  key: string;
  count: number | null;
  suppressed: boolean;
}
export interface Table {
  measure: string;
  asOf: string;
  total: Cell;
  breakdowns: Array<{ dimension: string; cells: Cell[] }>;
  trend: Cell[];
}
export interface Figures {
  area: { level: string; code: string; name: string; population: number | null };
  period: string;
  asOf: string;
  smallCellsSuppressed: boolean;
  peoplePer1000Residents: number | null;
  tables: Table[];
}

/** `{ total, gender: { FEMALE: 6, ... }, ... }` of one measure: null for a suppressed count. */
export function counts(figures: Figures, measure: string): Record<string, unknown> {
  const table = figures.tables.find((t) => t.measure === measure)!;
  const out: Record<string, unknown> = { total: table.total.count };
  for (const b of table.breakdowns)
    out[b.dimension] = Object.fromEntries(b.cells.map((c) => [c.key, c.count]));
  return out;
}
