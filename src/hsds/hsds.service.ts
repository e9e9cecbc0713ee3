import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { searchKey } from '../common/greek/search-key.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination.js';
import { SqlParams } from '../common/sql.js';
import { GeographyService } from '../geography/geography.service.js';
import type {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderLocation,
  ProviderStatus,
} from '../providers/provider.entity.js';
import { ProvidersService } from '../providers/providers.service.js';
import type { HsdsPageQuery, HsdsServiceQuery } from './hsds.query.js';
import { isUuid } from '../common/validators.js';

/** An HSDS document: plain JSON in Open Referral's field names. */
export type HsdsObject = Record<string, unknown>;

/** The paged list shape of the HSDS API (openapi.json `Page`), with the items in `contents`. */
export interface HsdsPage {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: HsdsObject[];
}

const BYDAY = ['', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const STATUS: Record<ProviderStatus, string> = {
  ACTIVE: 'active',
  TEMPORARILY_CLOSED: 'temporarily closed',
  INACTIVE: 'inactive',
};

/**
 * A stable uuid for an HSDS object we do not store as a row (a phone, an address, a
 * service_at_location): the md5 of its parts joined by ':', written as a uuid. PostgreSQL computes
 * the same value with `md5(a || ':' || b)::uuid`, which lets a service_at_location be found by id.
 */
export function derivedId(...parts: string[]): string {
  const hex = createHash('md5').update(parts.join(':')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Drops null and undefined fields: HSDS types fields as strings or numbers, never null. */
function compact(object: Record<string, unknown>): HsdsObject {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * The provider registry as Open Referral HSDS 3.0 documents, read-only, so directory tools can
 * consume it. Provider = organization, offered service = service, location = location, and every
 * service of a provider is offered at each of its locations (service_at_location). See
 * docs/providers-and-programmes.md for the field mapping.
 */
@Injectable()
export class HsdsService {
  constructor(
    private readonly providers: ProvidersService,
    private readonly geography: GeographyService,
  ) {}

  /** Organizations (providers) by name, one-to-one fields only, HSDS paging. */
  async organizations(ctx: RequestContext, query: HsdsPageQuery): Promise<HsdsPage> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const q = new SqlParams();
    const where = this.nameFilter(q, 'p.search_key', query.search);
    const total = await this.count(ctx, `SELECT count(*)::int AS n FROM provider p WHERE ${where}`, q.values);
    const { limit, offset } = this.window(query);
    const rows: Array<{ id: string }> = await ctx.em.query(
      `SELECT p.id FROM provider p WHERE ${where} ORDER BY p.search_key, p.id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`,
      q.values,
    );
    const found = await this.providers.byIds(
      ctx.em,
      rows.map((r) => r.id),
    );
    const byId = new Map(found.map((p) => [p.id, p]));
    return this.page(
      query,
      total,
      rows.map((r) => this.organizationBasic(byId.get(r.id)!)),
    );
  }

  /** One organization, fully nested: phones, locations with schedules, services. */
  async organization(ctx: RequestContext, id: string): Promise<HsdsObject> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const provider = await this.providers.get(ctx, id);
    const { locations, hours, services } = await this.parts(ctx, [provider.id]);
    return {
      ...this.organizationBasic(provider),
      phones: this.phones(provider),
      locations: locations.map((l) => this.locationDoc(l, provider, hours)),
      services: services.map((s) => this.serviceBasic(s, provider)),
    };
  }

  /** Services, one-to-one fields only; of one organization if asked. */
  async services(ctx: RequestContext, query: HsdsServiceQuery): Promise<HsdsPage> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const q = new SqlParams();
    const where = [this.nameFilter(q, 'p.search_key', query.search)];
    if (query.organization_id) where.push(`s.provider_id = ${q.p(query.organization_id)}::uuid`);
    const from = `FROM provider_service s JOIN provider p ON p.id = s.provider_id WHERE ${where.join(' AND ')}`;
    const total = await this.count(ctx, `SELECT count(*)::int AS n ${from}`, q.values);
    const { limit, offset } = this.window(query);
    const rows: Array<{ id: string; provider_id: string }> = await ctx.em.query(
      `SELECT s.id, s.provider_id ${from} ORDER BY p.search_key, s.position, s.id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`,
      q.values,
    );
    const providerIds = [...new Set(rows.map((r) => r.provider_id))];
    // One after another: the queries share the request's one connection (pg runs one query at a time).
    const providers = await this.providers.byIds(ctx.em, providerIds);
    const services = await this.providers.servicesOf(ctx.em, providerIds);
    return this.page(
      query,
      total,
      rows.map((r) =>
        this.serviceBasic(
          services.find((s) => s.id === r.id)!,
          providers.find((p) => p.id === r.provider_id)!,
        ),
      ),
    );
  }

  /** One service, fully nested: organization, cost, documents, languages, areas, where and when. */
  async service(ctx: RequestContext, id: string): Promise<HsdsObject> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const [row]: Array<{ provider_id: string }> = isUuid(id)
      ? await ctx.em.query(`SELECT provider_id FROM provider_service WHERE id = $1`, [id])
      : [];
    if (!row) throw new NotFoundError('service', id);
    const provider = await this.providers.get(ctx, row.provider_id);
    const { locations, hours, services, areas } = await this.parts(ctx, [provider.id]);
    const service = services.find((s) => s.id === id)!;
    return this.serviceFull(service, provider, locations, hours, areas.get(provider.id) ?? []);
  }

  /** Locations of all providers, by provider name, with address, accessibility and schedules. */
  async locations(ctx: RequestContext, query: HsdsPageQuery): Promise<HsdsPage> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const q = new SqlParams();
    const where = this.nameFilter(q, 'p.search_key', query.search);
    const from = `FROM provider_location l JOIN provider p ON p.id = l.provider_id WHERE ${where}`;
    const total = await this.count(ctx, `SELECT count(*)::int AS n ${from}`, q.values);
    const { limit, offset } = this.window(query);
    const rows: Array<{ id: string; provider_id: string }> = await ctx.em.query(
      `SELECT l.id, l.provider_id ${from} ORDER BY p.search_key, l.position, l.id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`,
      q.values,
    );
    const { providers, locations, hours } = await this.partsOf(
      ctx,
      rows.map((r) => r.provider_id),
    );
    return this.page(
      query,
      total,
      rows.map((r) =>
        this.locationDoc(
          locations.find((l) => l.id === r.id)!,
          providers.find((p) => p.id === r.provider_id)!,
          hours,
        ),
      ),
    );
  }

  /** One location as HSDS describes it. */
  async location(ctx: RequestContext, id: string): Promise<HsdsObject> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const [row]: Array<{ provider_id: string }> = isUuid(id)
      ? await ctx.em.query(`SELECT provider_id FROM provider_location WHERE id = $1`, [id])
      : [];
    if (!row) throw new NotFoundError('location', id);
    const { providers, locations, hours } = await this.partsOf(ctx, [row.provider_id]);
    return this.locationDoc(
      locations.find((l) => l.id === id)!,
      providers[0]!,
      hours,
    );
  }

  /** Each service of a provider at each of its locations, with the location's schedules. */
  async serviceAtLocations(ctx: RequestContext, query: HsdsServiceQuery): Promise<HsdsPage> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const q = new SqlParams();
    const where = [this.nameFilter(q, 'p.search_key', query.search)];
    if (query.organization_id) where.push(`p.id = ${q.p(query.organization_id)}::uuid`);
    const from = `FROM provider_service s JOIN provider p ON p.id = s.provider_id
      JOIN provider_location l ON l.provider_id = p.id WHERE ${where.join(' AND ')}`;
    const total = await this.count(ctx, `SELECT count(*)::int AS n ${from}`, q.values);
    const { limit, offset } = this.window(query);
    const rows: Array<{ service_id: string; location_id: string; provider_id: string }> = await ctx.em.query(
      `SELECT s.id AS service_id, l.id AS location_id, p.id AS provider_id ${from}
        ORDER BY p.search_key, s.position, l.position, s.id, l.id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`,
      q.values,
    );
    const { providers, locations, hours, services } = await this.partsOf(
      ctx,
      rows.map((r) => r.provider_id),
    );
    return this.page(
      query,
      total,
      rows.map((r) =>
        this.serviceAtLocationDoc(
          services.find((s) => s.id === r.service_id)!,
          locations.find((l) => l.id === r.location_id)!,
          providers.find((p) => p.id === r.provider_id)!,
          hours,
          false,
        ),
      ),
    );
  }

  /** One service at one location, found by its derived id (see derivedId). */
  async serviceAtLocation(ctx: RequestContext, id: string): Promise<HsdsObject> {
    ctx.require(Permission.PROVIDER_READ, 'hsds.read');
    const [row]: Array<{ service_id: string; location_id: string; provider_id: string }> = isUuid(id)
      ? await ctx.em.query(
          `SELECT s.id AS service_id, l.id AS location_id, s.provider_id
             FROM provider_service s JOIN provider_location l ON l.provider_id = s.provider_id
            WHERE md5(s.id::text || ':' || l.id::text)::uuid = $1`,
          [id],
        )
      : [];
    if (!row) throw new NotFoundError('service_at_location', id);
    const { providers, locations, hours, services } = await this.partsOf(ctx, [row.provider_id]);
    return this.serviceAtLocationDoc(
      services.find((s) => s.id === row.service_id)!,
      locations.find((l) => l.id === row.location_id)!,
      providers[0]!,
      hours,
      true,
    );
  }

  private async parts(ctx: RequestContext, providerIds: string[]) {
    // One after another: the queries share the request's one connection (pg runs one query at a time).
    const locations = await this.providers.locationsOf(ctx.em, providerIds);
    const services = await this.providers.servicesOf(ctx.em, providerIds);
    const areas = await this.providers.serviceAreasOf(ctx.em, providerIds);
    const hours = await this.providers.hoursOf(
      ctx.em,
      locations.map((l) => l.id),
    );
    return { locations, services, areas, hours };
  }

  private async partsOf(ctx: RequestContext, providerIds: string[]) {
    const ids = [...new Set(providerIds)];
    const providers = await this.providers.byIds(ctx.em, ids);
    const parts = await this.parts(ctx, ids);
    return { providers, ...parts };
  }

  private nameFilter(q: SqlParams, column: string, search: string | undefined): string {
    const key = search ? searchKey(search) : '';
    if (!key) return 'TRUE';
    return `(SELECT bool_and(' ' || ${column} LIKE '% ' || w || '%') FROM unnest(${q.p(key.split(' '))}::text[]) AS w)`;
  }

  private async count(ctx: RequestContext, sql: string, params: unknown[]): Promise<number> {
    const [{ n }] = await ctx.em.query(sql, params);
    return n as number;
  }

  private window(query: HsdsPageQuery): { limit: number; offset: number } {
    const limit = query.per_page ?? DEFAULT_PAGE_SIZE;
    return { limit, offset: ((query.page ?? 1) - 1) * limit };
  }

  private page(query: HsdsPageQuery, total: number, contents: HsdsObject[]): HsdsPage {
    const perPage = query.per_page ?? DEFAULT_PAGE_SIZE;
    const page = query.page ?? 1;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    return {
      total_items: total,
      total_pages: totalPages,
      page_number: page,
      size: contents.length,
      first_page: page === 1,
      last_page: page >= totalPages,
      empty: contents.length === 0,
      contents,
    };
  }

  private organizationBasic(p: Provider): HsdsObject {
    return compact({
      id: p.id,
      name: p.name,
      alternate_name: p.organisation,
      description: p.description ?? p.name,
      email: p.email,
      website: p.website,
      parent_organization_id: p.parentId,
    });
  }

  private phones(p: Provider, extra: Record<string, string> = {}): HsdsObject[] {
    return p.phone
      ? [{ id: derivedId('phone', p.id), organization_id: p.id, number: p.phone, ...extra }]
      : [];
  }

  private schedules(locationId: string, hours: OpeningHours[]): HsdsObject[] {
    return hours
      .filter((h) => h.locationId === locationId)
      .map((h) =>
        compact({
          id: h.id,
          location_id: locationId,
          freq: 'WEEKLY',
          wkst: 'MO',
          byday: BYDAY[h.weekday],
          opens_at: h.opensAt,
          closes_at: h.closesAt,
          valid_from: h.validFrom,
          valid_to: h.validTo,
          description: 'Europe/Athens local time',
        }),
      );
  }

  private locationDoc(l: ProviderLocation, p: Provider, hours: OpeningHours[]): HsdsObject {
    const municipality = this.geography.getMunicipality(l.municipalityCode);
    const region = this.geography.getRegion(municipality.regionCode);
    return compact({
      id: l.id,
      location_type: 'physical',
      organization_id: p.id,
      name: l.name ?? p.name,
      latitude: l.latitude,
      longitude: l.longitude,
      languages: p.languages.map((code) => ({
        id: derivedId('language', l.id, code),
        location_id: l.id,
        code,
      })),
      addresses: [
        {
          id: derivedId('address', l.id),
          location_id: l.id,
          address_1: l.address,
          city: municipality.name,
          region: municipality.oldPrefecture,
          state_province: region.name,
          postal_code: l.postalCode ?? '',
          country: 'GR',
          address_type: 'physical',
        },
      ],
      accessibility: l.accessibility.map((a) => ({
        id: derivedId('accessibility', l.id, a),
        location_id: l.id,
        description: a,
      })),
      phones: this.phones(p, { location_id: l.id }),
      schedules: this.schedules(l.id, hours),
    });
  }

  private serviceBasic(s: OfferedService, p: Provider): HsdsObject {
    return compact({
      id: s.id,
      organization_id: p.id,
      name: s.name,
      description: s.description,
      status: STATUS[p.status],
      eligibility_description: s.eligibility,
      minimum_age: s.minAge,
      maximum_age: s.maxAge,
      fees_description: s.costDescription ?? (s.costAmount === '0.00' ? 'Δωρεάν (free)' : undefined),
      last_modified: p.updatedAt.toISOString(),
    });
  }

  private serviceFull(
    s: OfferedService,
    p: Provider,
    locations: ProviderLocation[],
    hours: OpeningHours[],
    area: string[],
  ): HsdsObject {
    return {
      ...this.serviceBasic(s, p),
      organization: this.organizationBasic(p),
      phones: this.phones(p, { service_id: s.id }),
      cost_options:
        s.costAmount === null
          ? []
          : [
              compact({
                id: derivedId('cost', s.id),
                service_id: s.id,
                currency: 'EUR',
                amount: Number(s.costAmount),
                amount_description: s.costDescription,
              }),
            ],
      required_documents: s.requiredDocuments.map((document, i) => ({
        id: derivedId('document', s.id, String(i)),
        service_id: s.id,
        document,
      })),
      languages: p.languages.map((code) => ({
        id: derivedId('language', s.id, code),
        service_id: s.id,
        code,
      })),
      service_areas: area.map((code) => ({
        id: derivedId('area', s.id, code),
        service_id: s.id,
        name: this.geography.getMunicipality(code).name,
        description: `Municipality ${code} (ELSTAT)`,
      })),
      service_at_locations: locations.map((l) => this.serviceAtLocationDoc(s, l, p, hours, false)),
    };
  }

  private serviceAtLocationDoc(
    s: OfferedService,
    l: ProviderLocation,
    p: Provider,
    hours: OpeningHours[],
    withService: boolean,
  ): HsdsObject {
    return {
      id: derivedId(s.id, l.id),
      service_id: s.id,
      location_id: l.id,
      schedules: this.schedules(l.id, hours),
      location: this.locationDoc(l, p, hours),
      ...(withService ? { service: this.serviceBasic(s, p) } : {}),
    };
  }
}
