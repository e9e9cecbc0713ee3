import type { EntityManager } from 'typeorm';
import { readRows } from '../database/query-rows.js';
import { OfferedService, OpeningHours, ProviderLocation } from './provider.entity.js';

/**
 * A provider's relations as the directory reads them, each defined once as a JSON object of the
 * API's field names: the loaders read them by batch (servicesOf, locationsOf, hoursOf) and a
 * search brings them with the page in the same statement (`included`, issue 9), with the same
 * columns, order and formatting.
 */

/** An offered service `s` (provider_service), as OfferedService's fields. */
const SERVICE_JSON = `json_build_object('id', s.id, 'providerId', s.provider_id, 'name', s.name,
  'description', s.description, 'categoryCode', s.category_code, 'targetGroups', s.target_groups,
  'minAge', s.min_age, 'maxAge', s.max_age, 'eligibility', s.eligibility,
  'requiredDocuments', s.required_documents, 'costAmount', s.cost_amount::text,
  'costDescription', s.cost_description, 'position', s.position)`;
const SERVICE_ORDER = 's.position';

/** Weekly opening hours `h`, as HH:MM and dates as YYYY-MM-DD. */
const HOURS_JSON = `json_build_object('id', h.id, 'locationId', h.location_id, 'weekday', h.weekday,
  'opensAt', to_char(h.opens_at, 'HH24:MI'), 'closesAt', to_char(h.closes_at, 'HH24:MI'),
  'validFrom', to_char(h.valid_from, 'YYYY-MM-DD'), 'validTo', to_char(h.valid_to, 'YYYY-MM-DD'))`;
const HOURS_ORDER = 'h.weekday, h.opens_at, h.valid_from NULLS FIRST';

/** A location `l` (provider_location); with `hours`, its opening hours as `openingHours`. */
function locationJson(hours: boolean): string {
  return `json_build_object('id', l.id, 'providerId', l.provider_id, 'name', l.name, 'address', l.address,
  'postalCode', l.postal_code, 'municipalityCode', l.municipality_code, 'latitude', l.latitude,
  'longitude', l.longitude, 'accessibility', l.accessibility, 'position', l.position${
    hours
      ? `, 'openingHours', (SELECT coalesce(json_agg(${HOURS_JSON} ORDER BY ${HOURS_ORDER}), '[]')
          FROM opening_hours h WHERE h.location_id = l.id)`
      : ''
  })`;
}
const LOCATION_ORDER = 'l.position';

type Json<T> = { [K in keyof T]: T[K] };

export const toService = (j: Json<OfferedService>): OfferedService => Object.assign(new OfferedService(), j);
export const toHours = (j: Json<OpeningHours>): OpeningHours => Object.assign(new OpeningHours(), j);
export const toLocation = (j: Json<ProviderLocation>): ProviderLocation =>
  Object.assign(new ProviderLocation(), j);

/** Services of providers, in their given order. */
export async function servicesOf(
  em: EntityManager,
  providerIds: readonly string[],
): Promise<OfferedService[]> {
  const rows = await readRows<{ j: Json<OfferedService> }>(
    em,
    `SELECT ${SERVICE_JSON} AS j FROM provider_service s WHERE s.provider_id = ANY($1::uuid[]) ORDER BY ${SERVICE_ORDER}`,
    [[...providerIds]],
  );
  return rows.map((r) => toService(r.j));
}

/** Locations of providers, in their given order. */
export async function locationsOf(
  em: EntityManager,
  providerIds: readonly string[],
): Promise<ProviderLocation[]> {
  const rows = await readRows<{ j: Json<ProviderLocation> }>(
    em,
    `SELECT ${locationJson(false)} AS j FROM provider_location l WHERE l.provider_id = ANY($1::uuid[]) ORDER BY ${LOCATION_ORDER}`,
    [[...providerIds]],
  );
  return rows.map((r) => toLocation(r.j));
}

/** Opening hours of locations, by weekday and time. */
export async function hoursOf(em: EntityManager, locationIds: readonly string[]): Promise<OpeningHours[]> {
  const rows = await readRows<{ j: Json<OpeningHours> }>(
    em,
    `SELECT ${HOURS_JSON} AS j FROM opening_hours h WHERE h.location_id = ANY($1::uuid[]) ORDER BY ${HOURS_ORDER}`,
    [[...locationIds]],
  );
  return rows.map((r) => toHours(r.j));
}

/** Relations a directory search brings with its page, chosen from the GraphQL selection. */
export interface ProviderIncludes {
  services: boolean;
  locations: boolean;
  /** The locations' opening hours (only with `locations`). */
  openingHours: boolean;
}

/** The columns a page of providers `p` adds for `include`: one JSON array per relation. */
export function includedColumns(include: ProviderIncludes): string[] {
  const columns: string[] = [];
  if (include.services)
    columns.push(`(SELECT coalesce(json_agg(${SERVICE_JSON} ORDER BY ${SERVICE_ORDER}), '[]')
      FROM provider_service s WHERE s.provider_id = p.id) AS included_services`);
  if (include.locations)
    columns.push(`(SELECT coalesce(json_agg(${locationJson(include.openingHours)} ORDER BY ${LOCATION_ORDER}), '[]')
      FROM provider_location l WHERE l.provider_id = p.id) AS included_locations`);
  return columns;
}

export interface IncludedProviderColumns {
  included_services?: Array<Json<OfferedService>>;
  included_locations?: Array<Json<ProviderLocation> & { openingHours?: Array<Json<OpeningHours>> }>;
}

/** The relations read with a provider of a page (ProviderLoaders.prime). */
export interface IncludedProviderRelations {
  services?: OfferedService[];
  locations?: ProviderLocation[];
  /** Opening hours by location id. */
  hours?: Map<string, OpeningHours[]>;
}

const INCLUDED = new WeakMap<object, IncludedProviderRelations>();

export function includedWithProvider(provider: object): IncludedProviderRelations | undefined {
  return INCLUDED.get(provider);
}

/** `provider` with the relations read in its row (includedColumns). */
export function attachIncluded<P extends object>(provider: P, row: IncludedProviderColumns): P {
  const included: IncludedProviderRelations = {};
  if (row.included_services) included.services = row.included_services.map(toService);
  if (row.included_locations) {
    included.locations = row.included_locations.map(({ openingHours, ...l }) => {
      if (openingHours) (included.hours ??= new Map()).set(l.id, openingHours.map(toHours));
      return toLocation(l);
    });
  }
  if (included.services || included.locations) INCLUDED.set(provider, included);
  return provider;
}
