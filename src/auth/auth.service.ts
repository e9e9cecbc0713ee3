import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AccessErrorCode, AuthenticationError } from '../common/domain-error.js';
import { GeographyService } from '../geography/geography.service.js';
import { permissionsOf, type Actor } from './actor.js';
import type { AreaScope } from './area-scope.js';
import { GRANTABLE_PERMISSIONS, Permission, Role } from './roles.js';
import { jwtSecret, signToken } from './tokens.js';

/** Claims of a mitroa access token, besides the registered ones (sub, iss, aud, exp). */
export interface MitroaClaims {
  roles: Role[];
  /** Region code (1..13) of a regional officer. */
  region?: string;
  /** Municipality codes a community centre serves: its own and its branches' service areas. */
  municipalities?: string[];
  /** The community centre (provider id) of centre staff. */
  centre?: string;
  /** The provider of provider staff. */
  provider?: string;
  /** Extra grants, e.g. special_category. */
  permissions?: Permission[];
}

const NATIONAL_ROLES = [Role.NATIONAL_ADMIN, Role.AUDITOR, Role.IMPORT_OPERATOR];
const API_KEY_PATTERN = /^mitroa_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/**
 * Turns credentials into an Actor: bearer JWTs (HS256 with our secret, or an OIDC issuer's keys) and
 * API keys of regional systems. Every failure is a 401 that says what to fix, never why a key failed
 * in detail (that would help guessing).
 */
