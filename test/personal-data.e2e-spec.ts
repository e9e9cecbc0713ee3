import { randomUUID } from 'node:crypto';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, isObjectType } from 'graphql';
import { PERSONAL_TYPES } from '../src/audit/personal-data.js';
import { Permission, Role } from '../src/auth/roles.js';
import { guardOf, typesReachingPersonalData } from '../src/common/graphql/personal-data.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Rule 18 over the whole API, read from what is served: every GraphQL operation and REST route
 * that can return personal data needs a purpose and audits what it returns. A new operation, or a
 * new type that looks like personal data, fails here until it is guarded.
 */

/** Operations that can return personal data, hence need X-Purpose (or a purpose argument). */
const OPERATIONS_NEEDING_PURPOSE = [
  'Mutation.addGroupMembership',
  'Mutation.addHouseholdMember',
  'Mutation.changeEnrolmentStatus',
  'Mutation.changeReferralStatus',
  'Mutation.closePerson',
  'Mutation.createHousehold',
  'Mutation.createReferral',
  'Mutation.dismissDuplicate',
  'Mutation.endGroupMembership',
  'Mutation.enrol',
  'Mutation.giveConsent',
  'Mutation.mergePeople',
  'Mutation.movePerson',
  'Mutation.recordPersonFact',
  'Mutation.registerPerson',
  'Mutation.removeHouseholdMember',
  'Mutation.requestHandover',
  'Mutation.setEsfLeaving',
  'Mutation.setEsfParticipation',
  'Mutation.updatePerson',
  'Mutation.withdrawConsent',
  'Query.beneficiaries',
  'Query.beneficiary',
  'Query.beneficiaryAsOf',
  'Query.beneficiaryByIdentifier',
  'Query.duplicateReviews',
  'Query.eligibleNotEnrolled',
  'Query.enrolment',
  'Query.enrolments',
  'Query.entitlements',
  'Query.household',
  'Query.personFacts',
  'Query.personRegistration',
  'Query.referral',
  'Query.referrals',
];

/** Field names that make a type personal data. */
const IDENTIFYING_FIELDS = new Set([
  'personId',
  'personAId',
  'personBId',
  'afm',
  'amka',
  'birthDate',
  'surname',
]);

/** Types that only carry personal types without being one: their fields are guarded instead. */
const isWrapper = (name: string) =>
  /(Connection|Edge)$/.test(name) ||
  ['Query', 'Mutation', 'PersonRegistered', 'DuplicatePerson'].includes(name);

describe('personal data: purpose and audit on every path (rule 18)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const schema = () => t.app.get(GraphQLSchemaHost).schema;
  const objectTypes = () =>
    Object.values(schema().getTypeMap()).filter((x) => isObjectType(x) && !x.name.startsWith('__'));

  it('guards every Query and Mutation field that can reach a personal type with a purpose check', () => {
    const reaching = typesReachingPersonalData(schema());
    const guarded: string[] = [];
    for (const root of [schema().getQueryType()!, schema().getMutationType()!]) {
      for (const field of Object.values(root.getFields())) {
        const reaches = reaching.has(getNamedType(field.type).name);
        const guard = guardOf(field);
        expect({ field: `${root.name}.${field.name}`, purpose: !!guard.purpose }).toEqual({
          field: `${root.name}.${field.name}`,
          purpose: reaches,
        });
        if (guard.purpose) guarded.push(`${root.name}.${field.name}`);
      }
    }
    expect(guarded.sort()).toEqual(OPERATIONS_NEEDING_PURPOSE);
  });

  it('audits every field, at any depth, whose type is personal', () => {
    const unguarded: string[] = [];
    for (const type of objectTypes()) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields()))
        if (PERSONAL_TYPES[getNamedType(field.type).name] && !guardOf(field).audit)
          unguarded.push(`${type.name}.${field.name}`);
    }
    expect(unguarded).toEqual([]);
  });

  it('knows every type that looks like personal data as personal', () => {
    const unknown: string[] = [];
    for (const type of objectTypes()) {
      if (!isObjectType(type) || PERSONAL_TYPES[type.name] || isWrapper(type.name)) continue;
      const fields = Object.values(type.getFields());
      if (
        fields.some(
          (f) => IDENTIFYING_FIELDS.has(f.name) || PERSONAL_TYPES[getNamedType(f.type).name] !== undefined,
        )
      )
        unknown.push(type.name);
    }
    expect(unknown).toEqual([]);
  });

  it('refuses every REST route that returns personal data without a purpose, before it runs', async () => {
    const token = await t.token(
      { roles: [Role.NATIONAL_ADMIN, Role.AUDITOR], permissions: [Permission.SPECIAL_CATEGORY] },
      'walker',
    );
    const doc = (await t.http.get('/api/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: Array<{ in: string; name: string; required?: boolean }>; responses: unknown }
        >
      >;
    };
    const personalSchemas = Object.keys(PERSONAL_TYPES).map((name) => `#/components/schemas/${name}"`);
    const routes: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const needsPurpose = (operation.parameters ?? []).some(
          (p) => p.in === 'header' && p.name === 'X-Purpose' && p.required,
        );
        const returnsPeople = personalSchemas.some((ref) =>
          JSON.stringify(operation.responses).includes(ref),
        );
        expect({ route: `${method} ${path}`, needsPurpose: needsPurpose || !returnsPeople }).toEqual({
          route: `${method} ${path}`,
          needsPurpose: true,
        });
        if (!needsPurpose) continue;
        routes.push(`${method.toUpperCase()} ${path}`);
        const url = path.replace(/\{[^}]+\}/g, randomUUID());
        const res = await t.http[method as 'get' | 'post'](url)
          .set('Authorization', `Bearer ${token}`)
          .send({});
        expect({ route: `${method} ${path}`, status: res.status, code: JSON.parse(res.text).code }).toEqual({
          route: `${method} ${path}`,
          status: 400,
          code: 'PURPOSE_REQUIRED',
        });
      }
    }
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/beneficiaries',
        'POST /api/v1/beneficiaries',
        'GET /api/v1/audit-events',
      ]),
    );
  });
});
