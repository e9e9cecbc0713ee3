import { GraphQLSchemaHost } from '@nestjs/graphql';
import { rawToken } from './authorization/fixtures.js';
import {
  CALLERS,
  CLAIM_RULES,
  FIELD_RULES,
  matrixSize,
  NOT_OPERATIONS,
  OPERATIONS,
  SCOPES,
  type FieldExpectation,
  type FieldRule,
} from './authorization/matrix.js';
import {
  bodyOf,
  classify,
  fieldRuleToken,
  send,
  startMatrix,
  type MatrixContext,
} from './authorization/run-matrix.js';

/**
 * The authorization matrix (test/authorization/matrix.ts) covers the whole API; field-level rules
 * and the rules on token claims. The cells themselves run in authorization-matrix-graphql and
 * authorization-matrix-rest.
 */
describe('authorization matrix: coverage, field-level rules and claims', () => {
  let m: MatrixContext;
  beforeAll(async () => {
    m = await startMatrix();
  });
  afterAll(() => m.t.close());

  describe('the class: an operation missing from the matrix fails the build', () => {
    const listed = new Set(OPERATIONS.map((op) => op.id));

    it('lists every Query and Mutation field of the schema, and nothing the schema lacks', () => {
      const schema = m.t.app.get(GraphQLSchemaHost).schema;
      const inSchema = [
        ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((f) => `Query.${f}`),
        ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
      ];
      expect(schema.getSubscriptionType()).toBeUndefined();
      expect(inSchema.filter((id) => !listed.has(id))).toEqual([]);
      const graphqlListed = [...listed].filter((id) => id.startsWith('Query.') || id.startsWith('Mutation.'));
      expect(graphqlListed.filter((id) => !inSchema.includes(id))).toEqual([]);
    });

    it("lists every route of the HTTP server's router, and nothing the router lacks", () => {
      const express = m.t.app.getHttpAdapter().getInstance();
      const layers = express.router.stack as unknown as Array<{
        route?: { path: string; methods: Record<string, boolean> };
      }>;
      const routes = new Set(
        layers
          .filter((l) => l.route && Object.keys(l.route.methods).length === 1)
          .filter((l) => !NOT_OPERATIONS.some((re) => re.test(l.route!.path)))
          .map(
            (l) =>
              `${Object.keys(l.route!.methods)[0]!.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`,
          ),
      );
      expect(routes.size).toBeGreaterThan(30);
      expect([...routes].filter((id) => !listed.has(id))).toEqual([]);
      const restListed = [...listed].filter((id) => !id.startsWith('Query.') && !id.startsWith('Mutation.'));
      expect(restListed.filter((id) => !routes.has(id))).toEqual([]);
    });

    it('lists every route of the OpenAPI document', async () => {
      const res = await m.t.http.get('/api/openapi.json');
      expect(res.status).toBe(200);
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      const documented = Object.entries(paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(documented.length).toBeGreaterThan(30);
      expect(documented.filter((id) => !listed.has(id))).toEqual([]);
    });

    it('decides every cell: one row per operation, an outcome for every caller and scope', () => {
      expect(new Set(OPERATIONS.map((op) => op.id)).size).toBe(OPERATIONS.length);
      for (const op of OPERATIONS) {
        expect(Object.keys(op.expect).sort()).toEqual([...CALLERS].sort());
        for (const caller of CALLERS) expect(op.expect[caller]).toHaveLength(SCOPES.length);
      }
      const size = matrixSize();
      const extra = size.operations + size.noPurpose + FIELD_RULES.length * 2 + CLAIM_RULES.length;
      console.log(
        `authorization matrix: ${size.operations} operations x ${size.callers} callers x ${size.scopes} scopes = ${size.main} cells; ` +
          `+ ${size.operations} anonymous, ${size.noPurpose} without purpose, ` +
          `${FIELD_RULES.reduce((n, r) => n + (r.plain ? 1 : 0) + (r.special ? 1 : 0), 0)} field-level, ` +
          `${CLAIM_RULES.length} claim cells (${size.main + extra} at most in all)`,
      );
      expect(size.main).toBe(OPERATIONS.length * CALLERS.length * SCOPES.length);
    });
  });

  describe('field-level rules (special-category data, other areas)', () => {
    const cases = FIELD_RULES.flatMap((rule) =>
      (['plain', 'special'] as const)
        .filter((variant) => rule[variant])
        .map(
          (variant) =>
            [
              `${rule.id} | ${rule.caller} ${variant === 'special' ? 'with' : 'without'} special_category -> ${rule[variant]!.outcome}`,
              rule,
              variant,
            ] as [string, FieldRule, 'plain' | 'special'],
        ),
    );

    it.each(cases)('%s', async (_name, rule, variant) => {
      const expected: FieldExpectation = rule[variant]!;
      const credential = await fieldRuleToken(m, rule.caller, variant === 'special');
      const fresh = rule.fresh ? await rule.fresh(m.f) : {};
      const call = await rule.call(m.f, fresh);
      const headers = { ...credential.headers, 'X-Purpose': rule.purpose ?? 'CASE_MANAGEMENT' };
      const write =
        'graphql' in call ? call.graphql.trimStart().startsWith('mutation') : call.method !== 'GET';
      const denied = expected.outcome !== 'ALLOWED' && expected.outcome !== 'HIDDEN';
      const before = denied && write ? await m.fingerprint() : '';
      const deniedBefore = denied ? await m.deniedCount(credential.actorId) : 0;

      const res = await send(m.t, call, headers);
      const { outcome, detail } = classify(res);
      expect({ outcome, detail }).toEqual({ outcome: expected.outcome, detail });
      if (expected.holds) {
        const body = bodyOf(res);
        expect({ holds: await expected.holds(body, m.f), body }).toEqual({ holds: true, body });
      }
      if (denied && write) expect(await m.fingerprint()).toBe(before);
      if (denied) expect(await m.deniedCount(credential.actorId)).toBeGreaterThan(deniedBefore);
    });
  });

  describe('token claims: each role carries exactly its area, and a bounded lifetime', () => {
    it.each(CLAIM_RULES.map((rule) => [`${rule.id} -> ${rule.expected}`, rule] as const))(
      '%s',
      async (_name, rule) => {
        const token = await rawToken(m.t, 'matrix-claims', rule.claims(m.f), rule.expiresIn);
        const res = await m.t.gql(token, `{ me { id } }`);
        const { outcome, detail } = classify(res);
        expect({ outcome, detail }).toEqual({ outcome: rule.expected, detail });
      },
    );
  });
});
