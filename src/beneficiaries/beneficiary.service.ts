import { Inject, Injectable } from '@nestjs/common';
import { AccessPurpose } from '../audit/purpose.js';
import { attachIncluded, NO_INCLUDES, type PersonIncludes } from './person-includes.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { coversMunicipality } from '../auth/area-scope.js';
import { InputError, InputErrorCode } from '../common/domain-error.js';
import { keysetPage } from '../common/keyset-page.js';
import { SqlParams } from '../common/sql.js';
import { amkaMatchesBirthDate } from '../common/identifiers/amka.js';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  toConnection,
  type ConnectionShape,
  type PageArgs,
} from '../common/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { queryRows } from '../database/query-rows.js';
import { GeographyService } from '../geography/geography.service.js';
import { BeneficiaryError, BeneficiaryErrorCode } from './beneficiary.errors.js';
import {
  BeneficiaryGroup,
  DuplicatePerson,
  PersonChange,
  PersonIdentifier,
  PersonRegistered,
  SPECIAL_CATEGORY_GROUPS,
  type Beneficiary,
  type FieldChange,
} from './beneficiary.model.js';
import { DuplicateService } from './duplicate.service.js';
import type {
  ClosePersonInput,
  MovePersonInput,
  RegisterPersonInput,
  UpdatePersonInput,
} from './dto/person.input.js';
import type { PersonSearchFilter } from './dto/person-search.args.js';
import { latinName, personKeys, typedNameWords } from './person-keys.js';
import {
  appendHistory,
  API_NAME_OF_COLUMN,
  EDITABLE_COLUMNS,
  PERSON_COLUMNS,
  PERSON_RETURNING,
  personInScope,
  scopeSql,
  toBeneficiary,
  type EditableColumn,
  type PersonRow,
} from './person-rows.js';
import { todayInAthens } from '../common/athens-time.js';
import {
  countPeople,
  peopleByIds,
  personByIdentifier,
  sortedPeople,
  SORT_KEY,
  type SortedRow,
} from './person.queries.js';

/**
 * A name search ranks and counts every exact match and at most this many near ones: past it,
 * totalCount is the exact ones plus this number and the caller should type more of the name.
 */
export const SEARCH_COUNT_CAP = 1000;

/** A stored name word this alike to a typed one (pg_trgm similarity, word against word) is near. */
export const NEAR_WORD_SIMILARITY = 0.5;

/** The nearest this many stored words per typed word are tried. */
const NEAR_WORDS_PER_WORD = 30;

type SearchRow = SortedRow;

interface SearchCursor {
  score: string;
  sortKey: string;
  id: string;
}

function searchCursor(after: string): SearchCursor {
  const [score, sortKey, id] = decodeCursor(after, ['decimal', 'text', 'uuid']);
  return { score, sortKey, id };
}

/**
 * The beneficiary registry's people: registration, look-up, search, changes with history, hand-over
 * between municipalities, closing. Every read of a person is audited with its purpose; every method
 * applies the caller's area inside its SQL.
 */
