import type { AreaScope } from './area-scope.js';
import { Permission, ROLE_PERMISSIONS, type Role } from './roles.js';

/**
 * Who is calling: a person with a token, a regional system with an API key, the service itself,
 * (directory reads only, see anonymous-directory.ts) someone without an account, or the holder of
 * a referral link (one referral, see src/referrals/referral-links.service.ts).
 */
export interface Actor {
  /**
   * Stable identifier: the token's `sub`, `api-key:<id>`, `system:<job>`, `anonymous:<address>` or
   * `referral-link:<id>`. Never a person's name.
   */
  id: string;
  kind: 'user' | 'api_key' | 'system' | 'anonymous' | 'referral_link';
  roles: Role[];
  permissions: ReadonlySet<Permission>;
  scope: AreaScope;
  /** A referral link (src/referrals/referral-links.service.ts): the one referral it may see and answer. */
  link?: { id: string; referralId: string };
}

export function permissionsOf(roles: Role[], extra: Permission[] = []): Set<Permission> {
  return new Set([...roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []), ...extra]);
}

/** The actor for the command line and jobs, which act for the whole country. */
export function systemActor(job: string, extra: Permission[] = []): Actor {
  return {
    id: `system:${job}`,
    kind: 'system',
    roles: [],
    permissions: new Set([...Object.values(Permission), ...extra]),
    scope: { level: 'national' },
  };
}
