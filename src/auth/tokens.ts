import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import type { MitroaClaims } from './auth.service.js';

/**
 * The HS256 key. Without JWT_SECRET (development and tests only; production refuses to start), a
 * random secret is kept in DATA_DIR so that tokens from the CLI and from `npm start` agree and
 * survive restarts.
 */
export function jwtSecret(config: AppConfig): Uint8Array {
  return new TextEncoder().encode(config.JWT_SECRET ?? developmentSecret(config.DATA_DIR));
}

/**
 * Signs an access token (CLI and development start-up; production tokens come from the identity
 * provider). A lifetime above JWT_MAX_TTL_SECONDS is refused here, since the service would refuse
 * the token anyway.
 */
export async function signToken(
  config: AppConfig,
  subject: string,
  claims: MitroaClaims,
  ttl: string | number = '12h',
): Promise<string> {
  const seconds = ttlSeconds(ttl);
  if (seconds > config.JWT_MAX_TTL_SECONDS)
    throw new RangeError(`A token may live at most JWT_MAX_TTL_SECONDS (${config.JWT_MAX_TTL_SECONDS} s).`);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .setJti(randomUUID())
    .sign(jwtSecret(config));
}

/** "90s", "15m", "12h", "1d" or a number of seconds. */
export function ttlSeconds(ttl: string | number): number {
  if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl > 0) return ttl;
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(String(ttl).trim());
  if (!match || Number(match[1]) === 0)
    throw new RangeError(`A token lifetime must look like 90s, 15m, 12h or 1d, not "${String(ttl)}".`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * A random secret kept in DATA_DIR under `name`, made on first use: development and tests only
 * (production refuses to start without the setting it stands in for).
 */
export function developmentSecret(dataDir: string, name = 'dev-jwt-secret'): string {
  const file = resolve(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