@Injectable()
export class BeneficiaryService {
  constructor(
    private readonly geography: GeographyService,
    private readonly duplicates: DuplicateService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * Registers a person in a municipality of the caller's area. An AFM or AMKA already registered is
   * not an error but a result (DuplicatePerson) that points to the record when the caller may see
   * it and otherwise says only that it exists elsewhere. Likely duplicates (same birth date,
   * similar names in any script) are queued for review.
   */
  async register(
    ctx: RequestContext,
    input: RegisterPersonInput,
  ): Promise<PersonRegistered | DuplicatePerson> {
    ctx.require(Permission.PERSON_WRITE, 'person.create', { type: 'person' });
    this.geography.getMunicipality(input.municipalityCode);
    if (
      ctx.actor.scope.level !== 'national' &&
      !ctx.actor.scope.municipalityCodes.includes(input.municipalityCode)
    ) {
      ctx.audit({
        action: 'person.create',
        subjectType: 'person',
        outcome: 'denied',
        reason: 'municipality outside area',
        municipalityCode: input.municipalityCode,
      });
      throw new BeneficiaryError(
        BeneficiaryErrorCode.OUTSIDE_YOUR_AREA,
        `You can register people only in the municipalities of your area; ${input.municipalityCode} is not one of them.`,
        [{ field: 'municipalityCode', reason: 'outside your area' }],
      );
    }
    this.checkIdentity(input.birthDate, input);

    const existing = await this.findExisting(ctx, input.afm, input.amka);
    if (existing) return this.duplicateResult(ctx, existing, input);

    const givenNameLatin = input.givenNameLatin ?? latinName(input.givenName);
    const surnameLatin = input.surnameLatin ?? latinName(input.surname);
    const keys = personKeys({
      givenName: input.givenName,
      surname: input.surname,
      givenNameLatin,
      surnameLatin,
    });
    // ON CONFLICT DO NOTHING: a concurrent registration of the same AFM/AMKA becomes a duplicate
    // result instead of an aborted transaction.
    const inserted: PersonRow[] = await ctx.em.query(
      `INSERT INTO person (municipality_code, given_name, surname, father_name, mother_name, given_name_latin,
         surname_latin, birth_date, gender, afm, amka, paaypa, id_document_type, id_document_number, citizenship,
         phone, email, address, name_key, phonetic_key, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)
       ON CONFLICT DO NOTHING
       RETURNING ${PERSON_RETURNING}`,
      [
        input.municipalityCode,
        input.givenName.trim(),
        input.surname.trim(),
        input.fatherName ?? null,
        input.motherName ?? null,
        givenNameLatin,
        surnameLatin,
        input.birthDate,
        input.gender,
        input.afm ?? null,
        input.amka ?? null,
        input.paaypa ?? null,
        input.idDocumentType ?? null,
        input.idDocumentNumber ?? null,
        input.citizenship ?? null,
        input.phone ?? null,
        input.email ?? null,
        input.address ?? null,
        keys.nameKey,
        keys.phoneticKey,
        ctx.actor.id,
      ],
    );
    const row = inserted[0];
    if (!row) {
      const raced = await this.findExisting(ctx, input.afm, input.amka);
      if (raced) return this.duplicateResult(ctx, raced, input);
      throw new Error('person insert conflicted but no conflicting person was found');
    }
    await appendHistory(ctx, row.id, 'CREATED', null);
    const likelyDuplicates = await this.duplicates.queueLikelyDuplicates(ctx, row.id);
    ctx.audit({
      action: 'person.create',
      subjectType: 'person',
      subjectId: row.id,
      outcome: 'allowed',
      municipalityCode: row.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    const registered = new PersonRegistered();
    registered.beneficiary = toBeneficiary(row);
    registered.likelyDuplicates = likelyDuplicates;
    return registered;
  }

  /** One person of the caller's area, by id; the read is audited with its purpose. */
  async get(ctx: RequestContext, id: string): Promise<Beneficiary> {
    ctx.require(Permission.PERSON_READ, 'person.read', { type: 'person', id });
    const purpose = ctx.requirePurpose('person.read');
    const row = await personInScope(ctx, id, 'person.read');
    this.auditRead(ctx, 'person.read', row, purpose);
    return toBeneficiary(row);
  }

  /**
   * Several people by id in one query (loader batch for relation fields): those outside the area
   * come back as null, indistinguishable from absent ones; each person read is audited.
   */
  async getMany(ctx: RequestContext, ids: readonly string[]): Promise<Array<Beneficiary | null>> {
    ctx.require(Permission.PERSON_READ, 'person.read', { type: 'person' });
    const purpose = ctx.requirePurpose('person.read');
    const rows = await peopleByIds(ctx, ids);
    const today = todayInAthens();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) return null;
      this.auditRead(ctx, 'person.read', row, purpose);
      return toBeneficiary(row, today);
    });
  }

