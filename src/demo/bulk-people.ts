import type { EntityManager } from 'typeorm';
import type { SyntheticHousehold, SyntheticPerson } from './synthetic-people.js';

/**
 * Something that runs SQL with parameters: a `pg` client or pool, or a TypeORM EntityManager (whose
 * `query` joins the caller's transaction). The writer opens no transaction of its own.
 */
export type SqlTarget = EntityManager | { query(sql: string, params?: unknown[]): Promise<unknown> };

export interface BulkWriteOptions {
  /** Recorded as created_by / updated_by, changed_by and recorded_by (an actor id, never a name). */
  actorId: string;
  /** People per round of statements; households are never split across rounds. */
  batchSize?: number;
  /** Called after each round with the totals so far (progress for long loads). */
  onBatch?: (totals: BulkWriteTotals) => void;
}

export interface BulkWriteTotals {
  households: number;
  people: number;
  members: number;
  groups: number;
}

/**
 * Writes households, their people, memberships of the groups and one CREATED history row per person,
 * set-based: each round is four multi-row statements over `unnest` of parameter arrays, whatever
 * the number of people (rule 10: never one ORM save per row). The history snapshot is computed in
 * SQL from the inserted row, as the registry's own writes record it.
 */
export async function writeHouseholds(
  target: SqlTarget,
  households: Iterable<SyntheticHousehold>,
  options: BulkWriteOptions,
): Promise<BulkWriteTotals> {
  const batchSize = options.batchSize ?? 10_000;
  const totals: BulkWriteTotals = { households: 0, people: 0, members: 0, groups: 0 };
  let batch: SyntheticHousehold[] = [];
  let peopleInBatch = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const written = await writeBatch(target, batch, options.actorId);
    totals.households += written.households;
    totals.people += written.people;
    totals.members += written.members;
    totals.groups += written.groups;
    batch = [];
    peopleInBatch = 0;
    options.onBatch?.({ ...totals });
  };
  for (const household of households) {
    batch.push(household);
    peopleInBatch += household.members.length;
    if (peopleInBatch >= batchSize) await flush();
  }
  await flush();
  return totals;
}

async function writeBatch(
  target: SqlTarget,
  households: SyntheticHousehold[],
  actorId: string,
): Promise<BulkWriteTotals> {
  await run(
    target,
    `INSERT INTO household (id, municipality_code, address)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
    [
      households.map((h) => h.id),
      households.map((h) => h.municipalityCode),
      households.map((h) => h.address),
    ],
  );
  const written = await writePeople(
    target,
    households.flatMap((h) => h.members.map((m) => m.person)),
    actorId,
  );
  const members = households.flatMap((h) => h.members.map((m) => [h.id, m.person.id, m.relationship]));
  await run(
    target,
    // Members since birth, or since 2000 for those born before: facts as of a past date (household
    // size, minors) then find the household, as they would for people registered years ago.
    `INSERT INTO household_member (household_id, person_id, relationship, joined_on)
     SELECT u.household_id, u.person_id, u.relationship, greatest(p.birth_date, date '2000-01-01')
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(household_id, person_id, relationship)
       JOIN person p ON p.id = u.person_id`,
    [members.map((m) => m[0]), members.map((m) => m[1]), members.map((m) => m[2])],
  );
  return {
    households: households.length,
    people: written.people,
    members: members.length,
    groups: written.groups,
  };
}

/**
 * Writes people outside any household (a second registration, someone not yet placed), with their
 * groups and CREATED history rows; writeHouseholds uses it for household members.
 */
export async function writePeople(
  target: SqlTarget,
  people: SyntheticPerson[],
  actorId: string,
): Promise<{ people: number; groups: number }> {
  if (people.length === 0) return { people: 0, groups: 0 };
  await run(
    target,
    `WITH inserted AS (
       INSERT INTO person (id, municipality_code, given_name, surname, father_name, mother_name, given_name_latin,
         surname_latin, birth_date, gender, afm, amka, paaypa, citizenship, phone, email, address, name_key,
         phonetic_key, created_by, updated_by)
       SELECT u.*, $20::text, $20::text
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::date[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
         $17::text[], $18::text[], $19::text[]) AS u
       RETURNING *
     )
     INSERT INTO person_history (person_id, changed_by, change, old_values, snapshot)
     SELECT inserted.id, $20::text, 'CREATED', NULL, to_jsonb(inserted) - 'name_key' - 'phonetic_key'
     FROM inserted`,
    [
      people.map((p) => p.id),
      people.map((p) => p.municipalityCode),
      people.map((p) => p.givenName),
      people.map((p) => p.surname),
      people.map((p) => p.fatherName),
      people.map((p) => p.motherName),
      people.map((p) => p.givenNameLatin),
      people.map((p) => p.surnameLatin),
      people.map((p) => p.birthDate),
      people.map((p) => p.gender),
      people.map((p) => p.afm),
      people.map((p) => p.amka),
      people.map((p) => p.paaypa),
      people.map((p) => p.citizenship),
      people.map((p) => p.phone),
      people.map((p) => p.email),
      people.map((p) => p.address),
      people.map((p) => p.nameKey),
      people.map((p) => p.phoneticKey),
      actorId,
    ],
  );
  const groups = people.flatMap((p) => p.groups.map((g) => ({ personId: p.id, ...g })));
  if (groups.length > 0)
    await run(
      target,
      `INSERT INTO person_group (person_id, group_code, basis, valid_from, recorded_by)
       SELECT u.*, $5::text FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[]) AS u`,
      [
        groups.map((g) => g.personId),
        groups.map((g) => g.code),
        groups.map((g) => g.basis),
        groups.map((g) => g.validFrom),
        actorId,
      ],
    );
  return { people: people.length, groups: groups.length };
}

/** Runs a statement on either kind of target; the rows are not needed. */
async function run(target: SqlTarget, sql: string, params: unknown[]): Promise<void> {
  await (target as { query(sql: string, params?: unknown[]): Promise<unknown> }).query(sql, params);
}
