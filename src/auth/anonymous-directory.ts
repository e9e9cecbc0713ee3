import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Actor } from './actor.js';
import { Permission } from './roles.js';

/**
 * The REST routes of the public directory: providers, programmes, their reference lists, the Open
 * Referral HSDS view and geography. None of them returns personal data, and Open Referral directories
 * are read without an account, so a GET without any credential is served as the anonymous actor
 * (unless DIRECTORY_REQUIRES_TOKEN). Everything else, GraphQL included, still needs a credential.
 * Case-insensitive like Express's own routing. `/api/v1` is REST_PREFIX (app.factory.ts).
 */
const DIRECTORY_PATH =
  /^\/api\/v1\/(providers|provider-kinds|service-categories|target-groups|programmes|hsds|geography)(\/|$)/i;

export function isDirectoryPath(path: string): boolean {
  return DIRECTORY_PATH.test(path);
}

/** A read of the directory that carries no credential at all (a bad credential is still a 401). */
export function isAnonymousDirectoryRead(req: Request): boolean {
  return (
    req.method === 'GET' &&
    !req.header('authorization') &&
    !req.header('x-api-key') &&
    isDirectoryPath(req.originalUrl.split('?')[0]!)
  );
}

/**
 * Whoever reads the directory without an account: directory reads and nothing else, no area. The id
 * carries the client's address (an IPv6 address by its /56), so that the per-caller rate limit counts
 * anonymous callers per address, as it does for every caller without an identity.
 */
export function anonymousActor(req: Request): Actor {
  return {
    id: `anonymous:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    kind: 'anonymous',
    roles: [],
    permissions: new Set([Permission.PROVIDER_READ, Permission.PROGRAMME_READ]),
    scope: { level: 'none', municipalityCodes: [] },
  };
}