  /**
   * Exact look-up by AFM or AMKA within the caller's area (null when there is none there). A merged
   * record no longer answers to its identifiers; its survivor does.
   */
  async findByIdentifier(
    ctx: RequestContext,
    identifier: { afm?: string; amka?: string },
    include: PersonIncludes = NO_INCLUDES,
  ): Promise<Beneficiary | null> {
    ctx.require(Permission.PERSON_READ, 'person.lookup', { type: 'person' });
    const purpose = ctx.requirePurpose('person.lookup');
    if (!identifier.afm === !identifier.amka)
      throw new InputError(InputErrorCode.BAD_USER_INPUT, 'Give exactly one of afm and amka.', [
        { field: identifier.afm ? 'amka' : 'afm', reason: 'give exactly one identifier' },
      ]);
    const column = identifier.afm ? 'afm' : 'amka';
    const rows = await personByIdentifier(ctx, column, (identifier.afm ?? identifier.amka)!, {
      include,
      adultAge: this.config.ADULT_AGE,
    });
    const row = rows[0];
    if (!row) {
      ctx.audit({
        action: 'person.lookup',
        subjectType: 'person',
        outcome: 'allowed',
        reason: 'no match',
        purpose,
      });
      return null;
    }
    this.auditRead(ctx, 'person.lookup', row, purpose);
    const today = todayInAthens();
    return attachIncluded(toBeneficiary(row, today), row, today);
  }

  /**
   * Finds people of the caller's area by name in any script, accents or case, or exactly by
   * AFM/AMKA when the text is one; filters by birth year, municipality and group. A name is folded
   * as the stored keys are (phoneticKey); people with every word typed come first, then people
   * with a near spelling of every word (typos, unfinished words), in one ranked answer. Keyset-paged.
   * `count: false` (GraphQL without `totalCount` selected) skips the count of a plain list, whose
   * totalCount then reads 0 and is never sent.
   */
  async search(
    ctx: RequestContext,
    filter: PersonSearchFilter,
    page: PageArgs = {},
    options: { count: boolean; include?: PersonIncludes } = { count: true },
  ): Promise<ConnectionShape<Beneficiary>> {
    ctx.require(Permission.PERSON_READ, 'person.search', { type: 'person' });
    const purpose = ctx.requirePurpose('person.search');
    if (filter.group && SPECIAL_CATEGORY_GROUPS.has(filter.group))
      ctx.require(Permission.SPECIAL_CATEGORY, 'person.search_by_special_category');
    const limit = page.first ?? DEFAULT_PAGE_SIZE;
    const cursor = page.after ? searchCursor(page.after) : undefined;
    // Each attempt builds its statement afresh, so that no statement carries another's parameters.
    const base = () => {
      const query = new SqlParams();
      // One municipality of the caller's area: its own equality is the whole scope. Both together
      // made the planner multiply their selectivities, expect a handful of rows and sort a whole
      // municipality (3,984 rows for 51 at a million people) instead of walking its sort index.
      const oneOwnMunicipality =
        filter.municipalityCode !== undefined && coversMunicipality(ctx.actor.scope, filter.municipalityCode);
      const where = oneOwnMunicipality ? [] : [scopeSql(ctx, 'p.municipality_code', query.values)];
      where.push(filter.includeClosed ? `p.status <> 'MERGED'` : `p.status = 'ACTIVE'`);
      if (filter.municipalityCode) where.push(`p.municipality_code = ${query.p(filter.municipalityCode)}`);
      if (filter.birthYear) {
        where.push(`p.birth_date >= ${query.p(`${filter.birthYear}-01-01`)}::date`);
        where.push(`p.birth_date < ${query.p(`${filter.birthYear + 1}-01-01`)}::date`);
      }
      if (filter.group) where.push(this.groupPredicate(filter.group, (v) => query.p(v)));
      return { query, where };
    };

    const text = filter.text?.trim() ?? '';
    let result: { rows: SearchRow[]; total: number };
    if (/^\d{9}$/.test(text) || /^\d{11}$/.test(text)) {
      const { query, where } = base();
      where.push(`p.${text.length === 9 ? 'afm' : 'amka'} = ${query.p(text)}`);
      result = await this.sortedPage(ctx, query, where, limit, cursor, options);
    } else if (text) {
      const words = typedNameWords(text);
      if (words.length === 0) return toConnection([], limit, 0, () => [], false);
      const near = await this.nearWords(
        ctx,
        words.map((w) => w.typed),
      );
      const { query, where } = base();
      result = await this.namePage(ctx, query, where, words, near, limit, cursor);
    } else {
      const { query, where } = base();
      result = await this.sortedPage(ctx, query, where, limit, cursor, options);
    }

    const today = todayInAthens();
    for (const row of result.rows.slice(0, limit)) this.auditRead(ctx, 'person.search', row, purpose);
    return toConnection(
      result.rows,
      limit,
      result.total,
      (r) => [String(r.score), r.sort_key, r.id],
      !!page.after,
      (r) => attachIncluded(toBeneficiary(r, today), r, today),
    );
  }

