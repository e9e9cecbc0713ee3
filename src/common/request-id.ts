import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a client may send as X-Request-Id; anything else is replaced by a uuid. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The first middleware of the service: every request gets its id here, before authentication, so
 * that a 401's log line and body, the RequestContext (and with it audit_event.request_id) and the
 * access log all carry the same id, which is echoed in X-Request-Id.
 */
export function assignRequestId(
  req: IncomingMessage & { id?: unknown },
  res: ServerResponse,
  next: () => void,
): void {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  next();
}
