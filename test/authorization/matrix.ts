import { Role } from '../../src/auth/roles.js';
import { makeAfm } from '../../src/common/identifiers/afm.js';
import { AREAS, type Fixtures, type Target } from './fixtures.js';

/**
 * THE AUTHORIZATION MATRIX: who may call what, on what, with which outcome. It is the single source:
 * the e2e suites generate one test per cell from it, and a class test fails when a GraphQL Query or
 * Mutation field, or a REST route of the OpenAPI document, is missing here (or listed here but gone).
 * A new operation therefore cannot ship without someone deciding, cell by cell, who may call it.
 *
 * Rows: every operation. Columns: every caller (the six roles, and API keys with the two roles a
 * machine may carry) x three targets:
 * - own:   the target lies in the caller's area (every caller's token names Spata 4912 / Attica 9,
 *          or its provider); for national roles, any target;
 * - other: the target lies in another region (Alexandreia 0802, Central Macedonia 2);
 * - none:  the caller's token names no area: refused (401) for roles that need one, the normal
 *          national token for national roles (they carry no area claim).
 * Besides: anonymous (no credentials) for every operation (see anonymous()), and for every
 * operation that returns or changes personal data the own-area call without a purpose
 * (PURPOSE_SUPPRESSED below).
 * Field-level rules (special-category data, likely duplicates, GDPR export) are in FIELD_RULES.
 */

/** A response body: its shape is what the tests check, at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export type Outcome =
  /** Answered; for a list, the target is in it. */
  | 'ALLOWED'
  /** Answered, but the target is not in it (a list filtered to the caller's area, a null look-up). */
  | 'HIDDEN'
  /** 403: the caller's role or area does not allow it (FORBIDDEN, OUTSIDE_YOUR_AREA). */
  | 'FORBIDDEN'
  /** 404: the object is outside the caller's area, indistinguishable from one that does not exist. */
  | 'NOT_FOUND'
  /** 401: no, or no acceptable, credentials. */
  | 'UNAUTHENTICATED'
  /** 400: personal data needs a declared (and fitting) purpose. */
  | 'PURPOSE_REQUIRED';

export const CALLERS = [
  'national_admin',
  'regional_officer',
  'centre_staff',
  'provider_staff',
  'import_operator',
  'auditor',
  'api_key:regional_officer',
  'api_key:import_operator',
] as const;
export type Caller = (typeof CALLERS)[number];
export const SCOPES = ['own', 'other', 'none'] as const;
export type Scope = (typeof SCOPES)[number];

export type Expectations = Record<Caller, readonly [own: Outcome, other: Outcome, none: Outcome]>;

const A = 'ALLOWED';
const H = 'HIDDEN';
const F = 'FORBIDDEN';
const N = 'NOT_FOUND';
const U = 'UNAUTHENTICATED';

/** Any authenticated caller: geography, the caller's own identity. */
const ANY_CALLER: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, A, U],
  centre_staff: [A, A, U],
  provider_staff: [A, A, U],
  import_operator: [A, A, A],
  auditor: [A, A, A],
  'api_key:regional_officer': [A, A, U],
  'api_key:import_operator': [A, A, A],
};

/**
 * The directory (providers, programmes, HSDS, geography): every role reads all of it, whatever the
 * area; over REST, anonymous callers too (see anonymous()).
 */
const DIRECTORY_READ: Expectations = { ...ANY_CALLER };

/** Health and metrics: open to anyone, credentials or not. */
const OPEN: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, A, A],
  centre_staff: [A, A, A],
  provider_staff: [A, A, A],
  import_operator: [A, A, A],
  auditor: [A, A, A],
  'api_key:regional_officer': [A, A, A],
  'api_key:import_operator': [A, A, A],
};

/** One person (or household, enrolment...) by id: people of the caller's area only; 404 outside it. */
const PERSON_BY_ID: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [F, F, U],
  centre_staff: [A, N, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [F, F, F],
};

/** Lists and look-ups of people: filtered to the caller's area in the SQL. */
const PERSON_LIST: Expectations = { ...PERSON_BY_ID, centre_staff: [A, H, U] };

/** Changes to people of the caller's area; an object outside it is not found. */
const PERSON_WRITE = PERSON_BY_ID;

/** A registration names its municipality: outside the caller's area it is refused (403). */
const PERSON_CREATE: Expectations = { ...PERSON_BY_ID, centre_staff: [A, F, U] };

/** The GDPR export needs special_category, which no role implies: refused to every token here. */
const PERSON_EXPORT: Expectations = {
  ...PERSON_BY_ID,
  national_admin: [F, F, F],
  centre_staff: [F, F, U],
};

/** Providers: a region or a centre writes those of its own area; another area's answers 403. */
const PROVIDER_WRITE: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, F, U],
  centre_staff: [A, F, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [A, F, U],
  'api_key:import_operator': [F, F, F],
};

/** Programmes: national bodies, and a region within its own region. */
const PROGRAMME_WRITE: Expectations = { ...PROVIDER_WRITE, centre_staff: [F, F, U] };

/** A screening at the desk: no personal data, any authenticated caller, for any municipality. */
const SCREENING: Expectations = { ...ANY_CALLER };

/** The audit trail: auditors and national administrators, with AUDIT_REVIEW or DATA_SUBJECT_REQUEST. */
/** The audit trail is for auditors only: administrators act, auditors check them (separation of duties). */
const AUDIT_READ: Expectations = {
  national_admin: [F, F, F],
  regional_officer: [F, F, U],
  centre_staff: [F, F, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [A, A, A],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [F, F, F],
};

/** API keys: national administrators and a region's officer for its own region; a key never manages keys. */
const API_KEY_CREATE: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, F, U],
  centre_staff: [F, F, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [F, F, F],
};
const API_KEY_LIST: Expectations = {
  ...API_KEY_CREATE,
  regional_officer: [A, H, U],
};
const API_KEY_REVOKE: Expectations = {
  ...API_KEY_CREATE,
  regional_officer: [A, N, U],
};

/** Referrals by id: the referring centre and the receiving provider; another area's is not found. */
const REFERRAL_BY_ID: Expectations = { ...PERSON_BY_ID, provider_staff: [A, N, U] };
const REFERRAL_LIST: Expectations = { ...PERSON_BY_ID, centre_staff: [A, H, U], provider_staff: [A, H, U] };
/** Sending and cancelling is the referring centre's; the provider answers but does not cancel. */
const REFERRAL_CANCEL: Expectations = { ...PERSON_BY_ID, provider_staff: [F, N, U] };
/** Counts, no people, for those who see the referrals; regions read the statistics instead. */
const REFERRAL_COUNTS: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [F, F, U],
  centre_staff: [A, A, U],
  provider_staff: [A, A, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [F, F, F],
};
/** Figures (issue 14): national roles any area; a region its own; centre staff their municipalities. */
const STATISTICS: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, F, U],
  centre_staff: [A, F, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [A, F, U],
  'api_key:import_operator': [F, F, F],
};
/** The national look-up and the hand-over: centres, wherever the person is held. */
const HANDOVER: Expectations = { ...PERSON_BY_ID, centre_staff: [A, A, U] };

/**
 * A referral link's own routes: the token in the path is the credential, whoever calls (with any
 * token, or none); the link's own cases are in test/referral-links.e2e-spec.ts.
 */
const LINK_HOLDER: Expectations = { ...OPEN };

/** The pull of outbox events (events:read): national, a region's officer or key, provider staff. */
const EVENTS_PULL: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [A, H, U],
  centre_staff: [F, F, U],
  provider_staff: [A, H, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [A, H, U],
  'api_key:import_operator': [F, F, F],
};
/** Webhook subscriptions and dead deliveries (webhook:manage): national administrators only. */
const WEBHOOK_MANAGE: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [F, F, U],
  centre_staff: [F, F, U],
  provider_staff: [F, F, U],
  import_operator: [F, F, F],
  auditor: [F, F, F],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [F, F, F],
};