  /** A page in surname order, walking the sort index from the cursor (lists, identifiers). */
  private async sortedPage(
    ctx: RequestContext,
    query: SqlParams,
    where: string[],
    limit: number,
    cursor: SearchCursor | undefined,
    { count, include = NO_INCLUDES }: { count: boolean; include?: PersonIncludes },
  ): Promise<{ rows: SearchRow[]; total: number }> {
    const countParams = [...query.values];
    const rows = await sortedPeople(ctx, query, where, limit, cursor, {
      include,
      adultAge: this.config.ADULT_AGE,
    });
    return { rows, total: count ? await countPeople(ctx, where, countParams) : 0 };
  }

  /**
   * Words of stored names near each typed word (PERSON_NAME_WORDS), from the trigram index of the
   * name vocabulary, which is far smaller than the people: a near spelling is judged word against
   * word, whatever else the person is called. An unfinished word (three letters or more) matches
   * the words it begins.
   */
  private async nearWords(ctx: RequestContext, typed: string[]): Promise<string[][]> {
    const rows: Array<{ i: number; word: string }> = await ctx.em.query(
      `SELECT q.i, w.word
         FROM unnest($1::text[]) WITH ORDINALITY AS q(v, i)
         CROSS JOIN LATERAL (
           SELECT n.word FROM person_name_word n
            WHERE (n.word % q.v AND similarity(n.word, q.v) >= ${NEAR_WORD_SIMILARITY})
               OR (length(q.v) >= 3 AND n.word LIKE q.v || '%')
            ORDER BY similarity(n.word, q.v) DESC, n.word
            LIMIT ${NEAR_WORDS_PER_WORD}) w`,
      [typed],
    );
    return typed.map((_, i) => rows.filter((r) => Number(r.i) === i + 1).map((r) => r.word));
  }

  /**
   * One ranked answer: people whose key has, for every word typed, the word itself (or another
   * form of it: a given-name variant, the other reading of an x) come first, all of them, counted
   * exactly; then people with a near word for every word typed, at most SEARCH_COUNT_CAP of them.
   * Both are served by the GIN index on the key's words (&&). Ranked by tier, then by how alike
   * the whole key is to what was typed, then in surname order; only the page's rows are read in full.
   */
  private async namePage(
    ctx: RequestContext,
    query: SqlParams,
    where: string[],
    words: Array<{ typed: string; exact: string[] }>,
    near: string[][],
    limit: number,
    cursor: SearchCursor | undefined,
  ): Promise<{ rows: SearchRow[]; total: number }> {
    const words_ = `string_to_array(p.phonetic_key, ' ')`;
    const exact = words.map((w) => `${words_} && ${query.p(w.exact)}::text[]`);
    const q = query.p(words.map((w) => w.typed).join(' '));
    const filter = where.join(' AND ');
    const hasNear = near.some((n) => n.length > 0);
    // Parameters are added only for the branches the statement has (an unused one has no type).
    const any = hasNear
      ? words.map((w, i) => `${words_} && ${query.p([...w.exact, ...near[i]!])}::text[]`)
      : [];
    const exactCount = exact.map((e) => `(${e})::int`).join(' + ');
    const m = `
      (SELECT p.id, round((2 + word_similarity(${q}, p.phonetic_key))::numeric, 4) AS score, ${SORT_KEY} AS sort_key
         FROM person p WHERE ${filter} AND ${exact.join(' AND ')})
      ${
        hasNear
          ? `UNION ALL
      (SELECT p.id, round(((${exactCount})::numeric / ${words.length} + word_similarity(${q}, p.phonetic_key)::numeric), 4),
              ${SORT_KEY}
         FROM person p WHERE ${filter} AND ${any.join(' AND ')} AND NOT (${exact.join(' AND ')})
        LIMIT ${SEARCH_COUNT_CAP})`
          : ''
      }`;
    const filterParams = [...query.values];
    const after = cursor
      ? `(c.score < ${query.p(cursor.score)}::numeric OR (c.score = $${query.values.length}::numeric AND (c.sort_key, c.id) > (${query.p(cursor.sortKey)}, ${query.p(cursor.id)}::uuid)))`
      : 'TRUE';
    const rows: Array<SearchRow & { total: number }> = await ctx.em.query(
      `WITH c AS MATERIALIZED (${m}),
       page AS (
         SELECT c.* FROM c WHERE ${after} ORDER BY c.score DESC, c.sort_key, c.id LIMIT ${limit + 1})
       SELECT ${PERSON_COLUMNS}, page.score, page.sort_key, (SELECT count(*)::int FROM c) AS total
         FROM page JOIN person p ON p.id = page.id
        ORDER BY page.score DESC, page.sort_key, page.id`,
      query.values,
    );
    if (rows[0] || !cursor) return { rows, total: rows[0]?.total ?? 0 };
    const counted: Array<{ n: number }> = await ctx.em.query(
      `SELECT count(*)::int AS n FROM (${m}) c`,
      filterParams,
    );
    return { rows, total: counted[0]?.n ?? 0 };
  }

