import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ESF+ participant indicators (issue 14, docs/statistics.md "ESF+ participant indicators").
 *
 * A participant enters when the centre records their ESF answers: `entered_on` is that day and a
 * later correction of the answers keeps it (the upsert of setEsfParticipation does not write it).
 * A participant leaves when the centre records `left_on` with the four immediate results of
 * Annex I (job searching, education or training, a qualification, employment), each answerable
 * with PREFER_NOT_TO_ANSWER. `stats_esf` counts them per municipality, month (of entry or of
 * leaving), gender and answer, and is refreshed like the other statistics views.
 */
export class EsfIndicators1764620000000 implements MigrationInterface {
  name = 'EsfIndicators1764620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE esf_participant ADD COLUMN entered_on date NOT NULL DEFAULT ((now() AT TIME ZONE 'Europe/Athens')::date)`,
    );
    // Answers recorded before this migration entered on the day they were (last) recorded.
    await q.query(`UPDATE esf_participant SET entered_on = (recorded_at AT TIME ZONE 'Europe/Athens')::date`);
    const answer = (column: string) =>
      `${column} text CHECK (${column} IN ('YES', 'NO', 'PREFER_NOT_TO_ANSWER'))`;
    await q.query(`
      ALTER TABLE esf_participant
        ADD COLUMN left_on date,
        ADD COLUMN ${answer('job_searching')},
        ADD COLUMN ${answer('in_education_or_training')},
        ADD COLUMN ${answer('gained_qualification')},
        ADD COLUMN ${answer('in_employment')},
        ADD COLUMN left_recorded_by text,
        ADD CONSTRAINT esf_participant_left_after_entry CHECK (left_on IS NULL OR left_on >= entered_on),
        ADD CONSTRAINT esf_participant_results_on_leaving CHECK (
          (left_on IS NULL) = (job_searching IS NULL) AND (left_on IS NULL) = (in_education_or_training IS NULL)
          AND (left_on IS NULL) = (gained_qualification IS NULL) AND (left_on IS NULL) = (in_employment IS NULL)
          AND (left_on IS NULL) = (left_recorded_by IS NULL))`);

    // One row per municipality, month, flow (ENTRY by entered_on, EXIT by left_on), gender and
    // question/answer. Age is the age on the day of entry (it never changes with the refresh day).
    // A third-country national is a citizen of no EU member state (Art. 2(2)); no citizenship
    // recorded is UNKNOWN. `special` marks the disability and minority answers (Art. 9 data).
    await q.query(`
      CREATE MATERIALIZED VIEW stats_esf AS
      WITH p AS (
        SELECT p.municipality_code, p.gender, p.birth_date, p.citizenship, e.*
          FROM esf_participant e JOIN person p ON p.id = e.person_id
         WHERE p.status <> 'MERGED'
      )
      SELECT p.municipality_code, date_trunc('month', p.entered_on)::date AS month, 'ENTRY' AS flow, p.gender,
             a.question, a.answer, a.question IN ('disability', 'minority') AS special, count(*)::int AS n
        FROM p CROSS JOIN LATERAL (VALUES
          ('participants', ''),
          ('employment', p.employment_status),
          ('age', CASE WHEN age(p.entered_on, p.birth_date) < interval '18 years' THEN 'UNDER_18'
                       WHEN age(p.entered_on, p.birth_date) < interval '30 years' THEN '18_29'
                       WHEN age(p.entered_on, p.birth_date) < interval '55 years' THEN '30_54'
                       ELSE '55_PLUS' END),
          ('education', p.education_level),
          ('disability', p.disability),
          ('thirdCountry', CASE WHEN nullif(trim(p.citizenship), '') IS NULL THEN 'UNKNOWN'
                                WHEN upper(trim(p.citizenship)) IN (${EU_CITIZENSHIPS}) THEN 'NO' ELSE 'YES' END),
          ('foreignBackground', p.migrant_or_foreign_background),
          ('minority', p.minority),
          ('homeless', p.homeless_or_housing_exclusion),
          ('rural', p.rural_area)) AS a (question, answer)
       GROUP BY 1, 2, 3, 4, 5, 6, 7
      UNION ALL
      SELECT p.municipality_code, date_trunc('month', p.left_on)::date, 'EXIT', p.gender,
             a.question, a.answer, false, count(*)::int
        FROM p CROSS JOIN LATERAL (VALUES
          ('leavers', ''),
          ('jobSearching', p.job_searching),
          ('educationOrTraining', p.in_education_or_training),
          ('qualification', p.gained_qualification),
          ('employment', p.in_employment)) AS a (question, answer)
       WHERE p.left_on IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5, 6, 7`);
    await q.query(
      `CREATE UNIQUE INDEX stats_esf_uq ON stats_esf (municipality_code, month, flow, gender, question, answer)`,
    );
    await q.query(`INSERT INTO statistics_refresh (view_name, refreshed_at) VALUES ('stats_esf', now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM statistics_refresh WHERE view_name = 'stats_esf'`);
    await q.query(`DROP MATERIALIZED VIEW IF EXISTS stats_esf`);
    await q.query(`
      ALTER TABLE esf_participant
        DROP COLUMN left_recorded_by, DROP COLUMN in_employment, DROP COLUMN gained_qualification,
        DROP COLUMN in_education_or_training, DROP COLUMN job_searching, DROP COLUMN left_on,
        DROP COLUMN entered_on`);
  }
}

/** ISO 3166 codes of the 27 member states (and EL, Greece's code in EU usage). */
const EU_CITIZENSHIPS = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'EL',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]
  .map((c) => `'${c}'`)
  .join(', ');