/** Feed imports (import:run): import operators and national administrators, for the whole country. */
const IMPORT_RUN: Expectations = {
  national_admin: [A, A, A],
  regional_officer: [F, F, U],
  centre_staff: [F, F, U],
  provider_staff: [F, F, U],
  import_operator: [A, A, A],
  auditor: [F, F, F],
  'api_key:regional_officer': [F, F, U],
  'api_key:import_operator': [A, A, A],
};

export type Call =
  | { graphql: string; variables?: Record<string, unknown> }
  | { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: object }
  /** multipart/form-data: the fields in order, then the part named `file`. */
  | { method: 'POST'; path: string; fields: Record<string, string>; file: { name: string; content: string } };

export interface Operation {
  /** `Query.field`, `Mutation.field`, or `METHOD /path/{param}` as in the OpenAPI document. */
  id: string;
  /** Returns or changes personal data: needs a purpose, and every refusal leaves a denied audit row. */
  personal?: boolean;
  /**
   * The audit trail holds no personal data itself (ids, actions, purposes): the service checks the
   * auditor's permission before the purpose, so a caller without it hears FORBIDDEN either way.
   */
  permissionFirst?: boolean;
  /** The X-Purpose sent in the matrix (personal data: CASE_MANAGEMENT unless said here). */
  purpose?: string;
  /** Objects to consume instead of the shared ones, for a call that is expected to change its target. */
  fresh?: (f: Fixtures, x: Target) => Promise<Partial<Target>>;
  call: (x: Target, f: Fixtures) => Call | Promise<Call>;
  /** For lists and nullable look-ups: whether the answer holds the target. */
  visible?: (body: Body, x: Target) => boolean;
  expect: Expectations;
}

const q = (graphql: string, variables?: Record<string, unknown>): Call => ({ graphql, variables });
const get = (path: string): Call => ({ method: 'GET', path });
const nodes = (connection: { edges?: Array<{ node: { id: string } }> } | undefined) =>
  (connection?.edges ?? []).map((e) => e.node.id);
const version = async (f: Fixtures, id: string) =>
  (await f.t.db.query<{ version: number }>(`SELECT version FROM person WHERE id = $1`, [id]))[0]?.version ??
  1;
const freshPerson = async (f: Fixtures, x: Target) => ({ person: await f.person(x.area) });

const api = '/api/v1';

