/**
 * What a log line may say about an error. Errors carry what a person typed: PostgreSQL echoes
 * values in its messages (`invalid input syntax for type uuid: "..."`) and details
 * (`Key (amka)=(...)`), TypeORM adds the query's parameters, JSON.parse quotes the body. So a
 * database error is reduced to what identifies the failure (SQLSTATE, constraint, table, column,
 * routine) and never its message, detail, parameters or query; any other error keeps its message
 * with quoted values blanked. Stack frames stay (they name code, not data).
 *
 * It is the `err` serializer of every pino logger of the service and the shape TypeORM's logger
 * writes, so whatever fails, no log line carries a name, AFM, AMKA, address or free text.
 */
export interface SafeErrorLog {
  type: string;
  message?: string;
  code?: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  stack?: string;
  cause?: SafeErrorLog;
  errors?: SafeErrorLog[];
}

const DATABASE_FIELDS = ['code', 'severity', 'schema', 'table', 'column', 'constraint', 'routine'] as const;
/** TypeORM errors whose message quotes what was looked for (e.g. findOneByOrFail criteria). */
const MESSAGE_QUOTES_DATA = new Set(['EntityNotFoundError', 'QueryFailedError', 'DatabaseError']);

type Loose = Record<string, unknown>;

export function safeErrorLog(error: unknown, depth = 0): SafeErrorLog {
  if (error === null || typeof error !== 'object') {
    return { type: typeof error, message: typeof error === 'string' ? scrub(error) : String(error) };
  }
  // pino-http hands over its own serialization (message joined with the causes' messages); the
  // original error is kept as `raw`.
  const raw = (error as { raw?: unknown }).raw;
  if (raw !== undefined && raw !== error && typeof raw === 'object' && raw !== null)
    return safeErrorLog(raw, depth);
  const e = error as Loose;
  const type = typeName(e);
  const log: SafeErrorLog = { type };
  const database = isDatabaseError(e, type);
  if (database) {
    const driver = (typeof e.driverError === 'object' && e.driverError ? e.driverError : {}) as Loose;
    for (const field of DATABASE_FIELDS) {
      const value = e[field] ?? driver[field];
      if (typeof value === 'string' && value) log[field] = value;
    }
  } else {
    if (typeof e.message === 'string' && !MESSAGE_QUOTES_DATA.has(type)) log.message = scrub(e.message);
    if (typeof e.code === 'string' || typeof e.code === 'number') log.code = String(e.code);
  }
  const frames = stackFrames(e.stack);
  if (frames) log.stack = frames;
  if (depth < 3) {
    if (e.cause !== undefined) log.cause = safeErrorLog(e.cause, depth + 1);
    if (Array.isArray(e.errors)) log.errors = e.errors.slice(0, 10).map((x) => safeErrorLog(x, depth + 1));
  }
  return log;
}

/** A pg DatabaseError, a TypeORM QueryFailedError (or its std-serialized form, which pino-http passes). */
export function isDatabaseError(e: Loose, type = typeName(e)): boolean {
  if (type === 'QueryFailedError' || type === 'DatabaseError' || 'driverError' in e) return true;
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && ('severity' in e || 'routine' in e);
}

function typeName(e: Loose): string {
  if (typeof e.type === 'string' && e.type) return e.type; // already serialized by pino-std-serializers
  const ctor = (e as { constructor?: { name?: string } }).constructor?.name;
  if (ctor && ctor !== 'Object') return ctor;
  return typeof e.name === 'string' && e.name ? e.name : 'Error';
}

/** Frames only: a stack's first line repeats the message. */
function stackFrames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.slice(0, 15).join('\n') : undefined;
}

/** Blanks what messages quote: "values" and Key (col)=(values). */
function scrub(message: string): string {
  return message
    .replace(/=\([^)]*\)/g, '=(…)')
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 300);
}

/**
 * The message for a log call that gives an error but no message, which pino would otherwise take
 * from the error's own message (for `logger.error(err)` and `logger.error({ err })`).
 */
export function errorLogMessage(error: unknown): string {
  const log = safeErrorLog(error);
  return `${log.type}${log.code ? ` ${log.code}` : ''}${log.message ? `: ${log.message}` : ''}`;
}

/** pino's `hooks.logMethod`: supplies that message. */
export function logMethodWithSafeMessage(
  this: unknown,
  args: unknown[],
  method: (...args: unknown[]) => void,
): void {
  const [first, ...rest] = args;
  if (rest.every((a) => a === undefined) && first !== null && typeof first === 'object') {
    const error = first instanceof Error ? first : (first as { err?: unknown }).err;
    if (error !== undefined) return method.apply(this, [first, errorLogMessage(error)]);
  }
  method.apply(this, args);
}
