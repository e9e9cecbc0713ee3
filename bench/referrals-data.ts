/**
 * The generated referrals of bench/referrals.bench.ts, set-based in SQL (rule 10): extra local
 * providers in every municipality, `count` referrals of the synthetic people over the last `days`
 * days with the statuses, flags and timestamps the lifecycle and the schedule would have left, their
 * history rows as ReferralsService and the schedule write them (creation, SENT, OVERDUE, every
 * REMINDER, the answer, IN_PROGRESS, the end), and the consents the shared fields rely on.
 * Deterministic: every draw is a hash of the referral's number.
 */

interface Sql {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

/** A deterministic draw in 0..2^31 from the referral's number `g` (bigint: abs(-2^31) overflows int). */
const draw = (salt: string, g = 'g') => `abs(hashtext('${salt}' || ${g})::bigint)`;

/** Kinds of the generated providers (never a centre: centres refer, providers receive). */
const LOCAL_KINDS = [
  'SOCIAL_GROCERY',
  'SOCIAL_PHARMACY',
  'SOUP_KITCHEN',
  'KDAP',
  'KAPI',
  'HOME_HELP',
  'EMPLOYMENT_OFFICE',
  'PUBLIC_SERVICE',
  'HEALTH_UNIT',
  'NGO',
  'CHURCH_OR_VOLUNTEER',
  'MUNICIPAL_SOCIAL_SERVICE',
];

/** What each kind's one service offers; HEALTH makes its referrals special-category (rule 17). */
const CATEGORY_OF_KIND = `CASE p.kind_code
  WHEN 'SOCIAL_GROCERY' THEN 'FOOD_AID' WHEN 'SOUP_KITCHEN' THEN 'FOOD_AID'
  WHEN 'SOCIAL_PHARMACY' THEN 'MEDICINES' WHEN 'KDAP' THEN 'CHILD_CARE' WHEN 'KAPI' THEN 'ELDERLY_CARE'
  WHEN 'HOME_HELP' THEN 'HOME_CARE' WHEN 'EMPLOYMENT_OFFICE' THEN 'EMPLOYMENT'
  WHEN 'PUBLIC_SERVICE' THEN 'BENEFIT_APPLICATIONS' WHEN 'HEALTH_UNIT' THEN 'HEALTH'
  WHEN 'NGO' THEN (ARRAY['LEGAL_AID', 'HOUSING', 'PSYCHOSOCIAL_COUNSELLING', 'BASIC_GOODS'])[1 + abs(hashtext(p.id::text)) % 4]
  ELSE 'SOCIAL_SUPPORT' END`;

/**
 * Local providers: 3 per municipality and one more per 40,000 inhabitants (about 1,250 in all),
 * each with one service. Returns the number of providers written.
 */
export async function writeProviders(client: Sql): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO provider (kind_code, name, search_key, municipality_code, created_by, updated_by)
     SELECT ($1::text[])[1 + abs(hashtext(m.code || '/' || k)) % cardinality($1::text[])],
            'Φορέας ' || m.name || ' ' || k, lower('φορεας ' || m.name || ' ' || k), m.code,
            'system:bench', 'system:bench'
       FROM municipality m, generate_series(1, 3 + coalesce(m.population_2021, 1000) / 40000) k`,
    [LOCAL_KINDS],
  );
  await client.query(
    `INSERT INTO provider_service (provider_id, name, category_code, target_groups)
     SELECT p.id, 'Υπηρεσία', ${CATEGORY_OF_KIND}, '{ALL_RESIDENTS}'
       FROM provider p WHERE p.created_by = 'system:bench'`,
  );
  return rowCount ?? 0;
}

/**
 * `count` referrals created over the last `days` days (each at least a day old). Status by age:
 * - not yet due: mostly SENT (waiting), ACCEPTED or IN_PROGRESS;
 * - past due by at most REFERRAL_EXPIRE_AFTER_DAYS (30): a quarter still SENT, flagged overdue and
 *   reminded every 48 hours since;
 * - older: mostly ended (COMPLETED, REJECTED, CANCELLED), 12 % EXPIRED by the schedule after 15
 *   reminders, a few still open.
 * A quarter of the answers after the due date came late: flagged overdue (and reminded) first, as
 * the schedule does. 85 % go to a provider of the person's municipality (the first providers of a
 * municipality are the busiest), 15 % anywhere in the country; 0.5 % are hand-overs between centres.
 * Returns the number of referrals and of history rows.
 */
export async function writeReferrals(
  client: Sql,
  count: number,
  days = 730,
): Promise<{ referrals: number; history: number; consents: number }> {
  await client.query(
    `CREATE TEMP TABLE ppl AS
       SELECT row_number() OVER (ORDER BY id) AS n, id, municipality_code FROM person WHERE status = 'ACTIVE'`,
  );
  await client.query(`CREATE UNIQUE INDEX ON ppl (n)`);
  // Receivers: every provider with a service, except centres (they refer).
  await client.query(
    `CREATE TEMP TABLE targets AS
       SELECT row_number() OVER (ORDER BY p.id) AS n, p.id, p.municipality_code, s.id AS service_id, s.category_code
         FROM provider p
         JOIN LATERAL (SELECT id, category_code FROM provider_service
                        WHERE provider_id = p.id ORDER BY position, id LIMIT 1) s ON true
        WHERE p.kind_code NOT IN ('COMMUNITY_CENTRE', 'CENTRE_BRANCH_ROMA', 'CENTRE_BRANCH_MIGRANTS')`,
  );
  await client.query(
    `CREATE TEMP TABLE local_targets AS
       SELECT municipality_code, array_agg(n ORDER BY n) AS ns FROM targets GROUP BY municipality_code`,
  );
  await client.query(`CREATE UNIQUE INDEX ON targets (n)`);
  // Temporary tables are never analysed by autovacuum: without statistics the planner joins them
  // by nested loops.
  await client.query(`ANALYZE ppl, targets, local_targets`);
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM ppl)::int AS people, (SELECT count(*) FROM targets)::int AS targets,
            (SELECT array_agg(code ORDER BY code) FROM municipality) AS codes`,
  );
  const { people, targets, codes } = rows[0] as { people: number; targets: number; codes: string[] };

  await client.query(
    `CREATE TEMP TABLE gen AS
     WITH base AS (
       SELECT g, CASE WHEN g % 200 = 0 THEN 'HANDOVER' ELSE 'PROVIDER' END AS kind,
              (${draw('u')} % 1000)::int AS u, (${draw('l')} % 1000)::int AS l, (${draw('q')} % 1000)::int AS q,
              (${draw('d')} % 1000)::int AS d, (${draw('s')} % 1000)::int AS s, ${draw('h')} AS h,
              now() - (1440 + ${draw('a')} % (($4::int - 1) * 1440)) * interval '1 minute' AS created_at
         FROM generate_series(1, $1::int) g
     ), who AS (
       SELECT b.*, pp.id AS person_id, pp.municipality_code AS home
         FROM base b
         JOIN ppl pp ON pp.n = CASE WHEN b.kind = 'HANDOVER' THEN 1 + (b.g / 200) % $2::int
                                    ELSE 1 + ${draw('p', 'b.g')} % $2::int END
     ), target AS (
       SELECT w.*,
              CASE WHEN w.kind = 'HANDOVER' THEN NULL
                   WHEN w.l < 850 AND lt.ns IS NOT NULL
                     THEN lt.ns[1 + floor(cardinality(lt.ns) * power(w.q / 1000.0, 2))::int]
                   ELSE 1 + w.h % $3::int END AS target_n,
              ($5::text[])[(1 + w.h % cardinality($5::text[]))::int] AS other_code,
              ($5::text[])[(1 + (w.h + 1) % cardinality($5::text[]))::int] AS next_code,
              (w.created_at AT TIME ZONE 'Europe/Athens')::date
                + CASE WHEN w.d < 120 THEN 5 ELSE 14 + w.d % 17 END AS due_on
         FROM who w LEFT JOIN local_targets lt ON lt.municipality_code = w.home
     ), phased AS (
       SELECT t.*, CASE WHEN t.due_on >= today THEN 'open' WHEN t.due_on + 30 >= today THEN 'late' ELSE 'old' END AS phase,
              ((t.due_on + 1)::timestamp + interval '5 minutes') AT TIME ZONE 'Europe/Athens' AS flag_at
         FROM target t, (SELECT (now() AT TIME ZONE 'Europe/Athens')::date AS today) td
     ), status AS (
       SELECT p.*,
              CASE WHEN p.kind = 'HANDOVER' THEN
                     CASE WHEN p.phase = 'old' THEN (CASE WHEN p.u < 500 THEN 'REJECTED' WHEN p.u < 800 THEN 'EXPIRED' ELSE 'CANCELLED' END)
                          WHEN p.u < 700 THEN 'SENT' ELSE 'REJECTED' END
                   WHEN p.phase = 'open' THEN
                     CASE WHEN p.u < 20 THEN 'DRAFT' WHEN p.u < 470 THEN 'SENT' WHEN p.u < 720 THEN 'ACCEPTED'
                          WHEN p.u < 870 THEN 'IN_PROGRESS' WHEN p.u < 920 THEN 'REJECTED' WHEN p.u < 950 THEN 'CANCELLED'
                          ELSE 'COMPLETED' END
                   WHEN p.phase = 'late' THEN
                     CASE WHEN p.u < 15 THEN 'DRAFT' WHEN p.u < 265 THEN 'SENT' WHEN p.u < 515 THEN 'ACCEPTED'
                          WHEN p.u < 715 THEN 'IN_PROGRESS' WHEN p.u < 865 THEN 'COMPLETED' WHEN p.u < 945 THEN 'REJECTED'
                          ELSE 'CANCELLED' END
                   ELSE
                     CASE WHEN p.u < 5 THEN 'DRAFT' WHEN p.u < 555 THEN 'COMPLETED' WHEN p.u < 675 THEN 'REJECTED'
                          WHEN p.u < 735 THEN 'CANCELLED' WHEN p.u < 855 THEN 'EXPIRED' WHEN p.u < 935 THEN 'IN_PROGRESS'
                          ELSE 'ACCEPTED' END
              END AS status
         FROM phased p
     ), sent AS (
       SELECT s.*,
              CASE WHEN s.status = 'DRAFT' THEN NULL ELSE s.created_at + (s.s % 120) * interval '1 minute' END AS sent_at,
              -- Answered (accepted or rejected) after the due date: flagged and reminded before.
              s.phase <> 'open' AND s.status IN ('ACCEPTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED') AND s.d % 4 = 0 AS late_answer
         FROM status s
     ), answered AS (
       SELECT x.*,
              CASE WHEN x.status IN ('ACCEPTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED') THEN
                least(now() - interval '1 hour',
                      CASE WHEN x.late_answer THEN x.flag_at + (1 + x.s % 6) * interval '1 day' + (x.d % 9) * interval '1 hour'
                           ELSE x.sent_at + (2 + x.s % 72) * interval '1 hour' END)
              END AS answer_at
         FROM sent x
     ), started AS (
       SELECT a.*,
              CASE WHEN a.status = 'IN_PROGRESS' OR (a.status = 'COMPLETED' AND a.s % 2 = 0)
                   THEN least(now() - interval '30 minutes', a.answer_at + (1 + a.d % 3) * interval '1 day') END AS started_at
         FROM answered a
     )
     SELECT gen_random_uuid() AS id, st.*,
            CASE st.status
              WHEN 'COMPLETED' THEN least(now() - interval '10 minutes', coalesce(st.started_at, st.answer_at) + (3 + st.s % 60) * interval '1 day')
              WHEN 'REJECTED' THEN st.answer_at
              WHEN 'CANCELLED' THEN st.sent_at + (1 + st.s % 48) * interval '1 hour'
              WHEN 'EXPIRED' THEN ((st.due_on + 31)::timestamp + interval '10 minutes') AT TIME ZONE 'Europe/Athens'
            END AS ended_at,
            CASE WHEN st.status = 'EXPIRED' OR (st.status = 'SENT' AND st.phase <> 'open') OR st.late_answer
                 THEN st.flag_at END AS flagged_at,
            CASE WHEN st.status = 'EXPIRED' THEN 15
                 WHEN st.status = 'SENT' AND st.phase <> 'open'
                   THEN 1 + floor(greatest(0, extract(epoch FROM now() - st.flag_at)) / (48 * 3600))::int
                 WHEN st.late_answer
                   THEN greatest(0, 1 + floor(extract(epoch FROM st.answer_at - st.flag_at) / (48 * 3600))::int)
                 ELSE 0 END AS reminders,
            CASE WHEN st.kind = 'HANDOVER' THEN CASE WHEN st.other_code = st.home THEN st.next_code ELSE st.other_code END
                 ELSE st.home END AS from_code,
            'staff-' || CASE WHEN st.kind = 'HANDOVER' THEN st.other_code ELSE st.home END || '-' || st.s % 3 AS referred_by
       FROM started st`,
    [count, people, targets, days, codes],
  );

  await client.query(`CREATE UNIQUE INDEX ON gen (id)`);
  await client.query(`ANALYZE gen`);
  const inserted = await client.query(
    `INSERT INTO referral (id, person_id, kind, from_municipality_code, referred_by, provider_id, provider_service_id,
                           to_municipality_code, category_code, notes, urgency, due_on, shared_fields, special_category,
                           status, rejection_reason, outcome, overdue, reminders, last_reminded_at, sent_at,
                           accepted_at, completed_at, version, created_at, updated_at)
     SELECT g.id, g.person_id, g.kind, g.from_code, g.referred_by, t.id,
            CASE WHEN g.d % 5 <> 0 THEN t.service_id END,
            CASE WHEN g.kind = 'HANDOVER' THEN g.home END,
            t.category_code,
            CASE WHEN g.s % 3 = 0 THEN 'Σημείωμα της παραπομπής ' || g.g END,
            CASE WHEN g.d < 120 THEN 'URGENT' ELSE 'ROUTINE' END,
            g.due_on,
            CASE WHEN g.kind = 'HANDOVER' THEN '{}'
                 WHEN g.s % 10 = 0 THEN '{}' WHEN g.s % 10 < 7 THEN '{NAME,CONTACT}'
                 ELSE '{NAME,BIRTH_DATE,CONTACT,NOTES}' END::text[],
            coalesce(t.category_code = 'HEALTH', false),
            g.status,
            CASE WHEN g.status = 'REJECTED'
                 THEN (ARRAY['NOT_ELIGIBLE', 'NO_CAPACITY', 'OUTSIDE_AREA', 'DUPLICATE', 'OTHER'])[1 + g.s % 5] END,
            CASE WHEN g.status = 'COMPLETED'
                 THEN (ARRAY['GOT_HELP', 'GOT_HELP', 'GOT_HELP', 'REFERRED_ELSEWHERE', 'COULD_NOT_CONTACT',
                             'NOT_ELIGIBLE', 'NO_LONGER_INTERESTED', 'COULD_NOT_GET_HELP'])[1 + g.d % 8] END,
            g.flagged_at IS NOT NULL, g.reminders,
            CASE WHEN g.reminders > 0 THEN g.flagged_at + (g.reminders - 1) * interval '48 hours' END,
            g.sent_at,
            CASE WHEN g.status IN ('ACCEPTED', 'IN_PROGRESS', 'COMPLETED') THEN g.answer_at END,
            g.ended_at,
            1 + (g.sent_at IS NOT NULL)::int + (g.status IN ('ACCEPTED', 'IN_PROGRESS', 'COMPLETED'))::int
              + (g.started_at IS NOT NULL)::int + (g.status IN ('COMPLETED', 'REJECTED', 'CANCELLED', 'EXPIRED'))::int,
            g.created_at,
            greatest(g.created_at, g.sent_at, g.flagged_at, g.answer_at, g.started_at, g.ended_at)
       FROM gen g LEFT JOIN targets t ON t.n = g.target_n`,
  );

  // The history as the service and the schedule write it, in the order it happened (ids follow time).
  const receiver = `CASE WHEN r.kind = 'HANDOVER' THEN 'staff-' || r.to_municipality_code || '-0'
                         ELSE 'provider-staff-' || left(r.provider_id::text, 8) END`;
  const history = await client.query(
    `INSERT INTO referral_history (referral_id, event, from_status, to_status, actor, at, note)
     SELECT referral_id, event, from_status, to_status, actor, at, note FROM (
       SELECT r.id AS referral_id, 'STATUS' AS event, NULL AS from_status, 'DRAFT' AS to_status,
              r.referred_by AS actor, r.created_at AS at, NULL AS note
         FROM referral r
       UNION ALL
       SELECT r.id, 'STATUS', 'DRAFT', 'SENT', r.referred_by, r.sent_at, NULL FROM referral r WHERE r.sent_at IS NOT NULL
       UNION ALL
       SELECT g.id, 'OVERDUE', NULL, NULL, 'system:referral-schedule', g.flagged_at, 'not answered by its due date'
         FROM gen g WHERE g.flagged_at IS NOT NULL
       UNION ALL
       SELECT g.id, 'REMINDER', NULL, NULL, 'system:referral-schedule', g.flagged_at + (k - 1) * interval '48 hours', 'reminder ' || k
         FROM gen g, generate_series(1, g.reminders) k
       UNION ALL
       SELECT r.id, 'STATUS', 'SENT', CASE WHEN r.status = 'REJECTED' THEN 'REJECTED' ELSE 'ACCEPTED' END, ${receiver},
              g.answer_at, NULL
         FROM referral r JOIN gen g ON g.id = r.id WHERE g.answer_at IS NOT NULL
       UNION ALL
       SELECT r.id, 'STATUS', 'ACCEPTED', 'IN_PROGRESS', ${receiver}, g.started_at, NULL
         FROM referral r JOIN gen g ON g.id = r.id WHERE g.started_at IS NOT NULL
       UNION ALL
       SELECT r.id, 'STATUS', CASE WHEN g.started_at IS NOT NULL THEN 'IN_PROGRESS' ELSE 'ACCEPTED' END, 'COMPLETED',
              ${receiver}, r.completed_at, NULL
         FROM referral r JOIN gen g ON g.id = r.id WHERE r.status = 'COMPLETED'
       UNION ALL
       SELECT r.id, 'STATUS', 'SENT', 'CANCELLED', r.referred_by, r.completed_at, NULL FROM referral r WHERE r.status = 'CANCELLED'
       UNION ALL
       SELECT r.id, 'STATUS', 'SENT', 'EXPIRED', 'system:referral-schedule', r.completed_at,
              'unanswered 30 days after its due date'
         FROM referral r WHERE r.status = 'EXPIRED'
     ) h ORDER BY at`,
  );

  // Sharing relies on the person's consent: given at the first referral that shares, 3 % withdrawn since.
  const consents = await client.query(
    `INSERT INTO consent (person_id, purpose, given_at, given_by, withdrawn_at, withdrawn_by)
     SELECT person_id, 'REFERRAL_TO_PROVIDERS', min(created_at), 'system:bench',
            CASE WHEN abs(hashtext(person_id::text)) % 100 < 3 THEN max(created_at) + interval '1 day' END,
            CASE WHEN abs(hashtext(person_id::text)) % 100 < 3 THEN 'system:bench' END
       FROM referral WHERE cardinality(shared_fields) > 0 GROUP BY person_id`,
  );
  for (const table of ['gen', 'local_targets', 'targets', 'ppl']) await client.query(`DROP TABLE ${table}`);
  return {
    referrals: inserted.rowCount ?? 0,
    history: history.rowCount ?? 0,
    consents: consents.rowCount ?? 0,
  };
}
