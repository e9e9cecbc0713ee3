import type { MigrationInterface, QueryRunner } from 'typeorm';
import { personKeys } from '../src/beneficiaries/person-keys.js';

const BATCH = 10_000;

/**
 * Name search folds what is typed and what is stored through one function (phoneticKey), which
 * now also folds ng/gg/gk, mb/mp/b, nd/nt/d and the other spellings of one Greek sound: every
 * person's phonetic_key is recomputed, in batches of set-based updates. person_name_word is the
 * vocabulary of those keys' words, kept by statement triggers on person, so that near spellings
 * are found word against word from a trigram index over a few thousand words instead of over the
 * people. It holds words only, never who bears them.
 */
export class NameSearch1764200000000 implements MigrationInterface {
  name = 'NameSearch1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE person_name_word (word text PRIMARY KEY)`);
    await q.query(`CREATE INDEX person_name_word_trgm ON person_name_word USING gin (word gin_trgm_ops)`);
    await q.query(`
      CREATE FUNCTION person_name_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO person_name_word (word)
          SELECT DISTINCT w FROM new_rows, unnest(string_to_array(new_rows.phonetic_key, ' ')) AS w
           WHERE w <> '' ORDER BY w
          ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER person_name_words_insert AFTER INSERT ON person
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_name_words_add()`);
    await q.query(`CREATE TRIGGER person_name_words_update AFTER UPDATE ON person
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_name_words_add()`);

    let last = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Array<{
        id: string;
        given_name: string;
        surname: string;
        given_name_latin: string;
        surname_latin: string;
      }> = await q.query(
        `SELECT id, given_name, surname, given_name_latin, surname_latin FROM person WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [last],
      );
      if (rows.length === 0) break;
      const keys = rows.map((r) =>
        personKeys({
          givenName: r.given_name,
          surname: r.surname,
          givenNameLatin: r.given_name_latin,
          surnameLatin: r.surname_latin,
        }),
      );
      await q.query(
        `UPDATE person p SET phonetic_key = k.phonetic_key, name_key = k.name_key
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS k(id, phonetic_key, name_key)
          WHERE p.id = k.id AND (p.phonetic_key <> k.phonetic_key OR p.name_key <> k.name_key)`,
        [rows.map((r) => r.id), keys.map((k) => k.phoneticKey), keys.map((k) => k.nameKey)],
      );
      last = rows[rows.length - 1]!.id;
    }
    // People whose key did not change still bring their words.
    await q.query(
      `INSERT INTO person_name_word (word)
       SELECT DISTINCT w FROM person, unnest(string_to_array(phonetic_key, ' ')) AS w WHERE w <> '' ON CONFLICT DO NOTHING`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS person_name_words_update ON person`);
    await q.query(`DROP TRIGGER IF EXISTS person_name_words_insert ON person`);
    await q.query(`DROP FUNCTION IF EXISTS person_name_words_add()`);
    await q.query(`DROP TABLE IF EXISTS person_name_word`);
  }
}
