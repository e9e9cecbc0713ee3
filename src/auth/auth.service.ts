import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AccessErrorCode } from '../common/domain-error.js';
import { GeographyService } from '../geography/geography.service.js';
import { permissionsOf, type Actor } from './actor.js';
import { checkAreaClaims } from './area-claims.js';
import type { AreaScope } from './area-scope.js';
import { AuthFailureReason, CredentialError } from './auth.errors.js';
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

const API_KEY_PATTERN = /^mitroa_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
/** Providers named by credentials that exist; a provider is not deleted in normal operation. */
const PROVIDER_CACHE_MS = 5 * 60_000;
const PROVIDER_CACHE_SIZE = 10_000;
/** Verified tokens kept (by hash), each until its expiry but at most this long. */
const TOKEN_CACHE_MS = 5 * 60_000;
const TOKEN_CACHE_SIZE = 5_000;

/**
 * Turns credentials into an Actor: bearer JWTs (HS256 with our secret, or an OIDC issuer's keys) and
 * API keys of regional systems. Every failure is a 401 that says what to fix, never why a key failed
 * in detail (that would help guessing).
 */
@Injectable()
export class AuthService {
  private readonly secret: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;
  private readonly knownProviders = new Map<string, number>();
  /** sha256 of a verified token -> its actor and when to verify it again; oldest first (LRU). */
  private readonly verifiedTokens = new Map<string, { actor: Actor; until: number }>();

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
      throw new CredentialError(
        AuthFailureReason.NO_CREDENTIAL,
        'Authentication required: send "Authorization: Bearer <token>" or an "X-Api-Key" header.',
        AccessErrorCode.UNAUTHENTICATED,
      );
    }
    const [scheme, credential] = authorization.split(' ', 2);
    if (scheme?.toLowerCase() === 'apikey' && credential) return this.authenticateApiKey(credential);
    if (scheme?.toLowerCase() !== 'bearer' || !credential) {
      throw new CredentialError(
        AuthFailureReason.MALFORMED_HEADER,
        'The Authorization header must be "Bearer <token>".',
      );
    }
    return this.authenticateToken(credential);
  }

  /**
   * A token seen before is not verified again until it expires (at most TOKEN_CACHE_MS): a client
   * sends the same token with every request, and verifying it cost 8% of a read's CPU. Keyed by
   * the token's hash, so the cache holds no credential; failures are never cached.
   */
  private async authenticateToken(token: string): Promise<Actor> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = this.verifiedTokens.get(key);
    if (cached && cached.until > now) {
      this.verifiedTokens.delete(key);
      this.verifiedTokens.set(key, cached);
      return cached.actor;
    }
    if (cached) this.verifiedTokens.delete(key);
    const { actor, expiresAt } = await this.verifyToken(token);
    if (this.verifiedTokens.size >= TOKEN_CACHE_SIZE)
      this.verifiedTokens.delete(this.verifiedTokens.keys().next().value!);
    this.verifiedTokens.set(key, { actor, until: Math.min(expiresAt * 1000, now + TOKEN_CACHE_MS) });
    return actor;
  }

  private async verifyToken(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      payload = await this.verify(token);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw expired
        ? new CredentialError(AuthFailureReason.TOKEN_EXPIRED, 'The access token has expired: sign in again.')
        : new CredentialError(AuthFailureReason.TOKEN_INVALID, 'The access token is not valid.');
    }
    this.checkLifetime(payload);
    if (!payload.sub)
      throw new CredentialError(AuthFailureReason.TOKEN_WITHOUT_SUBJECT, 'The access token has no subject.');
    const claims = payload as JWTPayload & Partial<MitroaClaims>;
    const roles = this.parseRoles(claims.roles);
    const extra = this.parsePermissions(claims.permissions);
    const actor: Actor = {
      id: payload.sub,
      kind: 'user',
      roles,
      permissions: permissionsOf(roles, extra),
      scope: await this.scopeOf(roles, claims),
    };
    // checkLifetime made sure that exp is a number.
    return { actor, expiresAt: payload.exp as number };
  }

  /**
   * A token must expire, and within JWT_MAX_TTL_SECONDS of when it was issued and of now (a token
   * issued "in the future" must not outlive the limit either). HS256 and OIDC tokens alike.
   */
  private checkLifetime(payload: JWTPayload): void {
    const max = this.config.JWT_MAX_TTL_SECONDS;
    if (typeof payload.exp !== 'number') {
      throw new CredentialError(
        AuthFailureReason.TOKEN_WITHOUT_EXPIRY,
        'The access token has no expiry (exp): tokens must expire.',
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const issued = typeof payload.iat === 'number' ? payload.iat : now;
    if (payload.exp - issued > max || payload.exp - now > max) {
      throw new CredentialError(
        AuthFailureReason.TOKEN_LIFETIME_TOO_LONG,
        `The access token is valid for longer than this service accepts (${max} s): ask for a shorter-lived token.`,
      );
    }
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
      throw new CredentialError(
        AuthFailureReason.BAD_ROLES,
        `The credential's roles must be a non-empty list of: ${known.join(', ')}.`,
      );
    }
    return value as Role[];
  }

  private parsePermissions(value: unknown): Permission[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((p) => (GRANTABLE_PERMISSIONS as string[]).includes(p))) {
      throw new CredentialError(
        AuthFailureReason.BAD_PERMISSIONS,
        `Only these permissions can be granted explicitly: ${GRANTABLE_PERMISSIONS.join(', ')}.`,
      );
    }
    return value as Permission[];
  }

  /**
   * The area the claims describe, after checking them against the roles (AREA_CLAIM_OF_ROLE) and
   * that the region, municipalities and provider they name exist.
   */
  async scopeOf(roles: Role[], claims: Partial<MitroaClaims>): Promise<AreaScope> {
    const check = checkAreaClaims(roles, claims);
    if (!check.ok) throw new CredentialError(AuthFailureReason.BAD_AREA_CLAIMS, check.why);
    const unknown = (why: string) => new CredentialError(AuthFailureReason.UNKNOWN_AREA, why);
    switch (check.area) {
      case 'national':
        return { level: 'national' };
      case 'region': {
        const region = claims.region!;
        if (!this.geography.findRegion(region))
          throw unknown('The credential names a region that does not exist.');
        return {
          level: 'region',
          regionCode: region,
          municipalityCodes: this.geography.municipalityCodesOfRegion(region),
        };
      }
      case 'municipalities': {
        const codes = claims.municipalities!;
        if (!codes.every((c) => this.geography.findMunicipality(c)))
          throw unknown('The credential names municipalities that do not exist.');
        if (claims.centre !== undefined && !(await this.providerExists(claims.centre)))
          throw unknown('The credential names a centre that does not exist.');
        return { level: 'centre', centreId: claims.centre, municipalityCodes: [...new Set(codes)] };
      }
      case 'provider': {
        if (!(await this.providerExists(claims.provider!)))
          throw unknown('The credential names a provider that does not exist.');
        return { level: 'provider', providerId: claims.provider!, municipalityCodes: [] };
      }
    }
  }

  /** Whether a provider exists; found ids are remembered for a while (a token is used many times). */
  private async providerExists(id: string): Promise<boolean> {
    const seen = this.knownProviders.get(id);
    if (seen !== undefined && seen > Date.now()) return true;
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM provider WHERE id = $1', [id]);
    if (rows.length === 0) return false;
    if (this.knownProviders.size >= PROVIDER_CACHE_SIZE) this.knownProviders.clear();
    this.knownProviders.set(id, Date.now() + PROVIDER_CACHE_MS);
    return true;
  }

  /** Signs an HS256 access token (CLI and development start-up). */
  issueToken(subject: string, claims: MitroaClaims, ttl: string | number = '12h'): Promise<string> {
    return signToken(this.config, subject, claims, ttl);
  }

  private async authenticateApiKey(key: string): Promise<Actor> {
    const invalid = (reason: AuthFailureReason) =>
      new CredentialError(reason, 'The API key is not valid, has expired or was revoked.');
    const match = API_KEY_PATTERN.exec(key.trim());
    if (!match) throw invalid(AuthFailureReason.API_KEY_MALFORMED);
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
    if (!row) throw invalid(AuthFailureReason.API_KEY_UNKNOWN);
    if (!timingSafeEqual(row.secret_hash, hashSecret(match[2]!)))
      throw invalid(AuthFailureReason.API_KEY_WRONG_SECRET);
    const roles = row.roles;
    return {
      id: `api-key:${id}`,
      kind: 'api_key',
      roles,
      permissions: permissionsOf(roles, row.permissions),
      scope: await this.scopeOf(roles, { region: row.region_code ?? undefined }),
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
