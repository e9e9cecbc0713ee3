import { Injectable } from '@nestjs/common';
import {
  attachIncluded,
  hoursOf,
  includedColumns,
  locationsOf,
  servicesOf,
  type IncludedProviderColumns,
  type ProviderIncludes,
} from './provider.queries.js';
import type { EntityManager } from 'typeorm';
import { coversMunicipality } from '../auth/area-scope.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { InputError, InputErrorCode, NotFoundError } from '../common/domain-error.js';
import { searchKey } from '../common/greek/search-key.js';
import { type ConnectionShape } from '../common/pagination.js';
import { keysetPage } from '../common/keyset-page.js';
import { SqlParams } from '../common/sql.js';
import type { ProviderFilterArgs } from './dto/provider-filter.args.js';
import type { LocationInput, OfferedServiceInput, ProviderInput } from './dto/provider.input.js';
import { ProviderDetail } from './provider-detail.js';
import { athensTime } from '../common/athens-time.js';
import { checkIntervals, isGreekPublicHoliday } from './opening-hours.js';
import {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderClosure,
  ProviderKind,
  ProviderLocation,
  ProviderStatus,
  ServiceCategory,
  TargetGroup,
} from './provider.entity.js';
import { ProviderError, ProviderErrorCode } from './providers.errors.js';
import { isUuid } from '../common/validators.js';
import { checkChildIds, updateOwnedChild, type ParentWrite } from '../common/owned-children.js';

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km from ($lat, $lon) to a location row `l` (haversine; no extension needed). */
function haversineSql(lat: string, lon: string): string {
  return `(2 * ${EARTH_RADIUS_KM} * asin(sqrt(
      power(sin(radians(l.latitude - ${lat}) / 2), 2)
      + cos(radians(${lat})) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - ${lon}) / 2), 2))))`;
}

/** Inserts one row of a provider's child table; the columns come from the code above, never from input. */
async function insertRow(
  em: EntityManager,
  table: 'provider_location' | 'provider_service',
  values: Record<string, unknown>,
): Promise<string> {
  const columns = Object.keys(values);
  const [row]: Array<{ id: string }> = await em.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    columns.map((c) => values[c]),
  );
  return row!.id;
}

/** Rows of `provider` as selected below, mapped explicitly. */
interface ProviderRow {
  id: string;
  kind_code: string;
  name: string;
  organisation: string | null;
  description: string | null;
  parent_id: string | null;
  municipality_code: string;
  languages: string[];
  staff_roles: Array<{ role: string; count: number }>;
  phone: string | null;
  email: string | null;
  website: string | null;
  closed_on_public_holidays: boolean;
  status: ProviderStatus;
  version: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
  distance_km?: number | null;
}

const PROVIDER_COLUMNS = `p.id, p.kind_code, p.name, p.organisation, p.description, p.parent_id, p.municipality_code,
  p.languages, p.staff_roles, p.phone, p.email, p.website, p.closed_on_public_holidays, p.status, p.version,
  p.created_at, p.created_by, p.updated_at, p.updated_by`;

export function toProvider(row: ProviderRow): Provider {
  const p = new Provider();
  Object.assign(p, {
    id: row.id,
    kindCode: row.kind_code,
    name: row.name,
    organisation: row.organisation,
    description: row.description,
    parentId: row.parent_id,
    municipalityCode: row.municipality_code,
    languages: row.languages,
    staffRoles: row.staff_roles,
    phone: row.phone,
    email: row.email,
    website: row.website,
    closedOnPublicHolidays: row.closed_on_public_holidays,
    status: row.status,
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    distanceKm: row.distance_km ?? null,
  });
  return p;
}

/**
 * The provider registry: who helps, where and when. The directory is not personal data, so anyone
 * with provider:read sees all of it; writes are limited to the caller's area (a centre its
 * municipalities, a region its region) and audited.
 */
@Injectable()
export class ProvidersService {
  /** Reference lists (kinds, categories, groups) are small: one query each, in display order. */
  async listKinds(ctx: RequestContext): Promise<ProviderKind[]> {
    ctx.require(Permission.PROVIDER_READ, 'provider.read');
    return ctx.em.getRepository(ProviderKind).find({ order: { sortOrder: 'ASC' } });
  }