@Injectable()
export class AuthService {
  private readonly secret: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly geography: GeographyService,
    private readonly dataSource: DataSource,
  ) {
    this.secret = jwtSecret(config);
    if (config.OIDC_JWKS_URL) this.jwks = createRemoteJWKSet(new URL(config.OIDC_JWKS_URL));
  }

  async authenticate(authorization: string | undefined, apiKeyHeader: string | undefined): Promise<Actor> {
    if (apiKeyHeader) return this.authenticateApiKey(apiKeyHeader);
    if (!authorization) {
      throw new AuthenticationError(
        AccessErrorCode.UNAUTHENTICATED,
        'Authentication required: send "Authorization: Bearer <token>" or an "X-Api-Key" header.',
      );
    }
    const [scheme, credential] = authorization.split(' ', 2);
    if (scheme?.toLowerCase() === 'apikey' && credential) return this.authenticateApiKey(credential);
    if (scheme?.toLowerCase() !== 'bearer' || !credential) {
      throw new AuthenticationError(
        AccessErrorCode.INVALID_CREDENTIALS,
        'The Authorization header must be "Bearer <token>".',
      );
    }
    return this.authenticateToken(credential);
  }

  private async authenticateToken(token: string): Promise<Actor> {
    let payload: JWTPayload;
    try {
      payload = await this.verify(token);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new AuthenticationError(
        AccessErrorCode.INVALID_CREDENTIALS,
        expired ? 'The access token has expired: sign in again.' : 'The access token is not valid.',
      );
    }
    if (!payload.sub)
      throw new AuthenticationError(AccessErrorCode.INVALID_CREDENTIALS, 'The access token has no subject.');
    const claims = payload as JWTPayload & Partial<MitroaClaims>;
    const roles = this.parseRoles(claims.roles);
    const extra = this.parsePermissions(claims.permissions);
    return {
      id: payload.sub,
      kind: 'user',
      roles,
      permissions: permissionsOf(roles, extra),
      scope: this.scopeOf(roles, claims),
    };
  }

  private async verify(token: string): Promise<JWTPayload> {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString() || '{}') as {
      alg?: string;
    };
    if (header.alg === 'HS256') {
      return (
        await jwtVerify(token, this.secret, {
          algorithms: ['HS256'],
          issuer: this.config.JWT_ISSUER,
          audience: this.config.JWT_AUDIENCE,
        })
      ).payload;
    }
    if (!this.jwks) throw new Error('no OIDC issuer configured');
    return (
      await jwtVerify(token, this.jwks, {
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        issuer: this.config.OIDC_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      })
    ).payload;
  }

  private parseRoles(value: unknown): Role[] {
    const known = Object.values(Role) as string[];
    if (!Array.isArray(value) || value.length === 0 || !value.every((r) => known.includes(r))) {
      throw new AuthenticationError(
        AccessErrorCode.INVALID_CREDENTIALS,
        `The credential's roles must be a non-empty list of: ${known.join(', ')}.`,
      );
    }
    return value as Role[];
  }

  private parsePermissions(value: unknown): Permission[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((p) => (GRANTABLE_PERMISSIONS as string[]).includes(p))) {
      throw new AuthenticationError(
        AccessErrorCode.INVALID_CREDENTIALS,
        `Only these permissions can be granted explicitly: ${GRANTABLE_PERMISSIONS.join(', ')}.`,
      );
    }
    return value as Permission[];
  }

  /** The narrowest area the claims describe; a role that needs an area but names none is refused. */
  scopeOf(roles: Role[], claims: Partial<MitroaClaims>): AreaScope {
    const invalid = (why: string) => new AuthenticationError(AccessErrorCode.INVALID_CREDENTIALS, why);
    if (claims.municipalities !== undefined) {
      const codes = claims.municipalities;
      if (
        !Array.isArray(codes) ||
        codes.length === 0 ||
        !codes.every((c) => typeof c === 'string' && this.geography.findMunicipality(c))
      ) {
        throw invalid('The credential names municipalities that do not exist.');
      }
      return { level: 'centre', centreId: claims.centre, municipalityCodes: [...new Set(codes)] };
    }
    if (claims.region !== undefined) {
      if (typeof claims.region !== 'string' || !this.geography.findRegion(claims.region))
        throw invalid('The credential names a region that does not exist.');
      return {
        level: 'region',
        regionCode: claims.region,
        municipalityCodes: this.geography.municipalityCodesOfRegion(claims.region),
      };
    }
    if (claims.provider !== undefined) {
      if (typeof claims.provider !== 'string') throw invalid('The credential names no valid provider.');
      return { level: 'provider', providerId: claims.provider, municipalityCodes: [] };
    }
    if (roles.some((r) => NATIONAL_ROLES.includes(r))) return { level: 'national' };
    throw invalid(`The roles ${roles.join(', ')} need an area: a region, municipalities or a provider.`);
  }

  /** Signs an HS256 access token (CLI and development start-up). */
  issueToken(subject: string, claims: MitroaClaims, ttl = '12h'): Promise<string> {
    return signToken(this.config, subject, claims, ttl);
  }

  private async authenticateApiKey(key: string): Promise<Actor> {
    const invalid = new AuthenticationError(
      AccessErrorCode.INVALID_CREDENTIALS,
      'The API key is not valid, has expired or was revoked.',
    );
    const match = API_KEY_PATTERN.exec(key.trim());
    if (!match) throw invalid;
    const id = uuidFromHex(match[1]!);
    const rows: Array<{
      secret_hash: Buffer;
      roles: Role[];
      permissions: Permission[];
      region_code: string | null;
    }> = await this.dataSource.query(
      `SELECT secret_hash, roles, permissions, region_code FROM api_key
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [id],
    );
    const row = rows[0];
    if (!row || !timingSafeEqual(row.secret_hash, hashSecret(match[2]!))) throw invalid;
    const roles = row.roles;
    return {
      id: `api-key:${id}`,
      kind: 'api_key',
      roles,
      permissions: permissionsOf(roles, row.permissions),
      scope: this.scopeOf(roles, { region: row.region_code ?? undefined }),
    };
  }
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** A new API key: the id is public, the secret is shown once and only its hash is kept. */
export function generateApiKey(): { id: string; secret: string; key: string } {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `mitroa_${id.replace(/-/g, '')}_${secret}` };
}

function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
