import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "The people of a municipality in surname order" (a centre's list, the first page of
 * `beneficiaries(municipalityCode:)`) read straight from one index: without it the planner walked
 * person_sort_idx over the whole country and discarded everyone of other municipalities (13,559 rows
 * read to return 51 on a million people). The sort key is the same expression as person_sort_idx.
 */
export class PersonMunicipalitySort1764200000900 implements MigrationInterface {
  name = 'PersonMunicipalitySort1764200000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX person_municipality_sort_idx
         ON person (municipality_code, lower(surname_latin || ' ' || given_name_latin), id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX person_municipality_sort_idx`);
  }
}