  /** Service categories, for pickers and for checking a service's category. */
  async listCategories(ctx: RequestContext): Promise<ServiceCategory[]> {
    ctx.require(Permission.PROVIDER_READ, 'provider.read');
    return ctx.em.getRepository(ServiceCategory).find({ order: { code: 'ASC' } });
  }

  /** Target groups (the six groups of the beneficiary registry and others), for pickers. */
  async listTargetGroups(ctx: RequestContext): Promise<TargetGroup[]> {
    ctx.require(Permission.PROVIDER_READ, 'provider.read');
    return ctx.em.getRepository(TargetGroup).find({ order: { code: 'ASC' } });
  }

  /** One provider; an id that is not a uuid is simply not found. */
  async get(ctx: RequestContext, id: string): Promise<Provider> {
    ctx.require(Permission.PROVIDER_READ, 'provider.read');
    const [found] = await this.byIds(ctx.em, [id]);
    if (!found) throw new NotFoundError('provider', id);
    return found;
  }

  /** One provider with its locations and hours, closures, services and service area (REST, HSDS). */
  async getDetail(ctx: RequestContext, id: string): Promise<ProviderDetail> {
    const provider = await this.get(ctx, id);
    // One after another: the queries share the request's one connection (pg runs one query at a time).
    const locations = await this.locationsOf(ctx.em, [id]);
    const closures = await this.closuresOf(ctx.em, [id]);
    const services = await this.servicesOf(ctx.em, [id]);
    const areas = await this.serviceAreasOf(ctx.em, [id]);
    const hours = await this.hoursOf(
      ctx.em,
      locations.map((l) => l.id),
    );
    return Object.assign(new ProviderDetail(), provider, {
      serviceArea: areas.get(id) ?? [],
      locations: locations.map((l) => ({ ...l, openingHours: hours.filter((h) => h.locationId === l.id) })),
      closures,
      services,
    });
  }

