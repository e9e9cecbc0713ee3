import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLInputField,
} from 'graphql';
import { Permission, Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Input at the edge (issue 8, items 7, 14, 15 and 16): whatever a client sends, the answer is a
 * typed 4xx, never a 5xx, and nothing malformed reaches SQL or an audit write.
 */

/** An argument or input field that carries an id of ours. */
const ID_LIKE = /^(id|.+Id|.+Ids)$/;
/** Id-like names that are not UUIDs, with the reason. */
const NOT_UUIDS: Record<string, string> = {
  actorId: "a token's subject (sub), which the identity provider chooses",
};

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id version } } }
}`;
const UPDATE = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { id } }`;
const PERSON = {
  givenName: 'Ελένη',
  surname: 'Γεωργίου',
  birthDate: '1975-03-02',
  gender: 'FEMALE',
  municipalityCode: '4912',
};
const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

interface Answer {
  status: number;
  text: string;
  body: {
    errors?: Array<{ message: string; extensions: { code: string; fields?: Array<{ field: string }> } }>;
  };
}

/** The answer is a 4xx-class refusal with this code (GraphQL answers some with 200). */
function expectRefused(res: Answer, codes: string[], field?: string): void {
  expect(res.status).toBeLessThan(500);
  expect(res.text).not.toMatch(/INTERNAL|TRANSACTION_FAILED|QueryFailedError|at .*\.[jt]s/);
  const graphql = res.body.errors?.[0]?.extensions ? res.body.errors[0] : undefined;
  const code = graphql ? graphql.extensions.code : (JSON.parse(res.text) as { code: string }).code;
  expect(codes).toContain(code);
  if (field) {
    const fields = graphql
      ? graphql.extensions.fields
      : (JSON.parse(res.text) as { errors?: Array<{ field: string }> }).errors;
    expect((fields ?? []).map((f) => f.field)).toContain(field);
  }
}

