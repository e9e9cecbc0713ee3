import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { AuditBatch } from '../../src/audit/audit-batch.js';
import { auditPayload } from '../../src/audit/audit-writer.js';
import { isAccessPurpose } from '../../src/audit/purpose.js';
import type { AuditEntry, RequestContext } from '../../src/auth/request-context.js';
import { FLOOR_LEVELS, FLOOR_STATEMENTS, type FloorLevel, type FloorStatement } from './floor-statements.js';

/**
 * The floor of the read path: what any implementation of mitroa's reads must at least spend on
 * this machine, with no framework at all. A bare node:http server answers the benchmark's
 * documents (and nothing else) with one prepared statement each that builds the whole response as
 * JSON in PostgreSQL, as PostGraphile does, and sends that text unparsed. Nothing here is a
 * product: it is the yardstick that says whether the 1.0x target is reachable at all.
 *
 * FLOOR_LEVEL adds mitroa's obligations one at a time:
 *   read     the statement alone, as the database owner (no scope, no transaction, no audit);
 *   scoped   + the caller's bearer token (verified once, then cached by hash, as mitroa does),
 *            a READ ONLY transaction as mitroa_app with the caller's area for row-level security:
 *            BEGIN and the settings in one round trip, the statement, COMMIT;
 *   audited  + the read audit by mitroa's own group commit (AuditBatch): the answer waits until
 *            the request's audit row is committed. This is the whole of what mitroa must do.
 *   scoped-1, audited-1  the same in one round trip instead of three: one simple-protocol message
 *            `SET LOCAL transaction_read_only = on; SELECT set_config(role, area); EXECUTE q(...)`.
 *            PostgreSQL runs a message of several statements as one implicit transaction, so the
 *            settings end with it; the statement is PREPAREd in SQL once per connection (plans
 *            follow the role, so it is planned as mitroa_app) and its values go in as literals.
 *
 * Argument: the database URL; env BENCH_PORT, BENCH_JWT_SECRET, FLOOR_LEVEL, FLOOR_POOL_SIZE.
 */
const level = process.env.FLOOR_LEVEL as FloorLevel;
if (!FLOOR_LEVELS.includes(level)) throw new Error(`FLOOR_LEVEL must be one of ${FLOOR_LEVELS.join(', ')}`);
const connectionString = process.argv[2]!;
const secret = new TextEncoder().encode(process.env.BENCH_JWT_SECRET!);
const APP_ROLE = 'mitroa_app';

// Five floor servers share PostgreSQL's max_connections (100 by default) with mitroa and
// PostGraphile, and only one is under load at a time: a pool as large as the load's connections,
// whose idle connections close within a second, once the next server's round begins.
const pool = new pg.Pool({
  connectionString,
  max: Number(process.env.FLOOR_POOL_SIZE ?? 16),
  idleTimeoutMillis: 1000,
});
const auditBatch = level.startsWith('audited')
  ? new AuditBatch(new pg.Pool({ connectionString, max: 1 }), APP_ROLE)
  : undefined;
/** Connections on which the statements are PREPAREd in SQL (levels scoped-1, audited-1). */
const prepared = new WeakSet<pg.PoolClient>();
const byDocument = new Map<string, FloorStatement>(FLOOR_STATEMENTS.map((s) => [s.document, s]));

interface Caller {
  id: string;
  roles: string[];
  area: string;
}
/** sha256 of a verified token -> its caller (the bench sends one token; mitroa caches alike). */
const callers = new Map<string, Caller>();

async function callerOf(authorization: string | undefined): Promise<Caller | undefined> {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  const token = authorization.slice(7);
  const key = createHash('sha256').update(token).digest('base64url');
  const known = callers.get(key);
  if (known) return known;
  try {
    const { payload } = await jwtVerify(token, secret);
    const municipalities = payload.municipalities as string[];
    const caller = {
      id: payload.sub!,
      roles: payload.roles as string[],
      area: `{${municipalities.join(',')}}`,
    };
    callers.set(key, caller);
    return caller;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { query, variables } = JSON.parse(await readBody(req)) as {
    query: string;
    variables: Record<string, unknown>;
  };
  const statement = byDocument.get(query);
  if (!statement) return send(res, 400, '{"errors":[{"message":"not a benchmark document"}]}');
  const values = statement.variables.map((name) => variables[name]);
  if (level === 'read') {
    if (!statement.sql) return send(res, 200, statement.answer!);
    const { rows } = await pool.query({ name: statement.name, text: statement.sql, values });
    return send(res, 200, rows[0].data);
  }
  const caller = await callerOf(req.headers.authorization);
  if (!caller) return send(res, 401, '{"errors":[{"message":"unauthenticated"}]}');
  const purpose = req.headers['x-purpose'];
  if (typeof purpose !== 'string' || !isAccessPurpose(purpose))
    return send(res, 400, '{"errors":[{"message":"X-Purpose required"}]}');
  if (!statement.sql) return send(res, 200, statement.answer!);
  const client = await pool.connect();
  let rows: Array<{ data: string; audit: Array<Omit<AuditEntry, 'purpose' | 'outcome'>> }>;
  const settings = `SELECT set_config('role', '${APP_ROLE}', true), set_config('mitroa.area', ${pg.escapeLiteral(caller.area)}, true), set_config('mitroa.provider', '', true)`;
  try {
    if (level.endsWith('-1')) {
      if (!prepared.has(client)) {
        for (const s of FLOOR_STATEMENTS.filter((f) => f.sql))
          await client.query(`PREPARE ${s.name}(${s.variables.map(() => 'text').join(', ')}) AS ${s.sql}`);
        prepared.add(client);
      }
      const literals = values.map((v) => pg.escapeLiteral(String(v))).join(', ');
      const results = (await client.query(
        `SET LOCAL transaction_read_only = on; ${settings}; EXECUTE ${statement.name}(${literals})`,
      )) as unknown as Array<pg.QueryResult>;
      rows = results[2]!.rows;
    } else {
      await client.query(`BEGIN READ ONLY; ${settings}`);
      ({ rows } = await client.query({ name: statement.name, text: statement.sql, values }));
      await client.query('COMMIT');
    }
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  const { data, audit } = rows[0]!;
  if (auditBatch && audit.length > 0) {
    // The entries mitroa's services record for the same read, written by the same code.
    const entries: AuditEntry[] = audit.map((e) => ({ ...e, purpose, outcome: 'allowed' }));
    const ctx = {
      pendingAudit: entries,
      actor: { id: caller.id, kind: 'user', roles: caller.roles },
      requestId: randomUUID(),
    };
    await auditBatch.writePayload(auditPayload(ctx as unknown as RequestContext)!);
  }
  send(res, 200, data);
}

const server = createServer((req, res) => {
  answer(req, res).catch((error: Error) => {
    console.error(error.message);
    if (!res.headersSent) send(res, 500, '{"errors":[{"message":"internal"}]}');
  });
});
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
  void auditBatch?.onApplicationShutdown();
});