  /** Providers by id in one query (DataLoader batches); unknown ids are left out. */
  async byIds(em: EntityManager, ids: readonly string[]): Promise<Provider[]> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return [];
    const rows: ProviderRow[] = await em.query(
      `SELECT ${PROVIDER_COLUMNS} FROM provider p WHERE p.id = ANY($1::uuid[])`,
      [valid],
    );
    return rows.map(toProvider);
  }

  /**
   * Searches the directory. Every filter is applied in SQL and they combine: serving a municipality
   * (home or service area), kind, a service of a category and/or for a target group (a service for
   * ALL_RESIDENTS counts for every group), name (every word typed must begin a word of the name, in
   * any accents, case or script, or the name must be close by trigram similarity), a point and radius
   * (nearest location first), and open at an instant. "Open" is decided on the Athens wall clock of
   * the instant: a weekly interval of a location covers the time, no closure covers the date, and the
   * date is not a Greek public holiday for a provider closed on them.
   */
  async search(
    ctx: RequestContext,
    filter: ProviderFilterArgs,
    options: { count: boolean; include?: ProviderIncludes } = { count: true },
  ): Promise<ConnectionShape<Provider>> {
    ctx.require(Permission.PROVIDER_READ, 'provider.read');
    const q = new SqlParams();
    const where: string[] = [];
    if (filter.status) where.push(`p.status = ${q.p(filter.status)}`);
    if (filter.kindCode) where.push(`p.kind_code = ${q.p(filter.kindCode)}`);
    if (filter.servingMunicipality) {
      const m = q.p(filter.servingMunicipality);
      where.push(`(p.municipality_code = ${m} OR EXISTS (SELECT 1 FROM provider_service_area a
        WHERE a.provider_id = p.id AND a.municipality_code = ${m}))`);
    }
    if (filter.categoryCode || filter.targetGroup) {
      const conditions = ['s.provider_id = p.id'];
      if (filter.categoryCode) conditions.push(`s.category_code = ${q.p(filter.categoryCode)}`);
      if (filter.targetGroup)
        conditions.push(`s.target_groups && ARRAY[${q.p(filter.targetGroup)}, 'ALL_RESIDENTS']::text[]`);
      where.push(`EXISTS (SELECT 1 FROM provider_service s WHERE ${conditions.join(' AND ')})`);
    }
    let sortKey = 'p.search_key';
    let sortType = 'text';
    let distance = 'NULL::double precision';
    const key = filter.search ? searchKey(filter.search) : '';
    if (key) {
      const k = q.p(key);
      where.push(`((SELECT bool_and(' ' || p.search_key LIKE '% ' || w || '%') FROM unnest(${q.p(key.split(' '))}::text[]) AS w)
        OR word_similarity(${k}, p.search_key) > 0.5)`);
      sortKey = `(1 - greatest(similarity(p.search_key, ${k}), word_similarity(${k}, p.search_key)))`;
      sortType = 'double precision';
    }
    if (filter.nearLatitude !== undefined || filter.nearLongitude !== undefined) {
      if (filter.nearLatitude === undefined || filter.nearLongitude === undefined) {
        throw new InputError(
          InputErrorCode.BAD_USER_INPUT,
          'A near search needs both nearLatitude and nearLongitude.',
          [{ field: 'nearLatitude', reason: 'give both coordinates' }],
        );
      }
      const lat = q.p(filter.nearLatitude);
      const lon = q.p(filter.nearLongitude);
      const radius = q.p(filter.radiusKm ?? 10);
      // A bounding box first (1° of latitude is ~111 km), so the index narrows before the trigonometry.
      const box = `l.latitude BETWEEN ${lat}::float8 - ${radius}::float8 / 111.0 AND ${lat}::float8 + ${radius}::float8 / 111.0`;
      distance = `(SELECT min(${haversineSql(`${lat}::float8`, `${lon}::float8`)}) FROM provider_location l
        WHERE l.provider_id = p.id AND l.latitude IS NOT NULL)`;
      where.push(`EXISTS (SELECT 1 FROM provider_location l WHERE l.provider_id = p.id AND l.latitude IS NOT NULL
        AND ${box} AND ${haversineSql(`${lat}::float8`, `${lon}::float8`)} <= ${radius}::float8)`);
      sortKey = distance;
      sortType = 'double precision';
    }
    if (filter.openAt) {
      const local = athensTime(filter.openAt);
      const day = q.p(local.date);
      where.push(`p.status = 'ACTIVE'`);
      if (isGreekPublicHoliday(local.date)) where.push('NOT p.closed_on_public_holidays');
      where.push(`NOT EXISTS (SELECT 1 FROM provider_closure c WHERE c.provider_id = p.id
        AND ${day}::date BETWEEN c.starts_on AND c.ends_on)`);
      const time = q.p(local.time);
      where.push(`EXISTS (SELECT 1 FROM provider_location l JOIN opening_hours h ON h.location_id = l.id
        WHERE l.provider_id = p.id AND h.weekday = ${q.p(local.weekday)}
          AND h.opens_at <= ${time}::time AND h.closes_at > ${time}::time
          AND (h.valid_from IS NULL OR h.valid_from <= ${day}::date)
          AND (h.valid_to IS NULL OR h.valid_to >= ${day}::date))`);
    }
    // Counted only when asked for (GraphQL without totalCount selected reads 0, never sent).
    const included = options.include ? includedColumns(options.include) : [];
    const page = await keysetPage<ProviderRow & IncludedProviderColumns>(ctx.em, {
      // Every filter adds fixed text and its values as parameters: a bounded set of statements.
      prepared: true,
      q,
      // The relations' subqueries run for the page's rows only (evaluated after ORDER BY ... LIMIT).
      columns: [`${PROVIDER_COLUMNS}, ${distance} AS distance_km`, ...included].join(', '),
      from: 'provider p',
      where,
      // A cursor of another ordering (a name search's cursor in a near search) is refused, not cast.
      keys: [
        { sql: sortKey, part: sortType === 'text' ? 'text' : 'number' },
        { sql: 'p.id', part: 'uuid' },
      ],
      first: filter.first,
      after: filter.after,
      count: options.count,
    });
    return page.connection((row) => attachIncluded(toProvider(row), row));
  }

  /** Creates a provider with its locations, hours, closures, services and service area, all or nothing. */
  async create(ctx: RequestContext, input: ProviderInput): Promise<Provider> {
    ctx.require(Permission.PROVIDER_WRITE, 'provider.create');
    checkChildIds(ctx, 'provider.create', true, input.locations ?? [], 'locations');
    checkChildIds(ctx, 'provider.create', true, input.services ?? [], 'services');
    await this.check(ctx.em, input, undefined);
    this.assertInArea(ctx, 'provider.create', input.municipalityCode);
    const [{ id }] = await ctx.em.query(
      `INSERT INTO provider (kind_code, name, search_key, organisation, description, parent_id, municipality_code,
         languages, staff_roles, phone, email, website, closed_on_public_holidays, status, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
      [...this.columnValues(input), ctx.actor.id],
    );
    await this.writeChildren(
      ctx,
      { id, action: 'provider.create', municipalityCode: input.municipalityCode },
      input,
    );
    ctx.audit({
      action: 'provider.create',
      subjectType: 'provider',
      subjectId: id,
      outcome: 'allowed',
      municipalityCode: input.municipalityCode,
    });
    return this.get(ctx, id);
  }

  /**
   * Replaces a provider as a whole: collections given replace the old ones; locations and services
   * given with their id keep it (referrals and HSDS consumers hold those ids), the rest get new ids.
   * The caller's area must cover both the current and the new home municipality.
   */
  async replace(ctx: RequestContext, id: string, input: ProviderInput): Promise<Provider> {
    ctx.require(Permission.PROVIDER_WRITE, 'provider.update');
    if (!isUuid(id)) throw new NotFoundError('provider', id);
    const [current]: Array<{ municipality_code: string; version: number }> = await ctx.em.query(
      `SELECT municipality_code, version FROM provider WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!current) throw new NotFoundError('provider', id);
    this.assertInArea(ctx, 'provider.update', current.municipality_code, id);
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw new ProviderError(
        ProviderErrorCode.VERSION_CONFLICT,
        `The provider changed since you read it (version ${current.version}, you read ${input.expectedVersion}): read it again.`,
      );
    }
    checkChildIds(ctx, 'provider.update', false, input.locations ?? [], 'locations');
    checkChildIds(ctx, 'provider.update', false, input.services ?? [], 'services');
    await this.check(ctx.em, input, id);
    this.assertInArea(ctx, 'provider.update', input.municipalityCode, id);
    await ctx.em.query(
      `UPDATE provider SET kind_code = $1, name = $2, search_key = $3, organisation = $4, description = $5,
         parent_id = $6, municipality_code = $7, languages = $8, staff_roles = $9, phone = $10, email = $11,
         website = $12, closed_on_public_holidays = $13, status = $14, updated_by = $15, updated_at = now(),
         version = version + 1
       WHERE id = $16`,
      [...this.columnValues(input), ctx.actor.id, id],
    );
    await this.writeChildren(
      ctx,
      { id, action: 'provider.update', municipalityCode: input.municipalityCode },
      input,
    );
    ctx.audit({
      action: 'provider.update',
      subjectType: 'provider',
      subjectId: id,
      outcome: 'allowed',
      municipalityCode: input.municipalityCode,
    });
    return this.get(ctx, id);
  }

  private columnValues(input: ProviderInput): unknown[] {
    return [
      input.kindCode,
      input.name.trim(),
      searchKey(input.name),
      input.organisation ?? null,
      input.description ?? null,
      input.parentId ?? null,
      input.municipalityCode,
      [...new Set(input.languages ?? [])],
      JSON.stringify(input.staffRoles ?? []),
      input.phone ?? null,
      input.email ?? null,
      input.website ?? null,
      input.closedOnPublicHolidays ?? true,
      input.status ?? ProviderStatus.ACTIVE,
    ];
  }

  private assertInArea(ctx: RequestContext, action: string, municipalityCode: string, id?: string): void {
    if (coversMunicipality(ctx.actor.scope, municipalityCode)) return;
    ctx.audit({
      action,
      subjectType: 'provider',
      subjectId: id,
      outcome: 'denied',
      reason: `municipality ${municipalityCode} outside the caller's area`,
      municipalityCode,
    });
    throw new ProviderError(
      ProviderErrorCode.OUTSIDE_YOUR_AREA,
      `Municipality ${municipalityCode} is outside your area: you can create and change only the providers of your own ${ctx.actor.scope.level === 'region' ? 'region' : 'municipalities'}.`,
      [{ field: 'municipalityCode', reason: 'outside your area' }],
    );
  }

  /** Every check that needs no write, done before the first write so a refusal leaves nothing behind. */
  private async check(em: EntityManager, input: ProviderInput, id: string | undefined): Promise<void> {
    const municipalities = new Set([
      input.municipalityCode,
      ...(input.serviceArea ?? []),
      ...(input.locations ?? []).map((l) => l.municipalityCode),
    ]);
    const known: Array<{ code: string }> = await em.query(
      `SELECT code FROM municipality WHERE code = ANY($1::text[])`,
      [[...municipalities]],
    );
    const unknown = [...municipalities].filter((c) => !known.some((k) => k.code === c));
    if (unknown.length) {
      throw new ProviderError(
        ProviderErrorCode.UNKNOWN_MUNICIPALITY,
        `There is no municipality with code ${unknown.join(', ')}: use 4-digit ELSTAT 2021 codes (e.g. 4912 for Σπάτων - Αρτέμιδος).`,
        unknown.map((c) => ({ field: 'municipalityCode', reason: `unknown municipality ${c}` })),
      );
    }
    await this.checkReference(
      em,
      'provider_kind',
      [input.kindCode],
      ProviderErrorCode.UNKNOWN_PROVIDER_KIND,
      'kindCode',
    );
    const services = input.services ?? [];
    await this.checkReference(
      em,
      'service_category',
      services.map((s) => s.categoryCode),
      ProviderErrorCode.UNKNOWN_SERVICE_CATEGORY,
      'services.categoryCode',
    );
    await this.checkReference(
      em,
      'target_group',
      services.flatMap((s) => s.targetGroups ?? []),
      ProviderErrorCode.UNKNOWN_TARGET_GROUP,
      'services.targetGroups',
    );
    services.forEach((s, i) => {
      if (s.minAge !== undefined && s.maxAge !== undefined && s.minAge > s.maxAge)
        throw new ProviderError(
          ProviderErrorCode.BAD_AGE_RANGE,
          `Service "${s.name}": minAge ${s.minAge} is above maxAge ${s.maxAge}.`,
          [{ field: `services.${i}.minAge`, reason: 'above maxAge' }],
        );
      if (s.costAmount?.startsWith('-'))
        throw new ProviderError(
          ProviderErrorCode.NEGATIVE_AMOUNT,
          `Service "${s.name}": a cost cannot be negative.`,
          [{ field: `services.${i}.costAmount`, reason: 'negative' }],
        );
    });
    (input.closures ?? []).forEach((c, i) => {
      if (c.endsOn < c.startsOn)
        throw new ProviderError(
          ProviderErrorCode.BAD_DATE_RANGE,
          `Closure ${c.startsOn}–${c.endsOn} ends before it starts.`,
          [{ field: `closures.${i}.endsOn`, reason: 'before startsOn' }],
        );
    });
    (input.locations ?? []).forEach((l, i) => {
      if ((l.latitude === undefined) !== (l.longitude === undefined))
        throw new ProviderError(
          ProviderErrorCode.INCOMPLETE_COORDINATES,
          `Location "${l.name ?? l.address}" has only one coordinate: give both latitude and longitude, or neither.`,
          [
            {
              field: `locations.${i}.${l.latitude === undefined ? 'latitude' : 'longitude'}`,
              reason: 'missing',
            },
          ],
        );
    });
    const hourProblems = (input.locations ?? []).flatMap((l, i) => {
      (l.openingHours ?? []).forEach((h, j) => {
        if (h.validFrom && h.validTo && h.validTo < h.validFrom)
          throw new ProviderError(
            ProviderErrorCode.BAD_DATE_RANGE,
            `Opening hours valid from ${h.validFrom} to ${h.validTo} end before they start.`,
            [{ field: `locations.${i}.openingHours.${j}.validTo`, reason: 'before validFrom' }],
          );
      });
      return checkIntervals(l.openingHours ?? [], `locations.${i}.openingHours`);
    });
    if (hourProblems.length) {
      const code = ProviderErrorCode[hourProblems[0]!.code];
      throw new ProviderError(
        code,
        `The opening hours are not valid: ${hourProblems.map((p) => p.reason).join('; ')}.`,
        hourProblems.map(({ field, reason }) => ({ field, reason })),
      );
    }
    if (input.parentId) await this.checkParent(em, input.parentId, id);
  }

  private async checkReference(
    em: EntityManager,
    table: 'provider_kind' | 'service_category' | 'target_group',
    codes: string[],
    code: ProviderErrorCode,
    field: string,
  ): Promise<void> {
    const wanted = [...new Set(codes)];
    if (!wanted.length) return;
    const rows: Array<{ code: string }> = await em.query(
      `SELECT code FROM ${table} WHERE code = ANY($1::text[])`,
      [wanted],
    );
    const unknown = wanted.filter((c) => !rows.some((r) => r.code === c));
    if (unknown.length) {
      const all: Array<{ code: string }> = await em.query(`SELECT code FROM ${table} ORDER BY code`);
      throw new ProviderError(
        code,
        `Unknown ${table.replace('_', ' ')} ${unknown.join(', ')}; known: ${all.map((r) => r.code).join(', ')}.`,
        unknown.map((c) => ({ field, reason: `unknown code ${c}` })),
      );
    }
  }

  /** The parent must exist, and making it the parent must not put the provider under itself. */
  private async checkParent(em: EntityManager, parentId: string, id: string | undefined): Promise<void> {
    const chain: Array<{ id: string }> = await em.query(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id, 1 AS depth FROM provider WHERE id = $1
         UNION ALL SELECT p.id, p.parent_id, up.depth + 1 FROM provider p JOIN up ON p.id = up.parent_id WHERE up.depth < 20
       ) SELECT id FROM up`,
      [parentId],
    );
    if (!chain.length)
      throw new ProviderError(
        ProviderErrorCode.UNKNOWN_PARENT,
        `There is no provider ${parentId} to be the parent.`,
        [{ field: 'parentId', reason: 'unknown provider' }],
      );
    if (id && chain.some((c) => c.id === id))
      throw new ProviderError(
        ProviderErrorCode.PARENT_CYCLE,
        'A provider cannot be a branch of itself or of one of its own branches.',
        [{ field: 'parentId', reason: 'would make a cycle' }],
      );
  }

  /**
   * Service area and closures are replaced whole; locations and services sent with an id update
   * that row only if it is this provider's (proved in the UPDATE), the rest are new rows. Each
   * location's hours are replaced after its own row is proved or created.
   */
  private async writeChildren(ctx: RequestContext, parent: ParentWrite, input: ProviderInput): Promise<void> {
    const em = ctx.em;
    const providerId = parent.id;
    await em.query(`DELETE FROM provider_service_area WHERE provider_id = $1`, [providerId]);
    const area = [...new Set(input.serviceArea ?? [])].filter((c) => c !== input.municipalityCode);
    if (area.length)
      await em.query(
        `INSERT INTO provider_service_area (provider_id, municipality_code) SELECT $1, unnest($2::text[])`,
        [providerId, area],
      );
    await em.query(`DELETE FROM provider_closure WHERE provider_id = $1`, [providerId]);
    if (input.closures?.length)
      await em.getRepository(ProviderClosure).insert(
        input.closures.map((c) => ({
          providerId,
          startsOn: c.startsOn,
          endsOn: c.endsOn,
          reason: c.reason ?? null,
        })),
      );
    await this.writeLocations(ctx, parent, input.locations ?? []);
    await this.writeServices(ctx, parent, input.services ?? []);
  }

  private async writeLocations(
    ctx: RequestContext,
    parent: ParentWrite,
    locations: LocationInput[],
  ): Promise<void> {
    const em = ctx.em;
    const keep = locations.map((l) => l.id).filter((i): i is string => !!i && isUuid(i));
    await em.query(`DELETE FROM provider_location WHERE provider_id = $1 AND NOT (id = ANY($2::uuid[]))`, [
      parent.id,
      keep,
    ]);
    for (const [position, l] of locations.entries()) {
      const values = {
        name: l.name ?? null,
        address: l.address,
        postal_code: l.postalCode ?? null,
        municipality_code: l.municipalityCode,
        latitude: l.latitude ?? null,
        longitude: l.longitude ?? null,
        accessibility: [...new Set(l.accessibility ?? [])],
        position,
      };
      const locationId = l.id
        ? ((
            await updateOwnedChild(
              ctx,
              'provider_location',
              parent,
              { id: l.id, field: `locations.${position}.id` },
              values,
            )
          ).id as string)
        : await insertRow(em, 'provider_location', { provider_id: parent.id, ...values });
      await em.query(`DELETE FROM opening_hours WHERE location_id = $1`, [locationId]);
      if (l.openingHours?.length)
        await em.getRepository(OpeningHours).insert(
          l.openingHours.map((h) => ({
            locationId,
            weekday: h.weekday,
            opensAt: h.opensAt,
            closesAt: h.closesAt,
            validFrom: h.validFrom ?? null,
            validTo: h.validTo ?? null,
          })),
        );
    }
  }

  private async writeServices(
    ctx: RequestContext,
    parent: ParentWrite,
    services: OfferedServiceInput[],
  ): Promise<void> {
    const keep = services.map((s) => s.id).filter((i): i is string => !!i && isUuid(i));
    await ctx.em.query(`DELETE FROM provider_service WHERE provider_id = $1 AND NOT (id = ANY($2::uuid[]))`, [
      parent.id,
      keep,
    ]);
    for (const [position, s] of services.entries()) {
      const values = {
        name: s.name,
        description: s.description ?? null,
        category_code: s.categoryCode,
        target_groups: [...new Set(s.targetGroups ?? [])],
        min_age: s.minAge ?? null,
        max_age: s.maxAge ?? null,
        eligibility: s.eligibility ?? null,
        required_documents: s.requiredDocuments ?? [],
        cost_amount: s.costAmount ?? null,
        cost_description: s.costDescription ?? null,
        position,
      };
      if (s.id)
        await updateOwnedChild(
          ctx,
          'provider_service',
          parent,
          { id: s.id, field: `services.${position}.id` },
          values,
        );
      else await insertRow(ctx.em, 'provider_service', { provider_id: parent.id, ...values });
    }
  }

  /** Locations of providers, in their given order (one query for a page of providers). */
  locationsOf(em: EntityManager, providerIds: readonly string[]): Promise<ProviderLocation[]> {
    return locationsOf(em, providerIds);
  }

  /** Opening hours of locations, as HH:MM, by weekday and time. */
  hoursOf(em: EntityManager, locationIds: readonly string[]): Promise<OpeningHours[]> {
    return hoursOf(em, locationIds);
  }

  /** Closures of providers by start date (one query for a page of providers). */
  async closuresOf(em: EntityManager, providerIds: readonly string[]): Promise<ProviderClosure[]> {
    return em
      .getRepository(ProviderClosure)
      .createQueryBuilder('c')
      .where('c.provider_id = ANY(:ids)', { ids: [...providerIds] })
      .orderBy('c.starts_on')
      .getMany();
  }

  /** Services of providers, in their given order (one query for a page of providers). */
  servicesOf(em: EntityManager, providerIds: readonly string[]): Promise<OfferedService[]> {
    return servicesOf(em, providerIds);
  }

  /** Municipalities each provider serves: its home first, then its service area. */
  async serviceAreasOf(em: EntityManager, providerIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ provider_id: string; codes: string[] }> = await em.query(
      `SELECT p.id AS provider_id,
              ARRAY[p.municipality_code] || coalesce((SELECT array_agg(a.municipality_code ORDER BY a.municipality_code)
                FROM provider_service_area a WHERE a.provider_id = p.id), '{}') AS codes
         FROM provider p WHERE p.id = ANY($1::uuid[])`,
      [[...providerIds]],
    );
    return new Map(rows.map((r) => [r.provider_id, r.codes]));
  }

  /** Branches of centres by name (one query for a page of providers). */
  async branchesOf(em: EntityManager, parentIds: readonly string[]): Promise<Provider[]> {
    const rows: ProviderRow[] = await em.query(
      `SELECT ${PROVIDER_COLUMNS} FROM provider p WHERE p.parent_id = ANY($1::uuid[]) ORDER BY p.search_key, p.id`,
      [[...parentIds]],
    );
    return rows.map(toProvider);
  }
}
