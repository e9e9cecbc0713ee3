import { Role } from './roles.js';

/** The claims that say where a caller works (docs/security.md, "Token claims"). */
export type AreaClaim = 'region' | 'municipalities' | 'provider';

/**
 * Each role and the one area claim it needs; national roles need none. A credential is refused
 * unless its claims are exactly what its roles need: an area-bound role without its claim, a claim
 * that none of its roles needs (a centre_staff token with `region`), or two kinds of area. Tokens and
 * API keys both go through this table.
 */
export const AREA_CLAIM_OF_ROLE: Readonly<Record<Role, AreaClaim | null>> = {
  [Role.NATIONAL_ADMIN]: null,
  [Role.AUDITOR]: null,
  [Role.IMPORT_OPERATOR]: null,
  [Role.REGIONAL_OFFICER]: 'region',
  [Role.CENTRE_STAFF]: 'municipalities',
  [Role.PROVIDER_STAFF]: 'provider',
};

/** `centre` is optional and goes with `municipalities` only. */
const COMPANION: Partial<Record<string, AreaClaim>> = { centre: 'municipalities' };

export interface AreaClaims {
  region?: unknown;
  municipalities?: unknown;
  provider?: unknown;
  centre?: unknown;
}

export type AreaCheck = { ok: true; area: AreaClaim | 'national' } | { ok: false; why: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MUNICIPALITIES = 400;

/**
 * Checks roles against area claims and the claims' shapes; whether the named region,
 * municipalities or provider exist is for the caller to check (it needs the database).
 */
export function checkAreaClaims(roles: readonly Role[], claims: AreaClaims): AreaCheck {
  const refuse = (why: string): AreaCheck => ({ ok: false, why });
  const needed = [...new Set(roles.map((r) => AREA_CLAIM_OF_ROLE[r]).filter((c) => c !== null))];
  const present = (['region', 'municipalities', 'provider'] as const).filter((c) => claims[c] !== undefined);
  if (needed.length > 1)
    return refuse(
      `The roles ${roles.join(', ')} need different areas (${needed.join(', ')}); a credential has one.`,
    );
  if (present.length > 1)
    return refuse(`The credential names more than one kind of area (${present.join(', ')}).`);
  for (const [companion, owner] of Object.entries(COMPANION)) {
    if (claims[companion as keyof AreaClaims] !== undefined && needed[0] !== owner)
      return refuse(`The claim "${companion}" belongs to centre_staff with municipalities only.`);
  }
  const need = needed[0];
  const has = present[0];
  if (has && has !== need)
    return refuse(`The claim "${has}" is needed by none of the roles ${roles.join(', ')}.`);
  if (!need) return { ok: true, area: 'national' };
  if (!has) {
    const role = roles.find((r) => AREA_CLAIM_OF_ROLE[r] === need);
    return refuse(`The role ${role} needs the claim "${need}".`);
  }
  const shapeProblem = shapeOf(need, claims);
  return shapeProblem ? refuse(shapeProblem) : { ok: true, area: need };
}

function shapeOf(claim: AreaClaim, claims: AreaClaims): string | undefined {
  switch (claim) {
    case 'region':
      return typeof claims.region === 'string' && /^(1[0-3]|[1-9])$/.test(claims.region)
        ? undefined
        : 'The claim "region" must be a region code from 1 to 13.';
    case 'municipalities': {
      const codes = claims.municipalities;
      if (
        !Array.isArray(codes) ||
        codes.length === 0 ||
        codes.length > MAX_MUNICIPALITIES ||
        !codes.every((c) => typeof c === 'string' && /^\d{4}$/.test(c))
      )
        return 'The claim "municipalities" must be a non-empty list of municipality codes.';
      if (claims.centre !== undefined && !(typeof claims.centre === 'string' && UUID.test(claims.centre)))
        return 'The claim "centre" must be the id (a uuid) of a provider.';
      return undefined;
    }
    case 'provider':
      return typeof claims.provider === 'string' && UUID.test(claims.provider)
        ? undefined
        : 'The claim "provider" must be the id (a uuid) of a provider.';
  }
}
