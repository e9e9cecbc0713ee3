import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Special-category codes inside list facts (GDPR Art. 9, rule 17).
 *
 * `benefits_received` is not a special-category fact, but OPEKA pays a DISABILITY benefit, and its
 * code reached every caller in the list: the facts view, a person's recorded facts and, through
 * them, the explanation of any rule that quotes the list. Now `person_fact_values` drops the codes
 * of `p_withheld_groups` from every list fact as well as from the groups, says so in `withheld`,
 * and leaves out a list that held nothing else (an empty list would read "receives no benefit");
 * the enrolled programmes it leaves out are those of `programme.special_category` (migration
 * 1764700000000), no longer those whose target groups only say so.
 *
 * The function is edited, not rewritten: each fragment below is replaced exactly once in the body
 * of 1764300000000 (a fragment not found stops the migration), and `down` puts them back.
 */
const SIGNATURE = 'person_fact_values(date, uuid[], text[], text[], text[], int, int)';

const EDITS: Array<[before: string, after: string]> = [
  [
    `ELSE to_json(f.value_list)::text END AS value`,
    `ELSE to_json(ARRAY(SELECT u.x FROM unnest(f.value_list) WITH ORDINALITY u(x, n)
                                          WHERE u.x <> ALL (p_withheld_groups) ORDER BY u.n))::text END AS value,
                 coalesce(f.value_list && p_withheld_groups, false) AS list_withheld,
                 coalesce(cardinality(f.value_list) > 0 AND f.value_list <@ p_withheld_groups, false) AS list_emptied`,
  ],
  [
    `string_agg('"' || w.kind || '":' || w.value, ',') FILTER (WHERE w.kind <> ALL (p_withheld_facts))`,
    `string_agg('"' || w.kind || '":' || w.value, ',') FILTER (WHERE w.kind <> ALL (p_withheld_facts) AND NOT w.list_emptied)`,
  ],
  [
    `FILTER (WHERE w.kind <> ALL (p_withheld_facts)) AS provenance,`,
    `FILTER (WHERE w.kind <> ALL (p_withheld_facts) AND NOT w.list_emptied) AS provenance,`,
  ],
  [
    `bool_or(w.kind = ANY (p_withheld_facts)) AS withheld,`,
    `bool_or(w.kind = ANY (p_withheld_facts) OR w.list_withheld) AS withheld,`,
  ],
  [
    `array_agg(DISTINCT pr.code) FILTER (WHERE NOT pr.target_groups && p_withheld_groups) AS codes,
                 bool_or(pr.target_groups && p_withheld_groups) AS withheld`,
    `array_agg(DISTINCT pr.code) FILTER (WHERE NOT (pr.special_category AND cardinality(p_withheld_groups) > 0)) AS codes,
                 bool_or(pr.special_category AND cardinality(p_withheld_groups) > 0) AS withheld`,
  ],
];

async function edit(q: QueryRunner, edits: Array<[string, string]>): Promise<void> {
  const [{ definition }] = (await q.query(`SELECT pg_get_functiondef($1::regprocedure) AS definition`, [
    SIGNATURE,
  ])) as Array<{ definition: string }>;
  let body = definition;
  for (const [from, to] of edits) {
    const at = body.indexOf(from);
    if (at < 0 || body.indexOf(from, at + 1) >= 0)
      throw new Error(`person_fact_values: expected the fragment exactly once: ${from.slice(0, 80)}`);
    body = body.slice(0, at) + to + body.slice(at + from.length);
  }
  await q.query(body);
}

export class SpecialCategoryListFacts1764700000100 implements MigrationInterface {
  name = 'SpecialCategoryListFacts1764700000100';

  async up(q: QueryRunner): Promise<void> {
    await edit(q, EDITS);
  }

  async down(q: QueryRunner): Promise<void> {
    await edit(q, EDITS.map(([before, after]) => [after, before] as [string, string]).reverse());
  }
}
