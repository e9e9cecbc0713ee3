/**
 * The SQL of the ESF+ indicators (rule 22): the rows of `stats_esf` (migration 1764620000000) with
 * when they were computed, in one statement (one snapshot), and when the view was last refreshed.
 */

export const ESF_VIEW = 'stats_esf';

export const ESF_AS_OF = `SELECT refreshed_at FROM statistics_refresh WHERE view_name = '${ESF_VIEW}'`;

/** The first row carries the time (header 0), the rest the view's rows. */
export const ESF_ROWS = `
  SELECT 0 AS header, NULL AS municipality_code, NULL AS month, NULL AS flow, NULL AS gender, NULL AS question,
         NULL AS answer, NULL::boolean AS special, NULL::int AS n,
         to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS as_of
    FROM statistics_refresh WHERE view_name = '${ESF_VIEW}'
  UNION ALL
  SELECT 1, municipality_code, to_char(month, 'YYYY-MM'), flow, gender, question, answer, special, n, NULL
    FROM ${ESF_VIEW}`;
