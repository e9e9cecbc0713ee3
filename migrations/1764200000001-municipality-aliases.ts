import type { MigrationInterface, QueryRunner } from 'typeorm';
import { searchKey } from '../src/common/greek/search-key.js';
import { MUNICIPALITIES } from './data/geography.js';
import { MUNICIPALITY_ENGLISH_NAMES } from './data/municipality-aliases.js';

/**
 * Other names a municipality is searched by: its 2011 (Kallikratis) predecessor's name and code
 * ("Καλαμπάκας" is Μετεώρων since 2019; 9069 was Σερβίων-Βελβεντού, split in two) and English
 * names ("Athens", "Piraeus"). Also records what the ELSTAT codebook says of 4604 (see
 * migrations/data/GEOGRAPHY_SOURCES.md).
 */
export class MunicipalityAliases1764200000001 implements MigrationInterface {
  name = 'MunicipalityAliases1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE municipality_alias (
        municipality_code text NOT NULL REFERENCES municipality(code),
        kind text NOT NULL CHECK (kind IN ('PREDECESSOR_NAME', 'PREDECESSOR_CODE', 'ENGLISH')),
        alias text NOT NULL,
        search_key text NOT NULL,
        PRIMARY KEY (municipality_code, kind, alias)
      )`);
    await q.query(
      `CREATE INDEX municipality_alias_search_key_trgm ON municipality_alias USING gin (search_key gin_trgm_ops)`,
    );
    const rows: Array<{ code: string; kind: string; alias: string; search_key: string }> = [];
    for (const m of MUNICIPALITIES) {
      const [code, name, , , , , predecessorCode, predecessorName] = m;
      if (predecessorCode)
        rows.push({ code, kind: 'PREDECESSOR_CODE', alias: predecessorCode, search_key: predecessorCode });
      if (predecessorName && searchKey(predecessorName) !== searchKey(name))
        rows.push({
          code,
          kind: 'PREDECESSOR_NAME',
          alias: predecessorName,
          search_key: searchKey(predecessorName),
        });
    }
    for (const [code, names] of MUNICIPALITY_ENGLISH_NAMES)
      for (const alias of names) rows.push({ code, kind: 'ENGLISH', alias, search_key: searchKey(alias) });
    await q.query(
      `INSERT INTO municipality_alias (municipality_code, kind, alias, search_key)
       SELECT code, kind, alias, search_key FROM jsonb_to_recordset($1::jsonb) AS r(code text, kind text, alias text, search_key text)`,
      [JSON.stringify(rows)],
    );
    await q.query(
      `UPDATE municipality SET change_since_2011 = 'Heraklion (Attica); 4604 in the ELSTAT codebook (the census population table carries 7101, Heraklion of Crete, by mistake)'
        WHERE code = '4604'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS municipality_alias`);
  }
}