export const OPERATIONS: Operation[] = [
  // ---------------------------------------------------------------- GraphQL queries
  { id: 'Query.me', call: () => q(`{ me { id } }`), expect: ANY_CALLER },
  { id: 'Query.regions', call: () => q(`{ regions { code } }`), expect: ANY_CALLER },
  {
    id: 'Query.region',
    call: (x) => q(`query($c: String!) { region(code: $c) { code } }`, { c: x.area.region }),
    expect: ANY_CALLER,
  },
  {
    id: 'Query.regionalUnits',
    call: (x) => q(`query($c: String) { regionalUnits(regionCode: $c) { code } }`, { c: x.area.region }),
    expect: ANY_CALLER,
  },
  {
    id: 'Query.municipality',
    call: (x) => q(`query($c: String!) { municipality(code: $c) { code } }`, { c: x.area.municipality }),
    expect: ANY_CALLER,
  },
  {
    id: 'Query.municipalities',
    call: (x) =>
      q(`query($c: String) { municipalities(regionCode: $c, first: 5) { totalCount } }`, {
        c: x.area.region,
      }),
    expect: ANY_CALLER,
  },
  { id: 'Query.providerKinds', call: () => q(`{ providerKinds { code } }`), expect: DIRECTORY_READ },
  { id: 'Query.serviceCategories', call: () => q(`{ serviceCategories { code } }`), expect: DIRECTORY_READ },
  { id: 'Query.targetGroups', call: () => q(`{ targetGroups { code } }`), expect: DIRECTORY_READ },
  {
    id: 'Query.provider',
    call: (x) => q(`query($id: UUID!) { provider(id: $id) { id } }`, { id: x.provider }),
    expect: DIRECTORY_READ,
  },
  {
    id: 'Query.providers',
    call: (x) =>
      q(`query($m: String) { providers(servingMunicipality: $m, first: 100) { edges { node { id } } } }`, {
        m: x.area.municipality,
      }),
    visible: (body, x) => nodes(body.data?.providers).includes(x.provider),
    expect: DIRECTORY_READ,
  },
  {
    id: 'Query.programme',
    call: (x) => q(`query($id: UUID!) { programme(id: $id) { id } }`, { id: x.programme }),
    expect: DIRECTORY_READ,
  },
  {
    id: 'Query.programmeByCode',
    call: (x) => q(`query($c: String!) { programmeByCode(code: $c) { id } }`, { c: x.programmeCode }),
    expect: DIRECTORY_READ,
  },
  {
    id: 'Query.programmes',
    call: (x) =>
      q(`query($s: String) { programmes(search: $s) { edges { node { id } } } }`, { s: x.programmeCode }),
    visible: (body, x) => nodes(body.data?.programmes).includes(x.programme),
    expect: DIRECTORY_READ,
  },
  {
    id: 'Query.auditEvents',
    personal: true,
    permissionFirst: true,
    purpose: 'AUDIT_REVIEW',
    call: () => q(`{ auditEvents(first: 5) { totalCount } }`),
    expect: AUDIT_READ,
  },
  {
    id: 'Query.beneficiary',
    personal: true,
    call: (x) => q(`query($id: UUID!) { beneficiary(id: $id) { id } }`, { id: x.person }),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Query.beneficiaryAsOf',
    personal: true,
    call: (x) =>
      q(`query($id: UUID!, $at: DateTime!) { beneficiaryAsOf(id: $id, at: $at) { id } }`, {
        id: x.person,
        at: new Date().toISOString(),
      }),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Query.beneficiaryByIdentifier',
    personal: true,
    call: (x) => q(`query($afm: String) { beneficiaryByIdentifier(afm: $afm) { id } }`, { afm: x.afm }),
    visible: (body, x) => body.data?.beneficiaryByIdentifier?.id === x.person,
    expect: PERSON_LIST,
  },
  {
    id: 'Query.beneficiaries',
    personal: true,
    call: (x) =>
      q(`query($s: String) { beneficiaries(search: $s) { edges { node { id } } } }`, { s: x.surname }),
    visible: (body, x) => nodes(body.data?.beneficiaries).includes(x.person),
    expect: PERSON_LIST,
  },
  {
    id: 'Query.household',
    personal: true,
    call: (x) => q(`query($id: UUID!) { household(id: $id) { id } }`, { id: x.household }),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Query.duplicateReviews',
    personal: true,
    call: () => q(`{ duplicateReviews(first: 100) { edges { node { id } } } }`),
    visible: (body, x) => nodes(body.data?.duplicateReviews).includes(x.review),
    expect: PERSON_LIST,
  },
  {
    id: 'Query.enrolment',
    personal: true,
    call: (x) => q(`query($id: UUID!) { enrolment(id: $id) { id } }`, { id: x.enrolment }),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Query.enrolments',
    personal: true,
    call: (x) =>
      q(`query($p: UUID) { enrolments(programmeId: $p) { edges { node { id } } } }`, { p: x.programme }),
    visible: (body, x) => nodes(body.data?.enrolments).includes(x.enrolment),
    expect: PERSON_LIST,
  },

  {
    id: 'Query.entitlements',
    personal: true,
    call: (x) =>
      q(
        `query($id: UUID!) { entitlements(personId: $id) { personId entitlements { programmeCode outcome } } }`,
        {
          id: x.person,
        },
      ),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Query.screen',
    call: (x) =>
      q(
        `query($m: String!) { screen(input: { municipalityCode: $m, facts: { age: 70 } }) { entitlements { programmeCode } } }`,
        { m: x.area.municipality },
      ),
    expect: SCREENING,
  },
  {
    id: 'Query.eligibleNotEnrolled',
    personal: true,
    fresh: async (f, x) => ({ programme: await f.ruledProgramme(x.area) }),
    call: (x) =>
      q(
        `query($p: UUID!, $m: String) { eligibleNotEnrolled(programmeId: $p, municipalityCode: $m, first: 100) { edges { node { personId } } } }`,
        { p: x.programme, m: x.area.municipality },
      ),
    visible: (body, x) =>
      (body.data?.eligibleNotEnrolled?.edges ?? []).some(
        (e: { node: { personId: string } }) => e.node.personId === x.person,
      ),
    expect: PERSON_LIST,
  },

  // ---------------------------------------------------------------- GraphQL mutations
  {
    id: 'Mutation.registerPerson',
    personal: true,
    call: (x, f) =>
      q(
        `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { __typename ... on PersonRegistered { beneficiary { id } } } }`,
        {
          input: {
            givenName: 'Άννα',
            surname: f.uniqueName(),
            birthDate: '1980-02-02',
            gender: 'FEMALE',
            municipalityCode: x.area.municipality,
          },
        },
      ),
    expect: PERSON_CREATE,
  },
  {
    id: 'Mutation.updatePerson',
    personal: true,
    fresh: freshPerson,
    call: async (x, f) =>
      q(
        `mutation($id: UUID!, $v: Int!) { updatePerson(input: { id: $id, version: $v, phone: "2100000001" }) { id } }`,
        {
          id: x.person,
          v: await version(f, x.person),
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.movePerson',
    personal: true,
    fresh: freshPerson,
    call: async (x, f) =>
      q(
        `mutation($id: UUID!, $v: Int!, $m: String!) { movePerson(input: { id: $id, version: $v, municipalityCode: $m }) { id } }`,
        {
          id: x.person,
          v: await version(f, x.person),
          m: x.area.neighbour,
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.closePerson',
    personal: true,
    fresh: freshPerson,
    call: async (x, f) =>
      q(
        `mutation($id: UUID!, $v: Int!) { closePerson(input: { id: $id, version: $v, reason: "matrix" }) { id } }`,
        {
          id: x.person,
          v: await version(f, x.person),
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.addGroupMembership',
    personal: true,
    fresh: freshPerson,
    call: (x) =>
      q(
        `mutation($id: UUID!) { addGroupMembership(input: { personId: $id, group: DESTITUTE, basis: SELF_DECLARED, validFrom: "2024-01-01" }) { id } }`,
        { id: x.person },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Query.personFacts',
    personal: true,
    call: (x) =>
      q(
        `query($id: UUID!) { personFacts(personId: $id, asOf: "2026-01-01") { withheld facts { fact value } } }`,
        {
          id: x.person,
        },
      ),
    expect: PERSON_BY_ID,
  },
  {
    id: 'Mutation.recordPersonFact',
    personal: true,
    fresh: freshPerson,
    call: (x) =>
      q(
        `mutation($id: UUID!) { recordPersonFact(input: { personId: $id, fact: "household_income_last_6_months", value: 1200, basis: SELF_DECLARED, asOf: "2026-01-01" }) { id } }`,
        { id: x.person },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.endGroupMembership',
    personal: true,
    fresh: async (f, x) => ({ membership: await f.membership(x.area) }),
    call: (x) =>
      q(
        `mutation($id: UUID!) { endGroupMembership(input: { membershipId: $id, validTo: "2024-12-31" }) { id } }`,
        {
          id: x.membership,
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.setEsfParticipation',
    personal: true,
    fresh: freshPerson,
    call: (x) =>
      q(
        `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: EMPLOYED, educationLevel: ISCED_3_4, migrantOrForeignBackground: NO, homelessOrHousingExclusion: NO, ruralArea: NO }) { employmentStatus } }`,
        { id: x.person },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.setEsfLeaving',
    personal: true,
    fresh: async (f, x) => {
      const person = await f.person(x.area);
      await f.t.db.query(
        `INSERT INTO esf_participant (person_id, employment_status, education_level, migrant_or_foreign_background,
           minority, disability, homeless_or_housing_exclusion, rural_area, recorded_by, entered_on)
         VALUES ($1, 'UNEMPLOYED', 'ISCED_3_4', 'NO', 'NO', 'NO', 'NO', 'NO', 'matrix', '2024-01-01')`,
        [person],
      );
      return { person };
    },
    call: (x) =>
      q(
        `mutation($id: UUID!) { setEsfLeaving(input: { personId: $id, leftOn: "2024-06-30", jobSearching: YES, inEducationOrTraining: NO, gainedQualification: NO, inEmployment: NO }) { leftOn } }`,
        { id: x.person },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.giveConsent',
    personal: true,
    fresh: freshPerson,
    call: (x) =>
      q(`mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: ESF_MONITORING }) { id } }`, {
        id: x.person,
      }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.withdrawConsent',
    personal: true,
    fresh: async (f, x) => ({ consent: await f.consent(x.area) }),
    call: (x) => q(`mutation($id: UUID!) { withdrawConsent(consentId: $id) { id } }`, { id: x.consent }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.createHousehold',
    personal: true,
    fresh: async (f, x) => ({ loner: await f.person(x.area) }),
    call: (x) =>
      q(`mutation($id: UUID!) { createHousehold(input: { referencePersonId: $id }) { id } }`, {
        id: x.loner,
      }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.addHouseholdMember',
    personal: true,
    fresh: async (f, x) => ({
      household: (await f.household(x.area)).household,
      loner: await f.person(x.area),
    }),
    call: (x) =>
      q(
        `mutation($h: UUID!, $p: UUID!) { addHouseholdMember(input: { householdId: $h, personId: $p, relationship: SIBLING }) { id } }`,
        { h: x.household, p: x.loner },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.removeHouseholdMember',
    personal: true,
    fresh: async (f, x) => {
      const h = await f.household(x.area);
      return { household: h.household, member: h.member };
    },
    call: (x) =>
      q(
        `mutation($h: UUID!, $p: UUID!) { removeHouseholdMember(input: { householdId: $h, personId: $p }) { id } }`,
        {
          h: x.household,
          p: x.member,
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.dismissDuplicate',
    personal: true,
    fresh: async (f, x) => ({ review: (await f.review(x.area)).review }),
    call: (x) => q(`mutation($id: UUID!) { dismissDuplicate(reviewId: $id) { id } }`, { id: x.review }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.mergePeople',
    personal: true,
    fresh: async (f, x) => {
      const r = await f.review(x.area);
      return { review: r.review, reviewSurvivor: r.survivor };
    },
    call: (x) =>
      q(`mutation($r: UUID!, $s: UUID!) { mergePeople(reviewId: $r, survivorId: $s) { id } }`, {
        r: x.review,
        s: x.reviewSurvivor,
      }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.enrol',
    personal: true,
    fresh: freshPerson,
    call: (x) =>
      q(`mutation($input: EnrolInput!) { enrol(input: $input) { id } }`, {
        input: { personId: x.person, programmeId: x.programme, appliedOn: '2025-02-01' },
      }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.changeEnrolmentStatus',
    personal: true,
    fresh: async (f, x) => ({ enrolment: await f.enrolment(x.area, x.programme) }),
    call: (x) =>
      q(
        `mutation($id: UUID!) { changeEnrolmentStatus(id: $id, input: { status: ACTIVE, on: "2025-03-01" }) { id } }`,
        {
          id: x.enrolment,
        },
      ),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.createProvider',
    call: (x, f) =>
      q(`mutation($input: ProviderInput!) { createProvider(input: $input) { id } }`, {
        input: f.providerInput(x.area),
      }),
    expect: PROVIDER_WRITE,
  },
  {
    id: 'Mutation.updateProvider',
    fresh: async (f, x) => ({ provider: await f.provider(x.area) }),
    call: (x, f) =>
      q(`mutation($id: UUID!, $input: ProviderInput!) { updateProvider(id: $id, input: $input) { id } }`, {
        id: x.provider,
        input: f.providerInput(x.area),
      }),
    expect: PROVIDER_WRITE,
  },
  {
    id: 'Mutation.createProgramme',
    call: (x, f) =>
      q(`mutation($input: ProgrammeInput!) { createProgramme(input: $input) { id } }`, {
        input: f.programmeInput(x.area),
      }),
    expect: PROGRAMME_WRITE,
  },
  {
    id: 'Mutation.updateProgramme',
    fresh: async (f, x) => {
      const p = await f.programme(x.area);
      return { programme: p.id, programmeCode: p.code };
    },
    call: (x, f) =>
      q(`mutation($id: UUID!, $input: ProgrammeInput!) { updateProgramme(id: $id, input: $input) { id } }`, {
        id: x.programme,
        input: f.programmeInput(x.area, x.programmeCode),
      }),
    expect: PROGRAMME_WRITE,
  },

  // ---------------------------------------------------------------- REST
  { id: 'GET /health', call: () => ({ method: 'GET', path: '/health' }), expect: OPEN },
  { id: 'GET /health/live', call: () => ({ method: 'GET', path: '/health/live' }), expect: OPEN },
  { id: 'GET /metrics', call: () => ({ method: 'GET', path: '/metrics' }), expect: OPEN },
  { id: `GET ${api}/geography/regions`, call: () => get(`${api}/geography/regions`), expect: DIRECTORY_READ },
  {
    id: `GET ${api}/geography/regions/{code}`,
    call: (x) => get(`${api}/geography/regions/${x.area.region}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/geography/regions/{code}/regional-units`,
    call: (x) => get(`${api}/geography/regions/${x.area.region}/regional-units`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/geography/municipalities`,
    call: (x) => get(`${api}/geography/municipalities?region=${x.area.region}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/geography/municipalities/{code}`,
    call: (x) => get(`${api}/geography/municipalities/${x.area.municipality}`),
    expect: DIRECTORY_READ,
  },
  { id: `GET ${api}/provider-kinds`, call: () => get(`${api}/provider-kinds`), expect: DIRECTORY_READ },
  {
    id: `GET ${api}/service-categories`,
    call: () => get(`${api}/service-categories`),
    expect: DIRECTORY_READ,
  },
  { id: `GET ${api}/target-groups`, call: () => get(`${api}/target-groups`), expect: DIRECTORY_READ },
  {
    id: `GET ${api}/providers`,
    call: (x) => get(`${api}/providers?servingMunicipality=${x.area.municipality}&limit=100`),
    visible: (body, x) => (body.items ?? []).some((p: { id: string }) => p.id === x.provider),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/providers/{id}`,
    call: (x) => get(`${api}/providers/${x.provider}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `POST ${api}/providers`,
    call: (x, f) => ({ method: 'POST', path: `${api}/providers`, body: f.providerInput(x.area) }),
    expect: PROVIDER_WRITE,
  },
  {
    id: `PUT ${api}/providers/{id}`,
    fresh: async (f, x) => ({ provider: await f.provider(x.area) }),
    call: (x, f) => ({
      method: 'PUT',
      path: `${api}/providers/${x.provider}`,
      body: f.providerInput(x.area),
    }),
    expect: PROVIDER_WRITE,
  },
  {
    id: `GET ${api}/programmes`,
    call: (x) => get(`${api}/programmes?search=${x.programmeCode}`),
    visible: (body, x) => (body.items ?? []).some((p: { id: string }) => p.id === x.programme),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/programmes/{id}`,
    call: (x) => get(`${api}/programmes/${x.programme}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `POST ${api}/programmes`,
    call: (x, f) => ({ method: 'POST', path: `${api}/programmes`, body: f.programmeInput(x.area) }),
    expect: PROGRAMME_WRITE,
  },
  {
    id: `PUT ${api}/programmes/{id}`,
    fresh: async (f, x) => {
      const p = await f.programme(x.area);
      return { programme: p.id, programmeCode: p.code };
    },
    call: (x, f) => ({
      method: 'PUT',
      path: `${api}/programmes/${x.programme}`,
      body: f.programmeInput(x.area, x.programmeCode),
    }),
    expect: PROGRAMME_WRITE,
  },
  {
    id: `GET ${api}/hsds/organizations`,
    call: () => get(`${api}/hsds/organizations`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/hsds/organizations/{id}`,
    call: (x) => get(`${api}/hsds/organizations/${x.provider}`),
    expect: DIRECTORY_READ,
  },
  { id: `GET ${api}/hsds/services`, call: () => get(`${api}/hsds/services`), expect: DIRECTORY_READ },
  {
    id: `GET ${api}/hsds/services/{id}`,
    call: (x) => get(`${api}/hsds/services/${x.service}`),
    expect: DIRECTORY_READ,
  },
  { id: `GET ${api}/hsds/locations`, call: () => get(`${api}/hsds/locations`), expect: DIRECTORY_READ },
  {
    id: `GET ${api}/hsds/locations/{id}`,
    call: (x) => get(`${api}/hsds/locations/${x.location}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/hsds/service_at_locations`,
    call: () => get(`${api}/hsds/service_at_locations`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/hsds/service_at_locations/{id}`,
    call: (x) => get(`${api}/hsds/service_at_locations/${x.serviceAtLocation}`),
    expect: DIRECTORY_READ,
  },
  {
    id: `GET ${api}/beneficiaries`,
    personal: true,
    call: (x) => get(`${api}/beneficiaries?q=${encodeURIComponent(x.surname)}`),
    visible: (body, x) => (body.items ?? []).some((p: { id: string }) => p.id === x.person),
    expect: PERSON_LIST,
  },
  {
    id: `GET ${api}/beneficiaries/{id}`,
    personal: true,
    call: (x) => get(`${api}/beneficiaries/${x.person}`),
    expect: PERSON_BY_ID,
  },
  {
    id: `GET ${api}/beneficiaries/{id}/export`,
    personal: true,
    purpose: 'DATA_SUBJECT_REQUEST',
    call: (x) => get(`${api}/beneficiaries/${x.person}/export`),
    expect: PERSON_EXPORT,
  },
  {
    id: `POST ${api}/beneficiaries`,
    personal: true,
    call: (x, f) => ({
      method: 'POST',
      path: `${api}/beneficiaries`,
      body: {
        givenName: 'Άννα',
        surname: f.uniqueName(),
        birthDate: '1981-03-03',
        gender: 'FEMALE',
        municipalityCode: x.area.municipality,
      },
    }),
    expect: PERSON_CREATE,
  },
  {
    id: `GET ${api}/audit-events`,
    personal: true,
    permissionFirst: true,
    purpose: 'AUDIT_REVIEW',
    call: () => get(`${api}/audit-events?limit=5`),
    expect: AUDIT_READ,
  },
  {
    id: `POST ${api}/screenings`,
    call: (x) => ({
      method: 'POST',
      path: `${api}/screenings`,
      body: { municipalityCode: x.area.municipality, facts: { age: 70 } },
    }),
    expect: SCREENING,
  },
  {
    id: `POST ${api}/api-keys`,
    call: (x) => ({
      method: 'POST',
      path: `${api}/api-keys`,
      body: { name: 'matrix key', roles: ['regional_officer'], regionCode: x.area.region },
    }),
    expect: API_KEY_CREATE,
  },
  {
    id: `GET ${api}/api-keys`,
    call: () => get(`${api}/api-keys`),
    visible: (body, x) => Array.isArray(body) && body.some((k: { id: string }) => k.id === x.apiKey),
    expect: API_KEY_LIST,
  },
  {
    id: `DELETE ${api}/api-keys/{id}`,
    fresh: async (f, x) => ({ apiKey: (await f.apiKey([Role.REGIONAL_OFFICER], x.area.region)).id }),
    call: (x) => ({ method: 'DELETE', path: `${api}/api-keys/${x.apiKey}` }),
    expect: API_KEY_REVOKE,
  },
  // ---------------------------------------------------------------- referrals (issue 12)
  {
    id: 'Query.referrals',
    personal: true,
    call: () => q(`{ referrals(first: 100) { edges { node { id } } } }`),
    visible: (body, x) => nodes(body.data?.referrals).includes(x.referral),
    expect: REFERRAL_LIST,
  },
  {
    id: 'Query.referral',
    personal: true,
    call: (x) => q(`query($id: UUID!) { referral(id: $id) { id } }`, { id: x.referral }),
    expect: REFERRAL_BY_ID,
  },
  {
    id: 'Query.referralCounts',
    call: (x) =>
      q(`query($m: String) { referralCounts(municipalityCode: $m) { total } }`, { m: x.area.municipality }),
    expect: REFERRAL_COUNTS,
  },
  {
    id: 'Query.personRegistration',
    personal: true,
    call: (x) => q(`query($afm: String) { personRegistration(afm: $afm) { registered } }`, { afm: x.afm }),
    expect: HANDOVER,
  },
  {
    id: 'Mutation.createReferral',
    personal: true,
    call: (x) =>
      q(`mutation($input: ReferralInput!) { createReferral(input: $input) { id } }`, {
        input: { personId: x.person, providerId: x.provider, dueOn: '2030-01-01', sharedFields: [] },
      }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.changeReferralStatus',
    personal: true,
    fresh: async (f, x) => ({ referral: await f.referral(x.person, x.provider) }),
    call: (x) =>
      q(`mutation($id: UUID!) { changeReferralStatus(id: $id, input: { status: CANCELLED }) { id } }`, {
        id: x.referral,
      }),
    expect: REFERRAL_CANCEL,
  },
  {
    id: 'Mutation.requestHandover',
    personal: true,
    fresh: async (f, x) => {
      const afm = makeAfm(String(52000000 + f.next()));
      await f.person({ ...x.area, municipality: x.area.neighbour } as unknown as typeof x.area, { afm });
      return { afm };
    },
    call: (x) =>
      q(`mutation($input: HandoverInput!) { requestHandover(input: $input) { id } }`, {
        input: { afm: x.afm, toMunicipalityCode: AREAS.own.municipality, dueOn: '2030-01-01' },
      }),
    expect: HANDOVER,
  },
  {
    id: `GET ${api}/referrals`,
    personal: true,
    call: () => get(`${api}/referrals?limit=100`),
    visible: (body, x) =>
      Array.isArray(body?.items) && body.items.some((r: { id: string }) => r.id === x.referral),
    expect: REFERRAL_LIST,
  },
  {
    id: `GET ${api}/referrals/counts`,
    call: (x) => get(`${api}/referrals/counts?municipalityCode=${x.area.municipality}`),
    expect: REFERRAL_COUNTS,
  },
  {
    id: `GET ${api}/referrals/{id}`,
    personal: true,
    call: (x) => get(`${api}/referrals/${x.referral}`),
    expect: REFERRAL_BY_ID,
  },
  {
    id: `POST ${api}/referrals/{id}/status`,
    personal: true,
    fresh: async (f, x) => ({ referral: await f.referral(x.person, x.provider) }),
    call: (x) => ({
      method: 'POST',
      path: `${api}/referrals/${x.referral}/status`,
      body: { status: 'CANCELLED' },
    }),
    expect: REFERRAL_CANCEL,
  },
  // ---------------------------------------------------------------- referral links (issue 12)
  {
    id: 'Mutation.createReferralLink',
    call: (x) =>
      q(`mutation($r: UUID!) { createReferralLink(referralId: $r) { id url } }`, { r: x.referral }),
    expect: PERSON_WRITE,
  },
  {
    id: 'Mutation.revokeReferralLink',
    call: async (x, f) =>
      q(`mutation($id: UUID!) { revokeReferralLink(id: $id) { id revokedAt } }`, {
        id: (await f.referralLink(x.referral)).id,
      }),
    expect: PERSON_WRITE,
  },
  {
    id: `POST ${api}/referrals/{id}/links`,
    call: (x) => ({ method: 'POST', path: `${api}/referrals/${x.referral}/links`, body: {} }),
    expect: PERSON_WRITE,
  },
  {
    id: `DELETE ${api}/referrals/{id}/links/{linkId}`,
    call: async (x, f) => ({
      method: 'DELETE',
      path: `${api}/referrals/${x.referral}/links/${(await f.referralLink(x.referral)).id}`,
    }),
    expect: PERSON_WRITE,
  },
  {
    id: `GET ${api}/referral-links/{token}`,
    call: async (x, f) => get(`${api}/referral-links/${(await f.referralLink(x.referral)).token}`),
    expect: LINK_HOLDER,
  },
  {
    id: `POST ${api}/referral-links/{token}/answer`,
    fresh: async (f, x) => ({ referral: await f.referral(x.person, x.provider) }),
    call: async (x, f) => ({
      method: 'POST',
      path: `${api}/referral-links/${(await f.referralLink(x.referral)).token}/answer`,
      body: { status: 'ACCEPTED' },
    }),
    expect: LINK_HOLDER,
  },
  // ---------------------------------------------------------------- statistics (issue 14)
  {
    id: 'Query.statistics',
    call: (x) =>
      q(`query($a: StatisticsAreaInput!) { statistics(area: $a) { asOf tables { total { count } } } }`, {
        a: { level: 'MUNICIPALITY', code: x.area.municipality },
      }),
    expect: STATISTICS,
  },
  {
    id: 'Query.municipalityStatistics',
    call: (x) =>
      q(
        `query($a: StatisticsAreaInput!) { municipalityStatistics(area: $a) { municipalities { total { count } } } }`,
        { a: { level: 'MUNICIPALITY', code: x.area.municipality } },
      ),
    expect: STATISTICS,
  },
  {
    id: `GET ${api}/statistics/{level}/{code}`,
    call: (x) => get(`${api}/statistics/MUNICIPALITY/${x.area.municipality}?period=ALL`),
    expect: STATISTICS,
  },
  {
    id: `GET ${api}/statistics/{level}/{code}/municipalities`,
    call: (x) => get(`${api}/statistics/MUNICIPALITY/${x.area.municipality}/municipalities?measure=PEOPLE`),
    expect: STATISTICS,
  },
  {
    id: 'Query.statisticsMap',
    call: (x) =>
      q(`query($a: StatisticsAreaInput!) { statisticsMap(area: $a, width: 300) { asOf geojson } }`, {
        a: { level: 'MUNICIPALITY', code: x.area.municipality },
      }),
    expect: STATISTICS,
  },
  ...(['geojson', 'svg', 'png'] as const).map((format): Operation => ({
    id: `GET ${api}/statistics/{level}/{code}/map.${format}`,
    call: (x) => get(`${api}/statistics/MUNICIPALITY/${x.area.municipality}/map.${format}?width=300`),
    expect: STATISTICS,
  })),
  {
    id: 'Query.esfIndicators',
    call: (x) =>
      q(
        `query($a: StatisticsAreaInput!) { esfIndicators(area: $a) { asOf rows { code total { count } } } }`,
        {
          a: { level: 'MUNICIPALITY', code: x.area.municipality },
        },
      ),
    expect: STATISTICS,
  },
  {
    id: `GET ${api}/statistics/{level}/{code}/esf-indicators`,
    call: (x) => get(`${api}/statistics/MUNICIPALITY/${x.area.municipality}/esf-indicators?format=csv`),
    expect: STATISTICS,
  },
  {
    id: 'Query.likelyEligibleStatistics',
    call: (x) =>
      q(
        `query($a: StatisticsAreaInput!) { likelyEligibleStatistics(area: $a) { asOf rows { programmeCode eligibleNotEnrolled { count } } } }`,
        { a: { level: 'MUNICIPALITY', code: x.area.municipality } },
      ),
    expect: STATISTICS,
  },
  {
    id: `GET ${api}/statistics/{level}/{code}/likely-eligible`,
    call: (x) => get(`${api}/statistics/MUNICIPALITY/${x.area.municipality}/likely-eligible`),
    expect: STATISTICS,
  },
  // ---------------------------------------------------------------- partner events and webhooks (issue 12)
  {
    id: `GET ${api}/events`,
    call: () => get(`${api}/events?after=0&limit=500`),
    visible: (body, x) =>
      Array.isArray(body?.items) &&
      body.items.some((e: { aggregateId: string }) => e.aggregateId === x.referral),
    expect: EVENTS_PULL,
  },
  {
    id: `POST ${api}/webhook-subscriptions`,
    call: (x, f) => ({
      method: 'POST',
      path: `${api}/webhook-subscriptions`,
      body: {
        name: `matrix ${f.next()}`,
        url: 'https://partner.example.gr/hook',
        topics: ['referral.sent'],
        municipalityCodes: [x.area.municipality],
      },
    }),
    expect: WEBHOOK_MANAGE,
  },
  {
    id: `GET ${api}/webhook-subscriptions`,
    call: () => get(`${api}/webhook-subscriptions`),
    visible: (body, x) =>
      Array.isArray(body) && body.some((s: { id: string }) => s.id === x.webhookSubscription),
    expect: WEBHOOK_MANAGE,
  },
  {
    id: `POST ${api}/webhook-subscriptions/{id}/deactivate`,
    fresh: async (f, x) => ({ webhookSubscription: await f.webhookSubscription(x.area) }),
    call: (x) => ({
      method: 'POST',
      path: `${api}/webhook-subscriptions/${x.webhookSubscription}/deactivate`,
    }),
    expect: WEBHOOK_MANAGE,
  },
  {
    id: `GET ${api}/webhook-deliveries/dead`,
    call: () => get(`${api}/webhook-deliveries/dead?limit=100`),
    visible: (body, x) =>
      Array.isArray(body?.items) && body.items.some((d: { id: string }) => d.id === x.deadDelivery),
    expect: WEBHOOK_MANAGE,
  },
  {
    id: `POST ${api}/webhook-deliveries/{id}/requeue`,
    fresh: async (f, x) => ({ deadDelivery: await f.deadDelivery(x.area, x.referral) }),
    call: (x) => ({ method: 'POST', path: `${api}/webhook-deliveries/${x.deadDelivery}/requeue` }),
    expect: WEBHOOK_MANAGE,
  },
  // ---------------------------------------------------------------- feed imports (issue 13)
  {
    id: 'Query.importJob',
    call: async (_x, f) =>
      q(`query($id: UUID!) { importJob(id: $id) { id status } }`, { id: await f.importJob() }),
    expect: IMPORT_RUN,
  },
  {
    id: 'Query.importJobs',
    call: () => q(`{ importJobs(first: 5) { totalCount } }`),
    expect: IMPORT_RUN,
  },
  {
    id: `POST ${api}/imports`,
    call: (_x, f) => ({
      method: 'POST',
      path: `${api}/imports`,
      fields: { feed: 'DYPA', dryRun: 'true' },
      file: {
        name: 'dypa.csv',
        content: `amka;registered_since;reference_date\n01028000014;01/03/2025;${(f.next() % 28) + 1}/10/2025\n`,
      },
    }),
    expect: IMPORT_RUN,
  },
  { id: `GET ${api}/imports`, call: () => get(`${api}/imports?limit=5`), expect: IMPORT_RUN },
  {
    id: `GET ${api}/imports/{id}`,
    call: async (_x, f) => get(`${api}/imports/${await f.importJob()}`),
    expect: IMPORT_RUN,
  },
  {
    id: `GET ${api}/imports/{id}/problems.csv`,
    call: async (_x, f) => get(`${api}/imports/${await f.importJob()}/problems.csv`),
    expect: IMPORT_RUN,
  },
];

/**
 * Without X-Purpose, an operation on personal data is refused before anything else is checked
 * (the guard is structural: a schema transform and a REST interceptor, see personal-data.ts), so
 * the answer says nothing about permissions or the area; a token naming no area is still a 401.
 */
export function withoutPurpose(op: Operation, caller: Caller): Outcome {
  const own = op.expect[caller][0];
  if (own === 'UNAUTHENTICATED' || (op.permissionFirst && own === 'FORBIDDEN')) return own;
  return 'PURPOSE_REQUIRED';
}

/**
 * Anonymous calls: refused with 401 everywhere but health and metrics, and the REST reads of the
 * directory (providers, programmes, HSDS, geography: no personal data), which are open by default
 * (DIRECTORY_REQUIRES_TOKEN=false). GraphQL needs a credential for every operation, the directory's
 * included. test/anonymous-directory.e2e-spec.ts checks that DIRECTORY_REQUIRES_TOKEN=true closes them.
 */
export function anonymous(op: Operation): Outcome {
  if (op.expect === OPEN || op.expect === LINK_HOLDER) return 'ALLOWED';
  if (op.expect === DIRECTORY_READ && op.id.startsWith('GET ')) return 'ALLOWED';
  return 'UNAUTHENTICATED';
}

/**
 * Routes of the HTTP server that are not operations on data: the API documentation and the local
 * GraphiQL page (its own page and assets), and the GraphQL endpoint, whose operations are the
 * Query and Mutation fields above. Every other route must be a row of the matrix.
 */
export const NOT_OPERATIONS = [
  /^\/api\/docs/,
  /^\/api\/openapi\.(json|yaml)$/,
  /^\/graphiql/,
  /^\/graphql$/,
  // The HTML twin of /api/v1/referral-links/{token} for browsers (its POST answers 303): tested in
  // referral-links.e2e-spec.ts and referral-link-page.browser.e2e-spec.ts.
  /^\/r\/:token$/,
];

export const isWrite = (op: Operation) => op.id.startsWith('Mutation.') || /^(POST|PUT|DELETE) /.test(op.id);
export const isGraphql = (op: Operation) => op.id.startsWith('Query.') || op.id.startsWith('Mutation.');

/** The number of generated cells, for the record: operations x callers x scopes, plus the extra columns. */
export function matrixSize() {
  const main = OPERATIONS.length * CALLERS.length * SCOPES.length;
  const noPurpose = OPERATIONS.filter((op) => op.personal).length * CALLERS.length;
  return { operations: OPERATIONS.length, callers: CALLERS.length, scopes: SCOPES.length, main, noPurpose };
}

/** What one call must answer, and (for an answer) what must hold of its body. */
export interface FieldExpectation {
  outcome: Outcome;
  holds?: (body: Body, f: Fixtures) => boolean | Promise<boolean>;
}

/**
 * Field-level rules: the same operation answers differently with and without `special_category`
 * (Roma origin, disability: GDPR Art. 9), and some fields must never say more than the caller's
 * area. `plain` is the caller's token without special_category, `special` with it; a rule with one
 * variant only is about something else than that permission. Callers act in their own area (Spata).
 */
export interface FieldRule {
  id: string;
  caller: 'centre_staff' | 'national_admin' | 'auditor';
  purpose?: string;
  /** Ids to act on that no other call consumes. */
  fresh?: (f: Fixtures) => Promise<Record<string, string>>;
  call: (f: Fixtures, fresh: Record<string, string>) => Call | Promise<Call>;
  plain?: FieldExpectation;
  special?: FieldExpectation;
}

const groupsOf = (body: Body): string[] =>
  (body.data?.beneficiary?.groups ?? []).map((g: { group: string }) => g.group);
const enrolmentIds = (body: Body): string[] => nodes(body.data?.enrolments);
const birthDateOf = async (f: Fixtures, id: string) =>
  (await f.t.db.query<{ d: string }>(`SELECT birth_date::text AS d FROM person WHERE id = $1`, [id]))[0]!.d;
const registered = (body: Body) => body.data?.registerPerson;
const entitledIds = (body: Body): string[] =>
  (body.data?.entitlements?.entitlements ?? []).map((e: { programmeId: string }) => e.programmeId);

export const FIELD_RULES: FieldRule[] = [
  {
    id: 'Beneficiary.groups: ROMA and DISABILITY memberships',
    caller: 'centre_staff',
    call: (f) =>
      q(`query($id: UUID!) { beneficiary(id: $id) { groups { group } } }`, { id: f.special.person }),
    plain: { outcome: A, holds: (b) => !groupsOf(b).includes('ROMA') && !groupsOf(b).includes('DISABILITY') },
    special: { outcome: A, holds: (b) => groupsOf(b).includes('ROMA') && groupsOf(b).includes('DISABILITY') },
  },
  {
    id: 'EsfParticipation.minority and .disability answers',
    caller: 'centre_staff',
    call: (f) =>
      q(`query($id: UUID!) { beneficiary(id: $id) { esf { minority disability employmentStatus } } }`, {
        id: f.special.person,
      }),
    plain: {
      outcome: A,
      holds: (b) => b.data.beneficiary.esf.minority === null && b.data.beneficiary.esf.disability === null,
    },
    special: {
      outcome: A,
      holds: (b) => b.data.beneficiary.esf.minority === 'YES' && b.data.beneficiary.esf.disability === 'YES',
    },
  },
  {
    id: 'Beneficiary.facts: DISABILITY_PERCENTAGE',
    caller: 'centre_staff',
    call: (f) => q(`query($id: UUID!) { beneficiary(id: $id) { facts { kind } } }`, { id: f.special.person }),
    plain: {
      outcome: A,
      holds: (b) =>
        JSON.stringify(b.data.beneficiary.facts) === JSON.stringify([{ kind: 'HOUSEHOLD_INCOME_ANNUAL' }]),
    },
    special: {
      outcome: A,
      holds: (b) =>
        b.data.beneficiary.facts.some((x: { kind: string }) => x.kind === 'DISABILITY_PERCENTAGE'),
    },
  },
  {
    id: 'Query.personFacts: disability_percentage and the DISABILITY group',
    caller: 'centre_staff',
    call: (f) =>
      q(
        `query($id: UUID!) { personFacts(personId: $id, asOf: "2026-01-01") { withheld facts { fact value } } }`,
        {
          id: f.special.person,
        },
      ),
    plain: {
      outcome: A,
      holds: (b) =>
        b.data.personFacts.withheld === true &&
        !b.data.personFacts.facts.some(
          (x: { fact: string; value: unknown }) =>
            x.fact === 'disability_percentage' ||
            (x.fact === 'groups' && JSON.stringify(x.value).match(/DISABILITY|ROMA/)),
        ),
    },
    special: {
      outcome: A,
      holds: (b) =>
        b.data.personFacts.facts.some((x: { fact: string }) => x.fact === 'disability_percentage'),
    },
  },
  {
    id: 'Mutation.recordPersonFact(fact: disability_percentage)',
    caller: 'centre_staff',
    fresh: async (f) => ({ id: await f.person(f.targets.own.area) }),
    call: (_f, x) =>
      q(
        `mutation($id: UUID!) { recordPersonFact(input: { personId: $id, fact: "disability_percentage", value: 80, basis: DOCUMENT, asOf: "2025-01-01" }) { id } }`,
        { id: x.id },
      ),
    plain: { outcome: F },
    special: { outcome: A },
  },
  {
    id: 'Query.enrolments of a DISABILITY programme',
    caller: 'centre_staff',
    call: (f) =>
      q(`query($p: UUID) { enrolments(programmeId: $p) { totalCount edges { node { id } } } }`, {
        p: f.special.disabilityProgramme,
      }),
    plain: { outcome: A, holds: (b) => b.data.enrolments.totalCount === 0 && enrolmentIds(b).length === 0 },
    special: { outcome: A, holds: (b, f) => enrolmentIds(b).includes(f.special.disabilityEnrolment) },
  },
  {
    id: 'Query.enrolments of a person in ROMA and DISABILITY programmes',
    caller: 'centre_staff',
    call: (f) =>
      q(
        `query($p: UUID) { enrolments(personId: $p) { totalCount edges { node { id programme { targetGroups } } } } }`,
        {
          p: f.special.person,
        },
      ),
    plain: {
      outcome: A,
      holds: (b, f) =>
        b.data.enrolments.totalCount === 1 &&
        JSON.stringify(enrolmentIds(b)) === JSON.stringify([f.special.plainEnrolment]),
    },
    special: { outcome: A, holds: (b) => b.data.enrolments.totalCount === 3 && enrolmentIds(b).length === 3 },
  },
  {
    id: 'Query.entitlements: ROMA and DISABILITY programmes withheld',
    caller: 'centre_staff',
    call: (f) =>
      q(
        `query($id: UUID!) { entitlements(personId: $id) { withheldProgrammes entitlements { programmeId } } }`,
        {
          id: f.special.person,
        },
      ),
    plain: {
      outcome: A,
      holds: (b, f) =>
        b.data.entitlements.withheldProgrammes >= 2 &&
        !entitledIds(b).includes(f.special.romaProgramme) &&
        !entitledIds(b).includes(f.special.disabilityProgramme),
    },
    special: {
      outcome: A,
      holds: (b, f) =>
        b.data.entitlements.withheldProgrammes === 0 &&
        entitledIds(b).includes(f.special.romaProgramme) &&
        entitledIds(b).includes(f.special.disabilityProgramme),
    },
  },
  {
    id: 'Query.eligibleNotEnrolled of a DISABILITY programme',
    caller: 'centre_staff',
    call: (f) =>
      q(`query($p: UUID!) { eligibleNotEnrolled(programmeId: $p) { totalCount } }`, {
        p: f.special.disabilityProgramme,
      }),
    plain: { outcome: F },
    special: { outcome: A },
  },
  {
    id: 'Query.enrolment in a ROMA programme, by id',
    caller: 'centre_staff',
    call: (f) => q(`query($id: UUID!) { enrolment(id: $id) { id } }`, { id: f.special.romaEnrolment }),
    plain: { outcome: N },
    special: { outcome: A },
  },
  {
    id: 'Mutation.changeEnrolmentStatus of an enrolment in a DISABILITY programme',
    caller: 'centre_staff',
    fresh: async (f) => ({ id: await f.enrolment(f.targets.own.area, f.special.disabilityProgramme) }),
    call: (_f, x) =>
      q(
        `mutation($id: UUID!) { changeEnrolmentStatus(id: $id, input: { status: ACTIVE, on: "2025-03-01" }) { id } }`,
        {
          id: x.id!,
        },
      ),
    plain: { outcome: N },
    special: { outcome: A },
  },
  {
    id: 'Mutation.enrol in a ROMA programme',
    caller: 'centre_staff',
    fresh: async (f) => ({ id: await f.person(f.targets.own.area) }),
    call: (f, x) =>
      q(`mutation($input: EnrolInput!) { enrol(input: $input) { id } }`, {
        input: { personId: x.id, programmeId: f.special.romaProgramme, appliedOn: '2025-02-01' },
      }),
    plain: { outcome: F },
    special: { outcome: A },
  },
  {
    id: 'Query.beneficiaries(group: ROMA)',
    caller: 'centre_staff',
    call: () => q(`{ beneficiaries(group: ROMA) { edges { node { id } } } }`),
    plain: { outcome: F },
    special: { outcome: A, holds: (b, f) => nodes(b.data.beneficiaries).includes(f.special.person) },
  },
  {
    id: 'Mutation.addGroupMembership(group: DISABILITY)',
    caller: 'centre_staff',
    fresh: async (f) => ({ id: await f.person(f.targets.own.area) }),
    call: (_f, x) =>
      q(
        `mutation($id: UUID!) { addGroupMembership(input: { personId: $id, group: DISABILITY, basis: DOCUMENT, validFrom: "2024-01-01" }) { id } }`,
        { id: x.id },
      ),
    plain: { outcome: F },
    special: { outcome: A },
  },
  {
    id: 'Mutation.setEsfParticipation with a minority answer',
    caller: 'centre_staff',
    fresh: async (f) => ({ id: await f.person(f.targets.own.area) }),
    call: (_f, x) =>
      q(
        `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: EMPLOYED, educationLevel: ISCED_3_4, migrantOrForeignBackground: NO, homelessOrHousingExclusion: NO, ruralArea: NO, minority: YES }) { minority } }`,
        { id: x.id },
      ),
    plain: { outcome: F },
    special: { outcome: A },
  },
  {
    id: 'GET /api/v1/beneficiaries/{id}/export: everything, ROMA and DISABILITY included',
    caller: 'centre_staff',
    purpose: 'DATA_SUBJECT_REQUEST',
    call: (f) => get(`${api}/beneficiaries/${f.special.person}/export`),
    plain: { outcome: F },
    special: {
      outcome: A,
      holds: (b) => JSON.stringify(b).includes('"ROMA"') && JSON.stringify(b).includes('"DISABILITY"'),
    },
  },
  {
    id: 'GET /api/v1/beneficiaries/{id}/export leaves staff ids out (changedBy, givenBy)',
    caller: 'centre_staff',
    purpose: 'DATA_SUBJECT_REQUEST',
    call: (f) => get(`${api}/beneficiaries/${f.special.person}/export`),
    special: { outcome: A, holds: (b) => !/"(changedBy|givenBy)"/.test(JSON.stringify(b)) },
  },
  {
    id: "GET /api/v1/beneficiaries/{id}/export of another area's person",
    caller: 'centre_staff',
    purpose: 'DATA_SUBJECT_REQUEST',
    call: (f) => get(`${api}/beneficiaries/${f.targets.other.person}/export`),
    plain: { outcome: F },
    special: { outcome: N },
  },
  {
    id: 'GET /api/v1/beneficiaries/{id}/export with a purpose other than DATA_SUBJECT_REQUEST',
    caller: 'national_admin',
    purpose: 'CASE_MANAGEMENT',
    call: (f) => get(`${api}/beneficiaries/${f.special.person}/export`),
    special: { outcome: 'PURPOSE_REQUIRED' },
  },
  {
    id: 'Query.auditEvents with a purpose other than AUDIT_REVIEW or DATA_SUBJECT_REQUEST',
    caller: 'auditor',
    purpose: 'CASE_MANAGEMENT',
    call: () => q(`{ auditEvents(first: 1) { totalCount } }`),
    plain: { outcome: 'PURPOSE_REQUIRED' },
  },
  {
    id: 'GET /api/v1/audit-events for a data subject request',
    caller: 'auditor',
    purpose: 'DATA_SUBJECT_REQUEST',
    call: () => get(`${api}/audit-events?limit=1`),
    plain: { outcome: A },
  },
  {
    id: "PersonRegistered.likelyDuplicates counts no one of another area (the other area's name and birth date)",
    caller: 'centre_staff',
    call: async (f) =>
      q(
        `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } likelyDuplicates } } }`,
        {
          input: {
            givenName: 'Ελένη',
            surname: f.targets.other.surname,
            birthDate: await birthDateOf(f, f.targets.other.person),
            gender: 'FEMALE',
            municipalityCode: f.targets.own.area.municipality,
          },
        },
      ),
    plain: { outcome: A, holds: (b) => registered(b).likelyDuplicates === 0 },
  },
  {
    id: "PersonRegistered.likelyDuplicates counts the caller's own area (its own person's name and birth date)",
    caller: 'centre_staff',
    call: async (f) =>
      q(
        `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } likelyDuplicates } } }`,
        {
          input: {
            givenName: 'Ελένη',
            surname: f.targets.own.surname,
            birthDate: await birthDateOf(f, f.targets.own.person),
            gender: 'FEMALE',
            municipalityCode: f.targets.own.area.municipality,
          },
        },
      ),
    plain: { outcome: A, holds: (b) => registered(b).likelyDuplicates === 1 },
  },
  {
    id: "DuplicatePerson for another area's AFM: that it exists elsewhere, never the record",
    caller: 'centre_staff',
    call: (f) =>
      q(
        `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { __typename ... on DuplicatePerson { inYourArea existing { id } } } }`,
        {
          input: {
            givenName: 'Ελένη',
            surname: f.uniqueName(),
            birthDate: '1985-05-05',
            gender: 'FEMALE',
            municipalityCode: f.targets.own.area.municipality,
            afm: f.targets.other.afm,
          },
        },
      ),
    plain: {
      outcome: A,
      holds: (b) =>
        registered(b).__typename === 'DuplicatePerson' &&
        registered(b).inYourArea === false &&
        registered(b).existing === null,
    },
  },
];

/**
 * Rules on credentials, whatever the operation (checked on `{ me { id } }`): each role carries
 * exactly the area claim it needs (centre staff: municipalities, optionally their centre; regional
 * officers: a region; provider staff: an existing provider; national roles: none), every token has
 * an `exp` no more than 12 hours ahead. Anything else is refused with 401.
 */
export interface ClaimRule {
  id: string;
  claims: (f: Fixtures) => Record<string, unknown>;
  /** Seconds until exp; undefined for a token without exp. */
  expiresIn: number | undefined;
  expected: Outcome;
}

const HOUR = 3600;
export const CLAIM_RULES: ClaimRule[] = [
  {
    id: 'centre_staff with municipalities',
    claims: () => ({ roles: ['centre_staff'], municipalities: ['4912'] }),
    expiresIn: HOUR,
    expected: A,
  },
  {
    id: 'centre_staff with municipalities and its centre',
    claims: (f) => ({ roles: ['centre_staff'], municipalities: ['4912'], centre: f.targets.own.provider }),
    expiresIn: HOUR,
    expected: A,
  },
  {
    id: 'centre_staff with a region instead',
    claims: () => ({ roles: ['centre_staff'], region: '9' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'centre_staff with municipalities and a region',
    claims: () => ({ roles: ['centre_staff'], municipalities: ['4912'], region: '9' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'regional_officer with a region',
    claims: () => ({ roles: ['regional_officer'], region: '9' }),
    expiresIn: HOUR,
    expected: A,
  },
  {
    id: 'regional_officer with municipalities instead',
    claims: () => ({ roles: ['regional_officer'], municipalities: ['4912'] }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'provider_staff with an existing provider',
    claims: (f) => ({ roles: ['provider_staff'], provider: f.targets.own.provider }),
    expiresIn: HOUR,
    expected: A,
  },
  {
    id: 'provider_staff with provider "demo"',
    claims: () => ({ roles: ['provider_staff'], provider: 'demo' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'provider_staff with provider ""',
    claims: () => ({ roles: ['provider_staff'], provider: '' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'provider_staff with a provider that does not exist',
    claims: () => ({ roles: ['provider_staff'], provider: '00000000-0000-4000-8000-000000000000' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'national_admin with no area',
    claims: () => ({ roles: ['national_admin'] }),
    expiresIn: HOUR,
    expected: A,
  },
  {
    id: 'national_admin with a region',
    claims: () => ({ roles: ['national_admin'], region: '9' }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'auditor with municipalities',
    claims: () => ({ roles: ['auditor'], municipalities: ['4912'] }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'import_operator with a provider',
    claims: (f) => ({ roles: ['import_operator'], provider: f.targets.own.provider }),
    expiresIn: HOUR,
    expected: U,
  },
  {
    id: 'a token without exp',
    claims: () => ({ roles: ['national_admin'] }),
    expiresIn: undefined,
    expected: U,
  },
  {
    id: 'a token valid for 11 hours',
    claims: () => ({ roles: ['national_admin'] }),
    expiresIn: 11 * HOUR,
    expected: A,
  },
  {
    id: 'a token valid for 13 hours',
    claims: () => ({ roles: ['national_admin'] }),
    expiresIn: 13 * HOUR,
    expected: U,
  },
  {
    id: 'a token valid for 100 years',
    claims: () => ({ roles: ['national_admin'] }),
    expiresIn: 100 * 365 * 24 * HOUR,
    expected: U,
  },
];
