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

/** Signs an access token (CLI and development start-up; production tokens come from the identity provider). */
export function signToken(
  config: AppConfig,
  subject: string,
  claims: MitroaClaims,
  ttl = '12h',
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .setJti(randomUUID())
    .sign(jwtSecret(config));
}

function developmentSecret(dataDir: string): string {
  const file = resolve(dataDir, 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