describe('input at the edge', () => {
  let t: TestApp;
  let staff: string;
  let auditor: string;
  let admin: string;
  let personId: string;
  const H = { 'X-Purpose': 'CASE_MANAGEMENT' };
  const gql = (token: string, query: string, variables?: Record<string, unknown>) =>
    t.gql(token, query, variables, H);
  const rest = (token: string) => ({
    get: (path: string) =>
      t.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`).set('X-Purpose', 'AUDIT_REVIEW'),
    post: (path: string, body: string) =>
      t.http
        .post(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Purpose', 'REGISTRATION')
        .set('Content-Type', 'application/json')
        .send(body),
  });
  const people = async () => Number((await t.db.query(`SELECT count(*)::int AS n FROM person`))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    staff = await t.token(
      { roles: [Role.CENTRE_STAFF], municipalities: ['4912'], permissions: [Permission.SPECIAL_CATEGORY] },
      'edge-staff',
    );
    auditor = await t.token({ roles: [Role.AUDITOR] }, 'edge-auditor');
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'edge-admin');
    const res = await gql(staff, REGISTER, { input: PERSON });
    personId = res.body.data.registerPerson.beneficiary.id;
  });
  afterAll(() => t.close());

  describe('ids are UUIDs wherever a client sends one (item 7)', () => {
    it('declares every id-like GraphQL argument and input field as UUID, and no input as ID', () => {
      const schema = t.app.get(GraphQLSchemaHost).schema;
      const offenders: string[] = [];
      const check = (where: string, item: GraphQLArgument | GraphQLInputField) => {
        const type = getNamedType(item.type).name;
        if (type === 'ID') offenders.push(`${where} is ID`);
        if (ID_LIKE.test(item.name) && !NOT_UUIDS[item.name] && type !== 'UUID')
          offenders.push(`${where} is ${type}`);
      };
      for (const type of Object.values(schema.getTypeMap())) {
        if (type.name.startsWith('__')) continue;
        if (isObjectType(type))
          for (const field of Object.values(type.getFields()))
            for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg);
        if (isInputObjectType(type))
          for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field);
      }
      expect(offenders).toEqual([]);
    });

    it('refuses a malformed id in every REST path with 400, and id-like query parameters are UUIDs', async () => {
      const doc = (await t.http.get('/api/openapi.json')).body as {
        paths: Record<
          string,
          Record<string, { parameters?: Array<{ name: string; in: string; schema?: { format?: string } }> }>
        >;
      };
      const withIds = Object.keys(doc.paths).filter((p) => /\{[^}]+\}/.test(p));
      expect(withIds.length).toBeGreaterThan(5);
      const badQuery: string[] = [];
      for (const [path, methods] of Object.entries(doc.paths))
        for (const [method, op] of Object.entries(methods))
          for (const p of op.parameters ?? [])
            if (p.in === 'query' && ID_LIKE.test(p.name) && !NOT_UUIDS[p.name] && p.schema?.format !== 'uuid')
              badQuery.push(`${method} ${path} ?${p.name}`);
      expect(badQuery).toEqual([]);
      for (const path of withIds) {
        for (const bad of ['not-a-uuid', '%00', 'a'.repeat(5000)]) {
          if (path.includes('{code}')) continue; // geography codes are not ids
          // A link's token is not an id but a credential: any unusable one is 404 REFERRAL_LINK_INVALID
          // (test/referral-links.e2e-spec.ts).
          if (path.includes('{token}')) continue;
          const url = path.replace(/^\/api\/v1/, '').replace(/\{[^}]+\}/g, bad);
          const methods = Object.keys(doc.paths[path]);
          const method = methods.includes('get') ? 'get' : methods[0];
          const res = await t.http[method as 'get'](`/api/v1${url}`)
            .set('Authorization', `Bearer ${admin}`)
            .set('X-Purpose', 'CASE_MANAGEMENT')
            .send({});
          expect([path, bad.slice(0, 12), res.status]).toEqual([path, bad.slice(0, 12), 400]);
          expectRefused(res, ['BAD_USER_INPUT']);
        }
      }
    });

    it.each([
      ['a NUL byte', 'a\u0000'],
      ['900 KB', 'a'.repeat(900_000)],
    ])('refuses an id with %s as BAD_USER_INPUT, without echoing it whole', async (_label, id) => {
      const res = await gql(staff, `query($id: UUID!) { beneficiary(id: $id) { id } }`, { id });
      expectRefused(res, ['BAD_USER_INPUT']);
      expect(res.text.length).toBeLessThan(1000);
    });
  });

  describe('malformed input is a 4xx, never a 5xx (item 14)', () => {
    it('refuses a NUL byte in an address and a lone surrogate in an e-mail, writing nothing', async () => {
      const before = await people();
      expectRefused(
        await gql(staff, REGISTER, { input: { ...PERSON, address: 'Οδός\u0000 1' } }),
        ['BAD_USER_INPUT'],
        'address',
      );
      expectRefused(
        await gql(staff, REGISTER, { input: { ...PERSON, email: 'a\ud800b@example.gr' } }),
        ['BAD_USER_INPUT'],
        'email',
      );
      expect(await people()).toBe(before);
    });

    it('refuses a list inside a list of nested objects (coverage: [[]], locations: [[]]) with the field, writing nothing', async () => {
      const tables = async () =>
        (
          await t.db.query(
            `SELECT (SELECT count(*) FROM programme)::int AS p, (SELECT count(*) FROM provider_location)::int AS l`,
          )
        )[0];
      const before = await tables();
      const programme = {
        code: 'NESTED-1',
        title: 'Δοκιμή',
        kind: 'SERVICE',
        administeringBody: 'Δήμος',
        fundingSource: 'MUNICIPAL',
        startsOn: '2024-01-01',
      };
      for (const coverage of [[[]], [{ areaLevel: 'MUNICIPALITY', areaCode: '4912' }, []], ['4912']])
        expectRefused(
          await rest(admin).post('/programmes', JSON.stringify({ ...programme, coverage })),
          ['BAD_USER_INPUT'],
          coverage.length === 1 ? 'coverage.0' : 'coverage.1',
        );
      expectRefused(
        await rest(admin).post(
          '/providers',
          JSON.stringify({
            name: 'Δοκιμή',
            kindCode: 'COMMUNITY_CENTRE',
            municipalityCode: '4912',
            locations: [[]],
          }),
        ),
        ['BAD_USER_INPUT'],
        'locations.0',
      );
      expect(await tables()).toEqual(before);
    });

    it('refuses cursors that were not made by the list: history, auditEvents, duplicateReviews', async () => {
      const history = await gql(
        staff,
        `query($id: UUID!, $a: String) { beneficiary(id: $id) { history(after: $a) { totalCount } } }`,
        { id: personId, a: cursor(['x']) },
      );
      expectRefused(history, ['BAD_USER_INPUT'], 'after');
      for (const bad of [cursor(['x']), cursor([1.5]), cursor(['1; DROP TABLE person']), 'not base64 !'])
        expectRefused(
          await t.gql(
            auditor,
            `query($a: String) { auditEvents(after: $a) { totalCount } }`,
            { a: bad },
            {
              'X-Purpose': 'AUDIT_REVIEW',
            },
          ),
          ['BAD_USER_INPUT'],
          'after',
        );
      for (const bad of [cursor(['x', personId]), cursor(['2023-02-30 10:00:00+00', personId])])
        expectRefused(
          await gql(staff, `query($a: String) { duplicateReviews(after: $a) { totalCount } }`, { a: bad }),
          ['BAD_USER_INPUT'],
          'after',
        );
    });

    it('refuses an instant that is not one: beneficiaryAsOf(at: "x"), 30 February, 25:00', async () => {
      for (const at of ['x', '2023-02-30T10:00:00Z', '2023-01-01T25:00:00Z', '2023-01-01']) {
        expectRefused(
          await gql(staff, `query($id: UUID!, $at: DateTime!) { beneficiaryAsOf(id: $id, at: $at) { id } }`, {
            id: personId,
            at,
          }),
          ['BAD_USER_INPUT'],
        );
        expectRefused(
          await gql(
            staff,
            `query($id: UUID!) { beneficiaryAsOf(id: $id, at: ${JSON.stringify(at)}) { id } }`,
            {
              id: personId,
            },
          ),
          ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'],
        );
      }
      const ok = await gql(
        staff,
        `query($id: UUID!) { beneficiaryAsOf(id: $id, at: "2999-01-01T00:00:00+02:00") { id } }`,
        { id: personId },
      );
      expect(ok.body.errors).toBeUndefined();
      expectRefused(
        await rest(auditor).get('/audit-events?since=2023-02-30T00:00:00Z'),
        ['BAD_USER_INPUT'],
        'since',
      );
      expectRefused(await rest(admin).get('/providers?openAt=x'), ['BAD_USER_INPUT'], 'openAt');
    });

    it('refuses ?subjectId=%00 and a non-UUID subjectId', async () => {
      expectRefused(await rest(auditor).get('/audit-events?subjectId=%00'), ['BAD_USER_INPUT'], 'subjectId');
      expectRefused(await rest(auditor).get('/audit-events?subjectId=abc'), ['BAD_USER_INPUT'], 'subjectId');
    });

    it('refuses deeply nested bodies and a 5,000-deep eligibility rule without overflowing the stack', async () => {
      const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
      expectRefused(await rest(staff).post('/beneficiaries', `{"address": ${deepArray}}`), [
        'BAD_USER_INPUT',
      ]);
      const rule = '{"not":'.repeat(5000) + '{"fact":"age","op":"exists"}' + '}'.repeat(5000);
      const programme = `{"code":"DEEP","title":"x","kind":"CASH_BENEFIT","administeringBody":"x","fundingSource":"ESF","national":true,"eligibilityRule":${rule}}`;
      expectRefused(await rest(admin).post('/programmes', programme), ['BAD_USER_INPUT'], undefined);
      const viaGraphql = await t.http
        .post('/graphql')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/json')
        .send(
          `{"query":"mutation($i: ProgrammeInput!) { createProgramme(input: $i) { id } }","variables":{"i":${programme}}}`,
        );
      expectRefused(viaGraphql, ['BAD_USER_INPUT']);
      expect(
        Number((await t.db.query(`SELECT count(*)::int AS n FROM programme WHERE code = 'DEEP'`))[0].n),
      ).toBe(0);
    });

    it.each(['givenName', 'surname', 'gender', 'birthDate'])(
      'refuses null for %s in updatePerson (a required column)',
      async (field) => {
        const res = await gql(staff, UPDATE, { input: { id: personId, version: 1, [field]: null } });
        expectRefused(res, ['BAD_USER_INPUT'], field);
      },
    );

    it('refuses a document of more than 3,000 tokens, an unknown operationName and a subscription', async () => {
      expectRefused(await gql(staff, `{ ${'me { roles } '.repeat(1000)} }`), ['GRAPHQL_PARSE_FAILED']);
      const unknown = await t.http
        .post('/graphql')
        .set('Authorization', `Bearer ${staff}`)
        .send({ query: 'query A { me { roles } }', operationName: 'B' });
      expectRefused(unknown, ['OPERATION_RESOLUTION_FAILURE']);
      expect(unknown.status).toBe(400);
      const subscription = await gql(staff, `subscription { me { roles } }`);
      expectRefused(subscription, ['GRAPHQL_VALIDATION_FAILED']);
      expect(subscription.status).toBe(400);
    });
  });

  describe('REST bodies and query strings are read as sent, or refused saying why', () => {
    type Operation = {
      parameters?: Array<{ name: string; in: string; schema?: { type?: string } }>;
      requestBody?: { content: Record<string, unknown> };
    };
    let doc: { paths: Record<string, Record<string, Operation>> };
    const anyId = '00000000-0000-4000-8000-000000000000';
    const problem = (res: { text: string }) =>
      JSON.parse(res.text) as {
        code: string;
        detail: string;
        errors?: Array<{ field: string; reason: string }>;
      };
    beforeAll(async () => {
      doc = (await t.http.get('/api/openapi.json')).body as typeof doc;
    });

    it('refuses a JSON body sent as text/plain, urlencoded or with no Content-Type with 415, writing nothing', async () => {
      const caller = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'edge-media-type');
      const provider = JSON.stringify({
        name: 'Δοκιμή',
        kindCode: 'COMMUNITY_CENTRE',
        municipalityCode: '4912',
      });
      const providers = async () =>
        Number((await t.db.query(`SELECT count(*)::int AS n FROM provider`))[0].n);
      const before = await providers();
      const send = (type?: string) => {
        const req = t.http.post('/api/v1/providers').set('Authorization', `Bearer ${caller}`);
        if (type) req.set('Content-Type', type);
        // A Buffer goes out as it is, with no Content-Type of supertest's own.
        return req.send(Buffer.from(provider));
      };
      for (const [type, said] of [
        ['text/plain', 'The body is text/plain'],
        ['application/x-www-form-urlencoded', 'The body is application/x-www-form-urlencoded'],
        [undefined, 'The body has no Content-Type'],
      ] as const) {
        const res = await send(type);
        expect([type, res.status]).toEqual([type, 415]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(problem(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(problem(res).detail).toContain(said);
        expect(problem(res).detail).toContain('Content-Type: application/json');
      }
      // The same JSON as application/json is read (and creates the provider).
      const ok = await t.http
        .post('/api/v1/providers')
        .set('Authorization', `Bearer ${caller}`)
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(provider);
      expect(ok.status).toBe(201);
      expect(await providers()).toBe(before + 1);
      const denied = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_event
          WHERE actor_id = 'edge-media-type' AND outcome = 'denied' AND reason = 'UNSUPPORTED_MEDIA_TYPE'`,
      );
      expect(denied[0].n).toBe(3);
    });

    it('refuses a non-JSON body on every documented JSON operation, and JSON on the multipart upload', async () => {
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths))
        for (const [method, op] of Object.entries(methods)) {
          if (!['post', 'put', 'patch'].includes(method) || !op.requestBody) continue;
          // A link's token is its credential: an unusable one is refused before any body is read.
          if (path.includes('{token}')) continue;
          const types = Object.keys(op.requestBody.content);
          const sent = types.includes('application/json') ? 'text/plain' : 'application/json';
          const res = await t.http[method as 'post'](path.replace(/\{[^}]+\}/g, anyId))
            .set('Authorization', `Bearer ${admin}`)
            .set('X-Purpose', 'CASE_MANAGEMENT')
            .set('Content-Type', sent)
            .send('{}');
          expect([method, path, res.status]).toEqual([method, path, 415]);
          expect(problem(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
          expect(problem(res).detail).toContain(`Content-Type: ${types[0]}`);
          expect(res.status).toBe(415);
          checked++;
        }
      expect(checked).toBeGreaterThan(8);
    });

    it('documents 415 (and the 1 MB body limit) on every operation that takes a body', () => {
      for (const [path, methods] of Object.entries(doc.paths))
        for (const method of ['post', 'put', 'patch']) {
          const op = methods[method] as (Operation & { responses: Record<string, unknown> }) | undefined;
          if (op)
            expect([method, path, Object.keys(op.responses)]).toEqual([
              method,
              path,
              expect.arrayContaining(['413', '415']),
            ]);
        }
    });

    it('keeps a POST that takes no body working with no Content-Type, and the multipart upload with multipart', async () => {
      const created = await t.http
        .post('/api/v1/webhook-subscriptions')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          name: 'Edge',
          url: 'https://partner.example.gr/hook',
          topics: ['referral.sent'],
          regionCode: '9',
        });
      expect(created.status).toBe(201);
      const off = await t.http
        .post(`/api/v1/webhook-subscriptions/${created.body.id}/deactivate`)
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Length', '0');
      expect(off.headers['content-type']).toMatch(/^application\/json/);
      expect([off.status, off.body.active]).toEqual([200, false]);
      const upload = await t.http
        .post('/api/v1/imports')
        .set('Authorization', `Bearer ${admin}`)
        .field('feed', 'NOPE')
        .attach('file', Buffer.from('x\n'), 'feed.csv');
      // Read as multipart: the feed field is what is refused, not the media type.
      expectRefused(upload, ['BAD_USER_INPUT'], 'feed');
    });

    it('says a query parameter was sent twice, on every documented query parameter', async () => {
      expectRefused(await rest(admin).get('/providers?limit=1&limit=2'), ['BAD_USER_INPUT'], 'limit');
      const twice = await rest(staff)
        .get('/beneficiaries?municipality=4912&municipality=4904')
        .set('X-Purpose', 'CASE_MANAGEMENT');
      expect(twice.status).toBe(400);
      expect(problem(twice)).toMatchObject({
        code: 'BAD_USER_INPUT',
        errors: [{ field: 'municipality', reason: 'sent 2 times; send it once' }],
      });
      expect(problem(twice).detail).toContain('municipality: sent 2 times; send it once');
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths))
        for (const p of methods.get?.parameters ?? []) {
          if (p.in !== 'query' || p.schema?.type === 'array' || path.includes('{token}')) continue;
          const url = `${path.replace(/\{[^}]+\}/g, path.includes('{code}') ? '4912' : anyId)}?${p.name}=1&${p.name}=2&${p.name}=3`;
          const res = await t.http
            .get(url)
            .set('Authorization', `Bearer ${admin}`)
            .set('X-Purpose', 'CASE_MANAGEMENT');
          expect([url, res.status]).toEqual([url, 400]);
          expect([url, problem(res).errors]).toEqual([
            url,
            [{ field: p.name, reason: 'sent 3 times; send it once' }],
          ]);
          checked++;
        }
      expect(checked).toBeGreaterThan(30);
      // Once is fine.
      expect((await rest(admin).get('/providers?limit=1')).status).toBe(200);
    });

    it('refuses malformed JSON as BAD_JSON with where it broke, echoing none of the body', async () => {
      const post = (body: string) => rest(staff).post('/beneficiaries', body);
      const secret = '01017012345';
      const cases: Array<[string, string]> = [
        [`{"amka": "${secret}", "givenName": Ελένη}`, 'unexpected character'],
        ['{\n  "givenName": "Ελένη",\n  "surname": "x",\n}', 'at line 4, column 1'],
        [`{"amka": "${secret}`, 'unterminated string at line 1, column 22'],
        [`{"amka": "${secret}"`, "expected ',' or '}' after property value at line 1, column 23"],
        [`{"amka": `, 'it ends before the JSON value does at line 1, column 10'],
        [`"${secret}"`, 'must be a JSON object'],
      ];
      for (const [body, said] of cases) {
        const res = await post(body);
        expect([body, res.status]).toEqual([body, 400]);
        expect(problem(res).code).toBe('BAD_JSON');
        expect(problem(res).detail).toMatch(/^The body is not valid JSON: /);
        expect([body, problem(res).detail]).toEqual([body, expect.stringContaining(said)]);
        expect(res.text).not.toContain(secret);
        expect(res.text).not.toContain('Ελένη');
      }
      const huge = await post(`{"address": "${'α'.repeat(100_000)}", x}`);
      expect(problem(huge).code).toBe('BAD_JSON');
      expect(huge.text.length).toBeLessThan(1000);
      const latin1 = await t.http
        .post('/api/v1/beneficiaries')
        .set('Authorization', `Bearer ${staff}`)
        .set('Content-Type', 'application/json; charset=latin1')
        .send('{}');
      expect([latin1.status, problem(latin1).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      const tooLarge = await post(JSON.stringify({ address: 'a'.repeat(1_100_000) }));
      expect([tooLarge.status, problem(tooLarge).code]).toEqual([413, 'BODY_TOO_LARGE']);
    });

    it("answers malformed JSON posted to /graphql in GraphQL's shape, with no stack", async () => {
      const res = await t.http
        .post('/graphql')
        .set('Authorization', `Bearer ${staff}`)
        .set('Content-Type', 'application/json')
        .send('{"query": "{ me { roles } }", x');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_JSON');
      expect(res.body.errors[0].message).toMatch(/^The body is not valid JSON/);
      expectRefused(res, ['BAD_JSON']);
    });
  });

  describe('data that is refused (item 15)', () => {
    it('refuses a birth date before 1900-01-01 or in the future, and accepts 1900-01-01', async () => {
      expectRefused(
        await gql(staff, REGISTER, { input: { ...PERSON, birthDate: '1800-01-01' } }),
        ['BAD_USER_INPUT'],
        'birthDate',
      );
      expectRefused(
        await gql(staff, UPDATE, { input: { id: personId, version: 1, birthDate: '1899-12-31' } }),
        ['BAD_USER_INPUT'],
      );
      expectRefused(await gql(staff, REGISTER, { input: { ...PERSON, birthDate: '2999-01-01' } }), [
        'BIRTH_DATE_IN_FUTURE',
      ]);
      const oldest = await gql(staff, REGISTER, {
        input: { ...PERSON, givenName: 'Σοφία', birthDate: '1900-01-01' },
      });
      expect(oldest.body.errors).toBeUndefined();
    });

    it.each([
      ['a right-to-left override', '\u202E'],
      ['a first-strong isolate', '\u2068'],
      ['a NUL byte', '\u0000'],
      ['an escape', '\u001B'],
      ['a C1 control', '\u0085'],
      ['a line feed', '\n'],
    ])('refuses %s in names and addresses, naming the field', async (_label, char) => {
      const before = await people();
      for (const field of ['givenName', 'surname', 'fatherName', 'address'])
        expectRefused(
          await gql(staff, REGISTER, { input: { ...PERSON, [field]: `Ανν${char}α` } }),
          ['BAD_USER_INPUT'],
          field,
        );
      expectRefused(
        await gql(staff, UPDATE, { input: { id: personId, version: 1, address: `Οδός${char}1` } }),
        ['BAD_USER_INPUT'],
        'address',
      );
      expect(await people()).toBe(before);
    });

    it('allows line breaks in free-text fields (a programme description) but not in its title', async () => {
      const programme = (extra: object) =>
        JSON.stringify({
          code: `ML-${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
          title: 'Πρόγραμμα',
          kind: 'CASH_BENEFIT',
          administeringBody: 'ΟΠΕΚΑ',
          fundingSource: 'ESF',
          national: true,
          ...extra,
        });
      const ok = await rest(admin).post('/programmes', programme({ description: 'Γραμμή 1\nΓραμμή 2' }));
      expect(ok.status).toBe(201);
      expectRefused(
        await rest(admin).post('/programmes', programme({ title: 'Γραμμή 1\nΓραμμή 2' })),
        ['BAD_USER_INPUT'],
        'title',
      );
    });

    it('refuses impossible calendar dates in Date arguments (2023-02-30)', async () => {
      expectRefused(
        await gql(staff, `query { programmes(activeOn: "2023-02-30") { totalCount } }`),
        ['BAD_USER_INPUT'],
        'activeOn',
      );
      expectRefused(
        await gql(staff, REGISTER, { input: { ...PERSON, birthDate: '1980-02-30' } }),
        ['BAD_USER_INPUT'],
        'birthDate',
      );
    });

    it.each(['constructor', '__proto__', 'prototype'])(
      'refuses a "%s" key anywhere in a REST body',
      async (key) => {
        const before = await people();
        const top = await rest(staff).post(
          '/beneficiaries',
          `{"${key}": {"polluted": true}, "givenName": "Άννα"}`,
        );
        expectRefused(top, ['BAD_USER_INPUT'], key);
        const nested = await rest(admin).post(
          '/programmes',
          `{"code":"P1","title":"x","kind":"CASH_BENEFIT","administeringBody":"x","fundingSource":"ESF","eligibilityRule":{"all":[{"${key}":{"x":1}}]}}`,
        );
        expectRefused(nested, ['BAD_USER_INPUT'], `eligibilityRule.all.0.${key}`);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(await people()).toBe(before);
      },
    );
  });
});

describe('error messages in production (item 16)', () => {
  let t: TestApp;
  let staff: string;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
    staff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'prod-staff');
  });
  afterAll(() => t.close());

  it('suggests no enum value, field or type', async () => {
    const answers = [
      await t.gql(
        staff,
        `mutation($i: AddGroupMembershipInput!) { addGroupMembership(input: $i) { id } }`,
        {
          i: {
            personId: '00000000-0000-4000-8000-000000000000',
            group: 'ROM',
            basis: 'SELF_DECLARED',
            validFrom: '2020-01-01',
          },
        },
        { 'X-Purpose': 'CASE_MANAGEMENT' },
      ),
      await t.gql(
        staff,
        `{ beneficiaries(group: ROM) { totalCount } }`,
        {},
        { 'X-Purpose': 'CASE_MANAGEMENT' },
      ),
      await t.gql(staff, `{ me { role } }`),
      await t.gql(staff, `query($x: Strin) { me { roles } }`, { x: 'a' }),
    ];
    for (const res of answers) {
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.text).not.toMatch(/did you mean|ROMA|roles\b.*\?/i);
    }
  });
});
