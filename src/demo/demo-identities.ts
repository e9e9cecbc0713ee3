import type { MitroaClaims } from '../auth/auth.service.js';
import { Permission, Role } from '../auth/roles.js';

/**
 * The demo identities printed by `npm start` in development: one per role, placed in the
 * municipalities of the seed documents. Names are descriptions, not people. Provider staff need an
 * existing provider (the first demo provider), so without one there is no provider_staff token.
 */
export function demoTokenClaims(
  providerId?: string,
): Array<[label: string, subject: string, claims: MitroaClaims]> {
  const providerStaff: Array<[string, string, MitroaClaims]> = providerId
    ? [['provider_staff', 'demo-provider', { roles: [Role.PROVIDER_STAFF], provider: providerId }]]
    : [];
  return [
    ['national_admin', 'demo-national-admin', { roles: [Role.NATIONAL_ADMIN] }],
    ['regional_officer (Attica, 9)', 'demo-attica-officer', { roles: [Role.REGIONAL_OFFICER], region: '9' }],
    [
      'centre_staff (Spata-Artemida+Kropia)',
      'demo-spata-centre',
      { roles: [Role.CENTRE_STAFF], municipalities: ['4912', '4904'] },
    ],
    [
      'centre_staff + special category',
      'demo-spata-social-worker',
      {
        roles: [Role.CENTRE_STAFF],
        municipalities: ['4912', '4904'],
        permissions: [Permission.SPECIAL_CATEGORY],
      },
    ],
    [
      'centre_staff (Alexandreia)',
      'demo-alexandreia-centre',
      { roles: [Role.CENTRE_STAFF], municipalities: ['0802'] },
    ],
    ...providerStaff,
    ['import_operator', 'demo-import-operator', { roles: [Role.IMPORT_OPERATOR] }],
    ['auditor', 'demo-auditor', { roles: [Role.AUDITOR] }],
  ];
}
