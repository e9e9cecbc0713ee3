import { AREA_CLAIM_OF_ROLE, checkAreaClaims } from './area-claims.js';
import { Role } from './roles.js';

const P = '0b6f5c1e-2a44-4c2b-9a53-6a0f1e2d3c4b';

describe('AREA_CLAIM_OF_ROLE', () => {
  it('names a claim for every role', () => {
    expect(Object.keys(AREA_CLAIM_OF_ROLE).sort()).toEqual(Object.values(Role).sort());
  });

  it.each([
    [[Role.NATIONAL_ADMIN], {}, 'national'],
    [[Role.AUDITOR, Role.IMPORT_OPERATOR], {}, 'national'],
    [[Role.REGIONAL_OFFICER], { region: '13' }, 'region'],
    [[Role.REGIONAL_OFFICER, Role.IMPORT_OPERATOR], { region: '9' }, 'region'],
    [[Role.CENTRE_STAFF], { municipalities: ['4912'] }, 'municipalities'],
    [[Role.CENTRE_STAFF], { municipalities: ['4912'], centre: P }, 'municipalities'],
    [[Role.NATIONAL_ADMIN, Role.CENTRE_STAFF], { municipalities: ['4912'] }, 'municipalities'],
    [[Role.PROVIDER_STAFF], { provider: P }, 'provider'],
  ])('accepts %j with %j as %s', (roles, claims, area) => {
    expect(checkAreaClaims(roles, claims)).toEqual({ ok: true, area });
  });

  it.each([
    [[Role.CENTRE_STAFF], { region: '9' }, /"region" is needed by none/],
    [[Role.CENTRE_STAFF], {}, /centre_staff needs the claim "municipalities"/],
    [[Role.CENTRE_STAFF], { municipalities: ['4912'], region: '9' }, /more than one kind/],
    [[Role.CENTRE_STAFF], { municipalities: [] }, /non-empty list/],
    [[Role.CENTRE_STAFF], { municipalities: ['4912', 7] }, /non-empty list/],
    [[Role.CENTRE_STAFF], { municipalities: ['4912'], centre: 'demo' }, /"centre" must be the id/],
    [[Role.REGIONAL_OFFICER], { region: '0' }, /region code from 1 to 13/],
    [[Role.REGIONAL_OFFICER], { region: 9 }, /region code from 1 to 13/],
    [[Role.REGIONAL_OFFICER], { municipalities: ['4912'] }, /"municipalities" is needed by none/],
    [[Role.PROVIDER_STAFF], { provider: 'demo' }, /"provider" must be the id/],
    [[Role.PROVIDER_STAFF], { provider: '' }, /"provider" must be the id/],
    [[Role.PROVIDER_STAFF], {}, /provider_staff needs the claim "provider"/],
    [[Role.NATIONAL_ADMIN], { region: '9' }, /needed by none/],
    [[Role.AUDITOR], { provider: P }, /needed by none/],
    [[Role.NATIONAL_ADMIN], { centre: P }, /"centre" belongs to centre_staff/],
    [[Role.REGIONAL_OFFICER, Role.CENTRE_STAFF], { region: '9' }, /need different areas/],
    [[Role.REGIONAL_OFFICER, Role.PROVIDER_STAFF], { region: '9', provider: P }, /need different areas/],
  ])('refuses %j with %j', (roles, claims, why) => {
    const check = checkAreaClaims(roles, claims);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.why).toMatch(why);
  });
});
