import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { hashSecret } from '../../src/auth/auth.service.js';
import { Permission, Role } from '../../src/auth/roles.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { makeAfm } from '../../src/common/identifiers/afm.js';
import { WebhookDispatcher } from '../../src/outbox/webhook-dispatcher.js';
import { ReferralLinkTokens } from '../../src/referrals/referral-link-token.js';
import { TEST_JWT_SECRET, TEST_REFERRAL_LINK_SECRET, type TestApp } from '../support/test-app.js';
import type { Body } from './matrix.js';

/**
 * The objects the authorization matrix acts on, created once per test file through the API itself:
 * two areas in different regions, each with a person, household, consent, group membership,
 * enrolment, duplicate review, provider (with a location and a service), programme and API key;
 * plus, in the caller's own area, a person with special-category data (ROMA, DISABILITY, ESF
 * minority/disability answers, a disability percentage) enrolled in a Roma and a disability programme.
 */

/** Every role's token is anchored in OWN (Spata, Attica); OTHER is Alexandreia, Central Macedonia. */
export const AREAS = {
  own: { municipality: '4912', neighbour: '4904', region: '9' },
  other: { municipality: '0802', neighbour: '0801', region: '2' },
} as const;
export type AreaName = keyof typeof AREAS;
export type Area = (typeof AREAS)[AreaName];

/** One area's objects; an operation's request is built from the target area's set. */
export interface Target {
  area: Area;
  person: string;
  surname: string;
  afm: string;
  /** A person of the area in no household, to add to one. */
  loner: string;
  household: string;
  /** A member of the household who is not its reference person. */
  member: string;
  consent: string;
  membership: string;
  enrolment: string;
  review: string;
  reviewSurvivor: string;
  provider: string;
  location: string;
  service: string;
  serviceAtLocation: string;
  programme: string;
  programmeCode: string;
  apiKey: string;
  /** A SENT referral of `person` (who consented) to `provider`; its event is published. */
  referral: string;
  /** An active webhook subscription to the area's municipality. */
  webhookSubscription: string;
  /** A dead delivery of the referral's event. */
  deadDelivery: string;
}

export interface SpecialFixtures {
  person: string;
  romaProgramme: string;
  disabilityProgramme: string;
  romaEnrolment: string;
  disabilityEnrolment: string;
  plainEnrolment: string;
}

const PURPOSE = { 'X-Purpose': 'CASE_MANAGEMENT' };
const GREEK = 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ';

/** Builds fixtures through the API as a national administrator holding special_category. */
export class Fixtures {
  private n = 0;
  private admin!: string;
  readonly targets = {} as Record<AreaName, Target>;
  special!: SpecialFixtures;

  constructor(readonly t: TestApp) {}

  /** A name no other fixture has (so no likely-duplicate pairs appear unasked). */
  uniqueName(): string {
    let n = ++this.n;
    let s = '';
    do {
      s += GREEK[n % GREEK.length];
      n = Math.floor(n / GREEK.length);
    } while (n > 0);
    return `Δοκιμή${s.toLowerCase()}`;
  }

  /** A counter for unique codes and birth dates. */
  next(): number {
    return ++this.n;
  }

