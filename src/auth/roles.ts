import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  NATIONAL_ADMIN = 'national_admin',
  REGIONAL_OFFICER = 'regional_officer',
  CENTRE_STAFF = 'centre_staff',
  PROVIDER_STAFF = 'provider_staff',
  IMPORT_OPERATOR = 'import_operator',
  AUDITOR = 'auditor',
}

/**
 * What a caller may do. Roles grant permissions; `special_category` is never implied by a role and
 * must be granted on its own (GDPR Art. 9: Roma origin and disability).
 */
export enum Permission {
  PERSON_READ = 'person:read',
  PERSON_WRITE = 'person:write',
  SPECIAL_CATEGORY = 'special_category',
  PROVIDER_READ = 'provider:read',
  PROVIDER_WRITE = 'provider:write',
  PROGRAMME_READ = 'programme:read',
  PROGRAMME_WRITE = 'programme:write',
  REFERRAL_RECEIVE = 'referral:receive',
  IMPORT_RUN = 'import:run',
  AUDIT_READ = 'audit:read',
  API_KEY_MANAGE = 'api_key:manage',
  STATISTICS_READ = 'statistics:read',
  /** Pull the outbox's events of one's own area or provider (GET /api/v1/events). */
  EVENTS_READ = 'events:read',
  /** Manage webhook subscriptions and dead deliveries (national administrators). */
  WEBHOOK_MANAGE = 'webhook:manage',
}

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  [Role.NATIONAL_ADMIN]: [
    Permission.PERSON_READ,
    Permission.PERSON_WRITE,
    Permission.PROVIDER_READ,
    Permission.PROVIDER_WRITE,
    Permission.PROGRAMME_READ,
    Permission.PROGRAMME_WRITE,
    Permission.API_KEY_MANAGE,
    Permission.STATISTICS_READ,
    Permission.EVENTS_READ,
    Permission.WEBHOOK_MANAGE,
    Permission.IMPORT_RUN,
  ],
  [Role.REGIONAL_OFFICER]: [
    Permission.PROVIDER_READ,
    Permission.PROVIDER_WRITE,
    Permission.PROGRAMME_READ,
    Permission.PROGRAMME_WRITE,
    Permission.API_KEY_MANAGE,
    Permission.STATISTICS_READ,
    Permission.EVENTS_READ,
  ],
  [Role.CENTRE_STAFF]: [
    Permission.PERSON_READ,
    Permission.PERSON_WRITE,
    Permission.PROVIDER_READ,
    Permission.PROVIDER_WRITE,
    Permission.PROGRAMME_READ,
  ],
  [Role.PROVIDER_STAFF]: [
    Permission.PROVIDER_READ,
    Permission.PROGRAMME_READ,
    Permission.REFERRAL_RECEIVE,
    Permission.EVENTS_READ,
  ],
  [Role.IMPORT_OPERATOR]: [Permission.IMPORT_RUN, Permission.PROVIDER_READ, Permission.PROGRAMME_READ],
  [Role.AUDITOR]: [Permission.AUDIT_READ, Permission.PROVIDER_READ, Permission.PROGRAMME_READ],
};

/** Permissions a token or key may grant explicitly on top of its roles. */
export const GRANTABLE_PERMISSIONS: Permission[] = [Permission.SPECIAL_CATEGORY];

registerEnumType(Role, { name: 'Role', description: 'What kind of user or system is calling' });
registerEnumType(Permission, { name: 'Permission' });
