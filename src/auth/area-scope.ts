/**
 * The part of the country a caller works in, resolved to municipality codes when the caller is
 * authenticated. Services apply it inside the SQL that reads rows (rule 2), never afterwards.
 */
export type AreaScope =
  | { level: 'national' }
  | { level: 'region'; regionCode: string; municipalityCodes: string[] }
  | { level: 'centre'; centreId?: string; municipalityCodes: string[] }
  | { level: 'provider'; providerId: string; municipalityCodes: string[] }
  | { level: 'none'; municipalityCodes: string[] };

export function coversMunicipality(scope: AreaScope, municipalityCode: string): boolean {
  return scope.level === 'national' || scope.municipalityCodes.includes(municipalityCode);
}

export function coversRegion(scope: AreaScope, regionCode: string): boolean {
  return scope.level === 'national' || (scope.level === 'region' && scope.regionCode === regionCode);
}

/**
 * A SQL predicate restricting `column` (a municipality code) to the scope, with its parameter.
 * `paramIndex` is the $n placeholder to use; national scope adds no parameter.
 */
export function municipalityPredicate(
  scope: AreaScope,
  column: string,
  paramIndex: number,
): { sql: string; params: unknown[] } {
  if (scope.level === 'national') return { sql: 'TRUE', params: [] };
  return { sql: `${column} = ANY($${paramIndex}::text[])`, params: [scope.municipalityCodes] };
}

/** The same predicate for TypeORM query builders, with a named parameter. */
export function municipalityWhere(
  scope: AreaScope,
  column: string,
): { sql: string; params: Record<string, unknown> } {
  if (scope.level === 'national') return { sql: 'TRUE', params: {} };
  return {
    sql: `${column} = ANY(:scopeMunicipalities)`,
    params: { scopeMunicipalities: scope.municipalityCodes },
  };
}