  async gql<T = Record<string, Body>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.t.gql(this.admin, query, variables, PURPOSE);
    if (res.body.errors) throw new Error(`fixture failed: ${JSON.stringify(res.body.errors)}`);
    return res.body.data as T;
  }

  async rest(method: 'post' | 'put', path: string, body: object): Promise<Record<string, Body>> {
    const res = await this.t.http[method](`/api/v1${path}`)
      .set('Authorization', `Bearer ${this.admin}`)
      .set(PURPOSE)
      .send(body);
    if (res.status >= 300) throw new Error(`fixture failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async person(area: Area, opts: { surname?: string; birthDate?: string; afm?: string } = {}) {
    const n = this.next();
    const birthDate =
      opts.birthDate ?? new Date(Date.UTC(1950, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    const data = await this.gql(
      `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`,
      {
        input: {
          givenName: 'Ελένη',
          surname: opts.surname ?? this.uniqueName(),
          birthDate,
          gender: 'FEMALE',
          municipalityCode: area.municipality,
          ...(opts.afm ? { afm: opts.afm } : {}),
        },
      },
    );
    const id = data.registerPerson.beneficiary?.id as string | undefined;
    if (!id) throw new Error('fixture person was taken for a duplicate');
    return id;
  }

  async household(area: Area): Promise<{ household: string; reference: string; member: string }> {
    const reference = await this.person(area);
    const member = await this.person(area);
    const h = await this.gql(
      `mutation($id: UUID!) { createHousehold(input: { referencePersonId: $id }) { id } }`,
      {
        id: reference,
      },
    );
    await this.gql(
      `mutation($h: UUID!, $p: UUID!) { addHouseholdMember(input: { householdId: $h, personId: $p, relationship: CHILD }) { id } }`,
      { h: h.createHousehold.id, p: member },
    );
    return { household: h.createHousehold.id, reference, member };
  }

  async consent(area: Area, person?: string): Promise<string> {
    const data = await this.gql(
      `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: REFERRAL_TO_PROVIDERS }) { id } }`,
      { id: person ?? (await this.person(area)) },
    );
    return data.giveConsent.id;
  }

  async membership(area: Area, person?: string, group = 'HOMELESS'): Promise<string> {
    const data = await this.gql(
      `mutation($id: UUID!, $g: BeneficiaryGroup!) { addGroupMembership(input: { personId: $id, group: $g, basis: DOCUMENT, validFrom: "2020-01-01" }) { id } }`,
      { id: person ?? (await this.person(area)), g: group },
    );
    return data.addGroupMembership.id;
  }

  async enrolment(area: Area, programme: string, person?: string): Promise<string> {
    const data = await this.gql(`mutation($input: EnrolInput!) { enrol(input: $input) { id } }`, {
      input: {
        personId: person ?? (await this.person(area)),
        programmeId: programme,
        appliedOn: '2025-01-10',
      },
    });
    return data.enrol.id;
  }

  /** Two records with one name and birth date: the registry queues them for review. */
  async review(area: Area): Promise<{ review: string; survivor: string }> {
    const surname = this.uniqueName();
    const birthDate = new Date(Date.UTC(1940, 0, 1) + this.next() * 86_400_000).toISOString().slice(0, 10);
    const a = await this.person(area, { surname, birthDate });
    const b = await this.person(area, { surname, birthDate });
    const [row] = await this.t.db.query<{ id: string }>(
      `SELECT id FROM duplicate_review WHERE (person_a = $1 AND person_b = $2) OR (person_a = $2 AND person_b = $1)`,
      [a, b],
    );
    if (!row) throw new Error('fixture review was not queued');
    return { review: row.id, survivor: a };
  }

  providerInput(area: Area, name = `Πάροχος ${this.uniqueName()}`) {
    return { kindCode: 'COMMUNITY_CENTRE', name, municipalityCode: area.municipality };
  }

  async provider(area: Area): Promise<string> {
    return (await this.rest('post', '/providers', this.providerInput(area))).id;
  }

  programmeInput(area: Area, code = `MX-${this.next()}`, targetGroups = ['ALL_RESIDENTS']) {
    return {
      code,
      title: `Πρόγραμμα ${code}`,
      kind: 'SERVICE',
      administeringBody: 'Περιφέρεια',
      fundingSource: 'REGIONAL',
      targetGroups,
      ownerRegionCode: area.region,
      coverage: [{ areaLevel: 'REGION', areaCode: area.region }],
    };
  }

  async programme(area: Area, targetGroups?: string[]): Promise<{ id: string; code: string }> {
    const body = await this.rest('post', '/programmes', this.programmeInput(area, undefined, targetGroups));
    return { id: body.id, code: body.code };
  }

  /** A programme of the area whose rule everyone meets (age >= 0): its outreach list holds the area's people. */
  async ruledProgramme(area: Area): Promise<string> {
    const body = await this.rest('post', '/programmes', {
      ...this.programmeInput(area),
      eligibilityRule: {
        criteria: [{ id: 'age', el: 'Ηλικία', en: 'Age', test: { '>=': [{ var: 'age' }, 0] } }],
      },
      ruleCases: [{ name: 'anyone', asOf: '2025-01-01', facts: { age: 40 }, expectedOutcome: 'ELIGIBLE' }],
    });
    return body.id;
  }

  /** A referral of a person who consented, sent to a provider. */
  async referral(person: string, provider: string): Promise<string> {
    const data = await this.gql(`mutation($input: ReferralInput!) { createReferral(input: $input) { id } }`, {
      input: {
        personId: person,
        providerId: provider,
        dueOn: '2030-01-01',
        sharedFields: ['NAME'],
        send: true,
      },
    });
    return data.createReferral.id;
  }

  /**
   * A link to a referral (a row and its signed token; the API's own writes are the matrix's calls).
   */
  async referralLink(referral: string): Promise<{ id: string; token: string }> {
    const [row] = await this.t.db.query<{ id: string; created_at: Date; expires_at: Date }>(
      `INSERT INTO referral_link (referral_id, created_by, expires_at)
       VALUES ($1, 'matrix-setup', now() + interval '1 day') RETURNING id, created_at, expires_at`,
      [referral],
    );
    const tokens = new ReferralLinkTokens(
      loadConfig({ NODE_ENV: 'test', REFERRAL_LINK_SECRET: TEST_REFERRAL_LINK_SECRET }),
    );
    return { id: row!.id, token: await tokens.sign(row!.id, referral, row!.expires_at, row!.created_at) };
  }

  /** A webhook subscription row (the API's own writes are the matrix's calls). */
  async webhookSubscription(area: Area): Promise<string> {
    const [row] = await this.t.db.query<{ id: string }>(
      `INSERT INTO webhook_subscription (name, url, secret, topics, municipality_codes, created_by)
       VALUES ($1, 'http://127.0.0.1:9/hook', $2, '{referral.sent}', $3, 'matrix-setup') RETURNING id`,
      [`matrix ${this.next()}`, randomBytes(24).toString('base64url'), [area.municipality]],
    );
    return row!.id;
  }

  private importJobId?: Promise<string>;

  /** A finished import job with a row problem (imports are national: one serves every area). */
  importJob(): Promise<string> {
    this.importJobId ??= (async () => {
      const [row] = await this.t.db.query<{ id: string }>(
        `INSERT INTO import_job (feed, file_name, sha256, byte_size, status, phase, rows_read, rows_rejected,
                                 created_by, started_at, finished_at)
         VALUES ('DYPA', 'matrix.csv', repeat('a', 64), 10, 'SUCCEEDED', 'DONE', 1, 1, 'matrix-setup', now(), now())
         RETURNING id`,
      );
      await this.t.db.query(
        `INSERT INTO import_row_problem (job_id, line, field, code, message)
         VALUES ($1, 2, 'amka', 'BAD_IDENTIFIER', 'The AMKA fails its check digit.')`,
        [row!.id],
      );
      return row!.id;
    })();
    return this.importJobId;
  }

  /** A delivery of the referral's (published) event that failed every attempt. */
  async deadDelivery(area: Area, referral: string): Promise<string> {
    const subscription = await this.webhookSubscription(area);
    const [row] = await this.t.db.query<{ id: string }>(
      `INSERT INTO webhook_delivery (event_id, subscription_id, attempts, next_attempt_at, last_attempt_at, last_status, last_error, dead_at)
       SELECT e.id, $2, 8, now(), now(), 500, 'HTTP 500', now()
         FROM outbox_event e WHERE e.aggregate_id = $1 ORDER BY e.seq LIMIT 1
       RETURNING id`,
      [referral, subscription],
    );
    if (!row) throw new Error('fixture dead delivery: the referral has no event');
    return row.id;
  }

  /** An API key row with a known secret (as the service stores it: only the hash). */
  async apiKey(roles: Role[], regionCode: string | null): Promise<{ id: string; key: string }> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await this.t.db.query(
      `INSERT INTO api_key (id, name, secret_hash, roles, permissions, region_code, created_by, created_at)
       VALUES ($1, $2, $3, $4, '{}', $5, 'matrix-setup', now())`,
      [id, `matrix ${roles.join(',')} ${regionCode ?? 'none'}`, hashSecret(secret), roles, regionCode],
    );
    return { id, key: `mitroa_${id.replace(/-/g, '')}_${secret}` };
  }

  async build(): Promise<void> {
    this.admin = await this.t.token(
      { roles: [Role.NATIONAL_ADMIN], permissions: [Permission.SPECIAL_CATEGORY] },
      'matrix-setup',
    );
    let afm = 30000000;
    for (const name of ['own', 'other'] as const) {
      const area = AREAS[name];
      const surname = this.uniqueName();
      const personAfm = makeAfm(String(++afm));
      const person = await this.person(area, { surname, afm: personAfm });
      const { household, member } = await this.household(area);
      const programme = await this.programme(area);
      const provider = await this.rest('post', '/providers', {
        ...this.providerInput(area),
        locations: [{ address: 'Οδός 1', municipalityCode: area.municipality }],
        services: [
          { name: 'Υποδοχή', categoryCode: 'INFORMATION_AND_REFERRAL', targetGroups: ['ALL_RESIDENTS'] },
        ],
      });
      const [sal] = await this.t.db.query<{ location: string; service: string; sal: string }>(
        `SELECT l.id AS location, s.id AS service, md5(s.id || ':' || l.id)::uuid AS sal
           FROM provider_location l JOIN provider_service s ON s.provider_id = l.provider_id WHERE l.provider_id = $1`,
        [provider.id],
      );
      const review = await this.review(area);
      this.targets[name] = {
        area,
        person,
        surname,
        afm: personAfm,
        loner: await this.person(area),
        household,
        member,
        consent: await this.consent(area, person),
        membership: await this.membership(area, person),
        enrolment: await this.enrolment(area, programme.id, person),
        review: review.review,
        reviewSurvivor: review.survivor,
        provider: provider.id,
        location: sal!.location,
        service: sal!.service,
        serviceAtLocation: sal!.sal,
        programme: programme.id,
        programmeCode: programme.code,
        apiKey: (await this.apiKey([Role.REGIONAL_OFFICER], area.region)).id,
        referral: '',
        webhookSubscription: '',
        deadDelivery: '',
      };
      this.targets[name].referral = await this.referral(person, provider.id);
    }
    // The referrals' events get their positions, so that the pull (GET /events) returns them.
    await this.t.app.get(WebhookDispatcher).publish(new Date());
    for (const name of ['own', 'other'] as const) {
      const target = this.targets[name];
      target.webhookSubscription = await this.webhookSubscription(target.area);
      target.deadDelivery = await this.deadDelivery(target.area, target.referral);
    }
    const own = AREAS.own;
    const person = await this.person(own);
    await this.membership(own, person, 'ROMA');
    await this.membership(own, person, 'DISABILITY');
    await this.gql(
      `mutation($id: UUID!) { setEsfParticipation(input: { personId: $id, employmentStatus: UNEMPLOYED, educationLevel: ISCED_0_2, migrantOrForeignBackground: NO, homelessOrHousingExclusion: NO, ruralArea: NO, minority: YES, disability: YES }) { employmentStatus } }`,
      { id: person },
    );
    await this.t.db.query(
      `INSERT INTO person_fact (person_id, kind, tax_year, value_numeric, source, as_of, basis)
       VALUES ($1, 'household_income_annual', 2024, 5100, 'TAXIS', '2025-07-31', 'FEED'),
              ($1, 'disability_percentage', NULL, 80, 'KEPA', '2024-03-01', 'FEED')`,
      [person],
    );
    const roma = await this.programme(own, ['ROMA']);
    const disability = await this.programme(own, ['DISABILITY']);
    this.special = {
      person,
      romaProgramme: roma.id,
      disabilityProgramme: disability.id,
      romaEnrolment: await this.enrolment(own, roma.id, person),
      disabilityEnrolment: await this.enrolment(own, disability.id, person),
      plainEnrolment: await this.enrolment(own, this.targets.own.programme, person),
    };
  }
}

/**
 * Signs a token the way an identity provider would, with full control of the claims and of `exp`
 * (undefined: no exp at all), to test the rules on claims and lifetimes.
 */
export async function rawToken(
  t: TestApp,
  subject: string,
  claims: Record<string, unknown>,
  expiresInSeconds: number | undefined,
): Promise<string> {
  const config = t.app.get(AppConfig);
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt();
  if (expiresInSeconds !== undefined)
    jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds);
  return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
}
