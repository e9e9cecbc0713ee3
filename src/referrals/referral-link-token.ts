import { jwtVerify, SignJWT } from 'jose';
import { developmentSecret } from '../auth/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { isUuid } from '../common/validators.js';

/** The audience of a link's token: it is never an access token (and has its own key besides). */
const AUDIENCE = 'mitroa-referral-link';

/**
 * A request path with a referral link's token replaced by `:token`, for log lines: the token is
 * the link's credential (`/api/v1/referral-links/{token}/...` and the page `/r/{token}`).
 */
export function withoutLinkToken(path: string): string {
  return path.replace(/^(\/api\/v1\/referral-links\/|\/r\/)[^/?]+/i, '$1:token');
}

/** What a verified link token names; whether the link still stands is the database's to say. */
export interface LinkClaims {
  /** The referral_link row (the token's jti). */
  linkId: string;
  /** The referral (the token's sub). */
  referralId: string;
}

/**
 * Signs and verifies the token of a referral link: a compact JWS (HS256) whose jti is the link's
 * id, sub its referral and exp its expiry. The key is REFERRAL_LINK_SECRET (development and tests:
 * a random one kept in DATA_DIR), never JWT_SECRET.
 */
export class ReferralLinkTokens {
  private readonly key: Uint8Array;

  constructor(config: AppConfig) {
    this.key = new TextEncoder().encode(
      config.REFERRAL_LINK_SECRET ?? developmentSecret(config.DATA_DIR, 'dev-referral-link-secret'),
    );
  }

  sign(linkId: string, referralId: string, expiresAt: Date, issuedAt = new Date()): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setJti(linkId)
      .setSubject(referralId)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  /** The claims of a token signed with our key and not expired; undefined for anything else. */
  async verify(token: string): Promise<LinkClaims | undefined> {
    if (token.length > 1000) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['jti', 'sub', 'exp'],
      });
      const { jti, sub } = payload;
      if (typeof jti !== 'string' || typeof sub !== 'string' || !isUuid(jti) || !isUuid(sub))
        return undefined;
      return { linkId: jti.toLowerCase(), referralId: sub.toLowerCase() };
    } catch {
      return undefined;
    }
  }
}
