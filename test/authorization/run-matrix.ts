import type request from 'supertest';
import { Permission, Role } from '../../src/auth/roles.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { AREAS, Fixtures, type Target } from './fixtures.js';
import {
  anonymous,
  CALLERS,
  isWrite,
  SCOPES,
  withoutPurpose,
  type Body,
  type Call,
  type Caller,
  type Operation,
  type Outcome,
  type Scope,
} from './matrix.js';

/** One app, one fixture set and one credential per caller and scope, for a whole test file. */
export interface MatrixContext {
  t: TestApp;
  f: Fixtures;
  credentials(caller: Caller | 'anonymous', scope: Scope): Credential;
  fingerprint(): Promise<string>;
  deniedCount(actorId: string): Promise<number>;
}

export interface Credential {
  headers: Record<string, string>;
  actorId: string;
}

export async function startMatrix(): Promise<MatrixContext> {
  const t = await startTestApp();
  const f = new Fixtures(t);
  await f.build();
  const own = f.targets.own;
  const credentials = new Map<string, Credential>();
  const bearer = async (caller: string, scope: string, claims: Parameters<TestApp['token']>[0]) => {
    const subject = `matrix:${caller}:${scope}`;
    credentials.set(`${caller}/${scope}`, {
      headers: { Authorization: `Bearer ${await t.token(claims, subject)}` },
      actorId: subject,
    });
  };
  const key = async (caller: string, scope: string, roles: Role[], region: string | null) => {
    const k = await f.apiKey(roles, region);
    credentials.set(`${caller}/${scope}`, { headers: { 'X-Api-Key': k.key }, actorId: `api-key:${k.id}` });
  };
  const areaClaims: Record<string, Partial<Parameters<TestApp['token']>[0]>> = {
    national_admin: {},
    regional_officer: { region: AREAS.own.region },
    centre_staff: { municipalities: [AREAS.own.municipality, AREAS.own.neighbour], centre: own.provider },
    provider_staff: { provider: own.provider },
    import_operator: {},
    auditor: {},
  };
  for (const scope of SCOPES) {
    for (const [role, claims] of Object.entries(areaClaims)) {
      await bearer(role, scope, { roles: [role as Role], ...(scope === 'none' ? {} : claims) });
    }
    await key(
      'api_key:regional_officer',
      scope,
      [Role.REGIONAL_OFFICER],
      scope === 'none' ? null : AREAS.own.region,
    );
    await key('api_key:import_operator', scope, [Role.IMPORT_OPERATOR], null);
  }
  credentials.set('anonymous/none', { headers: {}, actorId: '' });

  // Everything but the audit trail, the rate-limit counters (every call spends points) and static
  // reference data: what a refused call must leave alone.
  const tables = (
    await t.db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name NOT IN ('audit_event', 'rate_limit', 'migrations', 'region', 'regional_unit', 'municipality')
        ORDER BY 1`,
    )
  ).map((r) => r.name);
  const fingerprintSql = `SELECT ${tables
    .map(
      (n) => `(SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM "${n}" x) AS "${n}"`,
    )
    .join(', ')}`;

  return {
    t,
    f,
    credentials: (caller, scope) => {
      const c = credentials.get(`${caller}/${scope}`);
      if (!c) throw new Error(`no credential for ${caller}/${scope}`);
      return c;
    },
    fingerprint: async () => JSON.stringify((await t.db.query(fingerprintSql))[0]),
    deniedCount: async (actorId) =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_event WHERE actor_id = $1 AND outcome = 'denied'`,
          [actorId],
        )
      )[0]!.n,
  };
}

export function send(t: TestApp, call: Call, headers: Record<string, string>): request.Test {
  if ('graphql' in call) {
    const req = t.http.post('/graphql').set('Content-Type', 'application/json').set(headers);
    return req.send({ query: call.graphql, variables: call.variables ?? {} });
  }
  if ('file' in call) {
    let req = t.http.post(call.path).set(headers);
    for (const [name, value] of Object.entries(call.fields)) req = req.field(name, value);
    return req.attach('file', Buffer.from(call.file.content), call.file.name);
  }
  const method = call.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
  const req = t.http[method](call.path).set(headers);
  return call.body ? req.send(call.body) : req;
}