  /**
   * Changes a person. The caller sends the version it read: a write based on a stale read is
   * refused (STALE_VERSION), never silently lost. Latin names follow the Greek ones by ELOT 743
   * unless given; every change is kept in the history with the old values.
   */
  async update(ctx: RequestContext, input: UpdatePersonInput): Promise<Beneficiary> {
    ctx.require(Permission.PERSON_WRITE, 'person.update', { type: 'person', id: input.id });
    const row = await personInScope(ctx, input.id, 'person.update', { forUpdate: true });
    this.assertChangeable(row, input.version);

    const next: Record<EditableColumn, string | null> = {} as Record<EditableColumn, string | null>;
    for (const [column, field] of Object.entries(EDITABLE_COLUMNS) as Array<[EditableColumn, string]>) {
      const given = (input as unknown as Record<string, string | undefined>)[field];
      next[column] = given !== undefined ? given : (row[column] as string | null);
    }
    if (input.givenName !== undefined && input.givenNameLatin === undefined)
      next.given_name_latin = latinName(input.givenName);
    if (input.surname !== undefined && input.surnameLatin === undefined)
      next.surname_latin = latinName(input.surname);
    this.checkIdentity(next.birth_date!, { afm: next.afm ?? undefined, amka: next.amka ?? undefined });

    const changed = (Object.keys(next) as EditableColumn[]).filter((c) => next[c] !== row[c]);
    if (changed.length === 0) return toBeneficiary(row);
    await this.assertIdentifiersFree(ctx, row.id, {
      afm: changed.includes('afm') ? next.afm : null,
      amka: changed.includes('amka') ? next.amka : null,
    });

    const keys = personKeys({
      givenName: next.given_name!,
      surname: next.surname!,
      givenNameLatin: next.given_name_latin,
      surnameLatin: next.surname_latin,
    });
    const params: unknown[] = [row.id, ctx.actor.id, keys.nameKey, keys.phoneticKey];
    const sets = changed.map((c) => {
      params.push(next[c]);
      return `${c} = $${params.length}`;
    });
    const updated = await queryRows<PersonRow>(
      ctx.em,
      `UPDATE person p SET ${sets.join(', ')}, name_key = $3, phonetic_key = $4, version = version + 1,
              updated_at = now(), updated_by = $2
        WHERE p.id = $1 RETURNING ${PERSON_COLUMNS}`,
      params,
    );
    await appendHistory(ctx, row.id, 'UPDATED', Object.fromEntries(changed.map((c) => [c, row[c]])));
    if (changed.some((c) => c.includes('name') || c === 'birth_date'))
      await this.duplicates.queueLikelyDuplicates(ctx, row.id);
    ctx.audit({
      action: 'person.update',
      subjectType: 'person',
      subjectId: row.id,
      outcome: 'allowed',
      municipalityCode: row.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return toBeneficiary(updated[0]!);
  }

  /**
   * Hands a person over to another municipality, and so to its centre: from then on the old centre
   * no longer sees them. A current household in the old municipality is left (its other members
   * stay; move them one by one if the whole household moves).
   */
  async move(ctx: RequestContext, input: MovePersonInput): Promise<Beneficiary> {
    ctx.require(Permission.PERSON_WRITE, 'person.move', { type: 'person', id: input.id });
    const row = await personInScope(ctx, input.id, 'person.move', { forUpdate: true });
    this.assertChangeable(row, input.version);
    this.geography.getMunicipality(input.municipalityCode);
    if (input.municipalityCode === row.municipality_code && input.address === undefined)
      return toBeneficiary(row);
    await ctx.em.query(
      `UPDATE household_member hm SET left_on = $2
         FROM household h
        WHERE h.id = hm.household_id AND hm.person_id = $1 AND hm.left_on IS NULL AND h.municipality_code <> $3`,
      [row.id, todayInAthens(), input.municipalityCode],
    );
    // The person leaves the caller's area: under row-level security they could not read the row
    // back, so move_person (a reviewed definer function) writes it and its history row, and the
    // answer is built from what was written.
    const [{ move_person: updatedAt }] = (await ctx.em.query(
      `SELECT move_person($1, $2, $3, $4, $5::jsonb)`,
      [
        row.id,
        input.municipalityCode,
        input.address ?? row.address,
        ctx.actor.id,
        JSON.stringify({ municipality_code: row.municipality_code, address: row.address }),
      ],
    )) as Array<{ move_person: Date }>;
    const moved: PersonRow = {
      ...row,
      municipality_code: input.municipalityCode,
      address: input.address ?? row.address,
      version: row.version + 1,
      updated_at: updatedAt,
    };
    for (const municipalityCode of new Set([row.municipality_code, input.municipalityCode]))
      ctx.audit({
        action: 'person.move',
        subjectType: 'person',
        subjectId: row.id,
        outcome: 'allowed',
        municipalityCode,
        purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
      });
    return toBeneficiary(moved);
  }

  /** Closes a person's record (kept, with its history; no longer in searches unless asked). */
  async close(ctx: RequestContext, input: ClosePersonInput): Promise<Beneficiary> {
    ctx.require(Permission.PERSON_WRITE, 'person.close', { type: 'person', id: input.id });
    const row = await personInScope(ctx, input.id, 'person.close', { forUpdate: true });
    this.assertChangeable(row, input.version);
    await ctx.em.query(`UPDATE household_member SET left_on = $2 WHERE person_id = $1 AND left_on IS NULL`, [
      row.id,
      todayInAthens(),
    ]);
    const updated = await queryRows<PersonRow>(
      ctx.em,
      `UPDATE person p SET status = 'CLOSED', closed_reason = $2, version = version + 1, updated_at = now(), updated_by = $3
        WHERE p.id = $1 RETURNING ${PERSON_COLUMNS}`,
      [row.id, input.reason, ctx.actor.id],
    );
    await appendHistory(ctx, row.id, 'CLOSED', { status: row.status, closed_reason: row.closed_reason });
    ctx.audit({
      action: 'person.close',
      subjectType: 'person',
      subjectId: row.id,
      outcome: 'allowed',
      municipalityCode: row.municipality_code,
      purpose: ctx.purpose ?? AccessPurpose.REGISTRATION,
    });
    return toBeneficiary(updated[0]!);
  }

  /**
   * The person as the registry knew them at `at`: the snapshot of the last change up to then. The
   * person must be in the caller's area now; null when the record did not exist yet.
   */
  async asOf(ctx: RequestContext, id: string, at: Date): Promise<Beneficiary | null> {
    ctx.require(Permission.PERSON_READ, 'person.read_as_of', { type: 'person', id });
    const purpose = ctx.requirePurpose('person.read_as_of');
    const current = await personInScope(ctx, id, 'person.read_as_of');
    const rows: Array<{ snapshot: Record<string, unknown> }> = await ctx.em.query(
      `SELECT snapshot FROM person_history WHERE person_id = $1 AND changed_at <= $2 ORDER BY changed_at DESC, id DESC LIMIT 1`,
      [id, at],
    );
    this.auditRead(ctx, 'person.read_as_of', current, purpose);
    const snapshot = rows[0]?.snapshot;
    if (!snapshot) return null;
    return toBeneficiary(
      { ...(snapshot as unknown as PersonRow), birth_date: String(snapshot.birth_date).slice(0, 10) },
      at.toISOString().slice(0, 10),
    );
  }

  /**
   * Every change of a person, newest first, including the history of records merged into them.
   * The parent read was audited; this is part of it.
   */
  async history(
    ctx: RequestContext,
    personId: string,
    page: PageArgs,
  ): Promise<ConnectionShape<PersonChange>> {
    const q = new SqlParams();
    const family = `WITH RECURSIVE family AS (
        SELECT id FROM person WHERE id = ${q.p(personId)}
        UNION SELECT p.id FROM person p JOIN family f ON p.merged_into = f.id)
      SELECT id FROM family`;
    const found = await keysetPage<{
      id: string;
      person_id: string;
      changed_at: Date;
      changed_by: string;
      change: string;
      old_values: Record<string, unknown> | null;
      snapshot: Record<string, unknown>;
    }>(ctx.em, {
      q,
      columns: 'h.*',
      from: 'person_history h',
      where: [`h.person_id IN (${family})`],
      keys: [{ sql: 'h.id', part: 'bigint' }],
      direction: 'DESC',
      first: page.first,
      after: page.after,
      count: true,
    });
    return found.connection((r) => {
      const change = new PersonChange();
      change.id = String(r.id);
      change.personId = r.person_id;
      change.changedAt = r.changed_at;
      change.changedBy = r.changed_by;
      change.change = r.change;
      change.fields = Object.entries(r.old_values ?? {}).map(([column, old]): FieldChange => ({
        field: API_NAME_OF_COLUMN[column] ?? column,
        oldValue: old === null || old === undefined ? null : String(old),
        newValue:
          r.snapshot[column] === null || r.snapshot[column] === undefined ? null : String(r.snapshot[column]),
      }));
      return change;
    });
  }

  auditRead(ctx: RequestContext, action: string, row: PersonRow, purpose: AccessPurpose): void {
    ctx.audit({
      action,
      subjectType: 'person',
      subjectId: row.id,
      outcome: 'allowed',
      municipalityCode: row.municipality_code,
      purpose,
    });
  }

  private groupPredicate(group: BeneficiaryGroup, param: (value: unknown) => string): string {
    if (group === BeneficiaryGroup.CHILD)
      return `p.birth_date > current_date - make_interval(years => ${param(this.config.ADULT_AGE)}::int)`;
    if (group === BeneficiaryGroup.ELDERLY)
      return `p.birth_date <= current_date - make_interval(years => ${param(this.config.ELDERLY_AGE)}::int)`;
    return `EXISTS (SELECT 1 FROM person_group g WHERE g.person_id = p.id AND g.group_code = ${param(group)}
              AND g.valid_from <= current_date AND (g.valid_to IS NULL OR g.valid_to >= current_date))`;
  }

  /** Identity checks that need more than one field. */
  private checkIdentity(birthDate: string, ids: { afm?: string; amka?: string; paaypa?: string }): void {
    if (birthDate > todayInAthens())
      throw new BeneficiaryError(
        BeneficiaryErrorCode.BIRTH_DATE_IN_FUTURE,
        'The birth date is in the future.',
        [{ field: 'birthDate', reason: 'in the future' }],
      );
    if (ids.amka && !amkaMatchesBirthDate(ids.amka, birthDate))
      throw new BeneficiaryError(
        BeneficiaryErrorCode.AMKA_BIRTH_DATE_MISMATCH,
        `The AMKA ${ids.amka} begins with ${ids.amka.slice(0, 6)} (DDMMYY) but the birth date is ${birthDate}: check both.`,
        [
          { field: 'amka', reason: 'its first six digits do not match the birth date' },
          { field: 'birthDate', reason: 'does not match the AMKA' },
        ],
      );
  }

  /**
   * Who already holds this AFM or AMKA, in any area (a second record must not be made). Other
   * areas' people are invisible under row-level security, so the database answers with an id and a
   * municipality only (person_holding_identifier); the whole record is read only when it is the
   * caller's to see.
   */
  private async findExisting(
    ctx: RequestContext,
    afm?: string,
    amka?: string,
  ): Promise<{ id: string; municipalityCode: string; row?: PersonRow; identifier: PersonIdentifier } | null> {
    if (!afm && !amka) return null;
    const holder = await this.holderOf(ctx, { afm: afm ?? null, amka: amka ?? null });
    if (!holder) return null;
    const identifier = holder.amka_matches ? PersonIdentifier.AMKA : PersonIdentifier.AFM;
    const rows: PersonRow[] = coversMunicipality(ctx.actor.scope, holder.municipality_code)
      ? await ctx.em.query(`SELECT ${PERSON_COLUMNS} FROM person p WHERE p.id = $1`, [holder.id])
      : [];
    return { id: holder.id, municipalityCode: holder.municipality_code, row: rows[0], identifier };
  }

  private async holderOf(
    ctx: RequestContext,
    ids: { afm: string | null; amka: string | null },
    except?: string,
  ): Promise<{ id: string; municipality_code: string; amka_matches: boolean | null } | undefined> {
    const rows: Array<{ id: string; municipality_code: string; amka_matches: boolean | null }> =
      await ctx.em.query(
        `SELECT id, municipality_code, amka_matches FROM person_holding_identifier($1, $2, $3)`,
        [ids.afm, ids.amka, except ?? null],
      );
    return rows[0];
  }

  private duplicateResult(
    ctx: RequestContext,
    existing: { id: string; municipalityCode: string; row?: PersonRow; identifier: PersonIdentifier },
    input: RegisterPersonInput,
  ): DuplicatePerson {
    const { row, identifier } = existing;
    const result = new DuplicatePerson();
    result.identifier = identifier;
    result.inYourArea = row !== undefined;
    result.existing = null;
    if (row) {
      this.auditRead(ctx, 'person.duplicate_check', row, ctx.purpose ?? AccessPurpose.REGISTRATION);
      result.existing = toBeneficiary(row);
      result.message = `A person with this ${identifier} is already registered in your area: update that record instead.`;
    } else {
      ctx.audit({
        action: 'person.duplicate_check',
        subjectType: 'person',
        subjectId: existing.id,
        outcome: 'denied',
        reason: 'registered in another area',
        municipalityCode: input.municipalityCode,
      });
      result.message = `A person with this ${identifier} is already registered in another area. Ask the person where they are registered; that centre can hand them over to you by moving them to your municipality.`;
    }
    return result;
  }

  private assertChangeable(row: PersonRow, version: number): void {
    if (row.status !== 'ACTIVE')
      throw new BeneficiaryError(
        BeneficiaryErrorCode.PERSON_NOT_ACTIVE,
        row.status === 'MERGED'
          ? `This record was merged into ${row.merged_into}: change that one instead.`
          : 'This record is closed and can no longer be changed.',
      );
    if (row.version !== version)
      throw new BeneficiaryError(
        BeneficiaryErrorCode.STALE_VERSION,
        `Someone changed this person since you read them (you sent version ${version}, it is now ${row.version}). Read the person again and reapply your change.`,
        [{ field: 'version', reason: `current version is ${row.version}` }],
      );
  }

  private async assertIdentifiersFree(
    ctx: RequestContext,
    id: string,
    ids: { afm: string | null; amka: string | null },
  ): Promise<void> {
    if (!ids.afm && !ids.amka) return;
    const holder = await this.holderOf(ctx, ids, id);
    const taken = holder ? [{ amka: holder.amka_matches ? ids.amka : null }] : [];
    if (taken[0]) {
      const field = ids.amka && taken[0].amka === ids.amka ? 'amka' : 'afm';
      throw new BeneficiaryError(
        BeneficiaryErrorCode.IDENTIFIER_TAKEN,
        `Another person is registered with this ${field.toUpperCase()}: if they are the same person, ask for the two records to be merged.`,
        [{ field, reason: 'registered to another person' }],
      );
    }
  }
}