/** What a response means in the matrix's terms; anything else is reported with its code. */
export function classify(
  res: { status: number; body: Body; text?: string },
  visible?: (body: Body) => boolean,
): { outcome: Outcome | string; detail: string } {
  const body = bodyOf(res);
  // A GraphQL error has a message; a problem document's `errors` are field problems.
  const graphqlError = typeof body?.errors?.[0]?.message === 'string' ? body.errors[0] : undefined;
  const code: string | undefined = graphqlError ? graphqlError.extensions?.code : body?.code;
  const fields: Array<{ field: string }> =
    (graphqlError ? graphqlError.extensions?.fields : body?.errors) ?? [];
  const detail = `${res.status} ${code ?? ''} ${graphqlError?.message ?? body?.detail ?? ''}`.trim();
  if (code === 'UNAUTHENTICATED' || code === 'INVALID_CREDENTIALS' || res.status === 401)
    return { outcome: 'UNAUTHENTICATED', detail };
  if (code === 'PURPOSE_REQUIRED' || code === 'PURPOSE_NOT_ALLOWED')
    return { outcome: 'PURPOSE_REQUIRED', detail };
  if (code === 'BAD_USER_INPUT' && fields.some((p) => /purpose/i.test(p.field)))
    return { outcome: 'PURPOSE_REQUIRED', detail };
  if (code === 'FORBIDDEN' || code === 'OUTSIDE_YOUR_AREA' || res.status === 403)
    return { outcome: 'FORBIDDEN', detail };
  if (code === 'NOT_FOUND') return { outcome: 'NOT_FOUND', detail };
  if (graphqlError || res.status >= 300) return { outcome: `OTHER ${code ?? res.status}`, detail };
  if (visible) return { outcome: visible(body) ? 'ALLOWED' : 'HIDDEN', detail };
  return { outcome: 'ALLOWED', detail };
}

/** The JSON body; supertest leaves application/problem+json unparsed. */
export function bodyOf(res: { body: Body; text?: string }): Body {
  if (res.body && typeof res.body === 'object' && Object.keys(res.body).length) return res.body;
  try {
    return JSON.parse(res.text ?? '');
  } catch {
    return res.body;
  }
}

export interface Cell {
  op: Operation;
  caller: Caller | 'anonymous';
  scope: Scope | 'no purpose';
  expected: Outcome;
}

/** Every cell of the given operations: callers x scopes, anonymous, and no purpose where personal. */
export function cellsOf(ops: Operation[]): Array<[string, Cell]> {
  const cells: Cell[] = [];
  for (const op of ops) {
    for (const caller of CALLERS)
      SCOPES.forEach((scope, i) => cells.push({ op, caller, scope, expected: op.expect[caller][i]! }));
    cells.push({ op, caller: 'anonymous', scope: 'none', expected: anonymous(op) });
    if (op.personal)
      for (const caller of CALLERS)
        cells.push({ op, caller, scope: 'no purpose', expected: withoutPurpose(op, caller) });
  }
  return cells.map((c) => [`${c.op.id} | ${c.caller} | ${c.scope} -> ${c.expected}`, c]);
}

/**
 * Runs one cell: builds the request from the target area's objects (fresh ones where the call is
 * meant to change them), sends it, and checks the outcome; a refusal must change no row and, on
 * personal data, leave a denied audit row.
 */
export async function runCell(m: MatrixContext, cell: Cell): Promise<void> {
  const { op, expected } = cell;
  const credential = m.credentials(cell.caller, cell.scope === 'no purpose' ? 'own' : cell.scope);
  let target: Target = m.f.targets[cell.scope === 'other' ? 'other' : 'own'];
  if (op.fresh && (expected === 'ALLOWED' || expected === 'PURPOSE_REQUIRED'))
    target = { ...target, ...(await op.fresh(m.f, target)) };
  const call = await op.call(target, m.f);
  const purpose = op.purpose ?? (op.personal ? 'CASE_MANAGEMENT' : undefined);
  const headers = {
    ...credential.headers,
    ...(purpose && cell.scope !== 'no purpose' ? { 'X-Purpose': purpose } : {}),
  };

  const denied = expected !== 'ALLOWED' && expected !== 'HIDDEN';
  const checkRows = denied && isWrite(op);
  const checkAudit = denied && op.personal && expected !== 'UNAUTHENTICATED';
  const before = checkRows ? await m.fingerprint() : '';
  const deniedBefore = checkAudit ? await m.deniedCount(credential.actorId) : 0;

  const res = await send(m.t, call, headers);
  const { outcome, detail } = classify(res, op.visible && ((body) => op.visible!(body, target)));
  expect({ outcome, detail }).toEqual({ outcome: expected, detail });
  if (checkRows) expect(await m.fingerprint()).toBe(before);
  if (checkAudit) expect(await m.deniedCount(credential.actorId)).toBeGreaterThan(deniedBefore);
}

/** Tokens for field-level rules: the caller of the own area, with and without special_category. */
export async function fieldRuleToken(
  m: MatrixContext,
  caller: 'centre_staff' | 'national_admin' | 'auditor',
  special: boolean,
): Promise<Credential> {
  const subject = `matrix-field:${caller}:${special ? 'special' : 'plain'}`;
  const claims =
    caller === 'centre_staff'
      ? { municipalities: [AREAS.own.municipality, AREAS.own.neighbour], centre: m.f.targets.own.provider }
      : {};
  const token = await m.t.token(
    {
      roles: [caller as Role],
      ...claims,
      ...(special ? { permissions: [Permission.SPECIAL_CATEGORY] } : {}),
    },
    subject,
  );
  return { headers: { Authorization: `Bearer ${token}` }, actorId: subject };
}
