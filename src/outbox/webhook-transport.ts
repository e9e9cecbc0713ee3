import http from 'node:http';
import https from 'node:https';
import {
  NON_PUBLIC_ADDRESS,
  checkWebhookUrl,
  publicOnlyLookup,
  type WebhookAddressRules,
} from './webhook-address-policy.js';

/** The outcome of one POST: the status when there was an answer, else why there was none. */
export interface PostOutcome {
  status?: number;
  error: string;
}

/** A receiver's answer body is read (for keep-alive) up to this, then the connection is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs webhooks with node:http(s), whose sockets resolve names through publicOnlyLookup (unless
 * private addresses are allowed), so the address checked is the address connected to. fetch was
 * left for this: Node's bundled undici takes a `dispatcher` only from a matching undici version.
 * Redirects are never followed (a subscription names its final URL).
 */
export class WebhookTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly rules: WebhookAddressRules) {
    const lookup = rules.allowPrivateAddresses ? undefined : publicOnlyLookup();
    this.httpAgent = new http.Agent({ keepAlive: true, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, lookup });
  }

  /** One POST within `timeoutMs` (connect, answer headers and reading the answer). */
  post(
    rawUrl: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PostOutcome> {
    // IP literals never reach a lookup, and rows written before these rules (or by hand) are checked too.
    const verdict = checkWebhookUrl(rawUrl, this.rules, false);
    if (!verdict.allowed) return Promise.resolve({ error: `refused: ${verdict.reason}` });
    const { url } = verdict;
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: PostOutcome) => {
        if (!settled) resolve(outcome);
        settled = true;
      };
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal: AbortSignal.timeout(timeoutMs),
      });
      request.on('response', (res) => {
        settle({ status: res.statusCode, error: `HTTP ${res.statusCode}` });
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
      });
      request.on('error', (error) => settle({ error: deliveryFailure(error, url, timeoutMs) }));
      request.end(body);
    });
  }

  /** Closes kept-alive sockets (the service is stopping). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * Why a POST got no answer, in words that name neither an address nor a port nor a library's
 * message: the dead-letter list is read by people, and an error text that echoes the connection
 * ("connect ECONNREFUSED 10.0.0.7:5432") turns the list into a scanner of the worker's network.
 */
export function deliveryFailure(error: unknown, url: URL, timeoutMs: number): string {
  const e = error as { code?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === NON_PUBLIC_ADDRESS)
    return `refused: ${url.hostname} resolves to a non-public address; webhooks are sent only to public addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES)`;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || code === 'ABORT_ERR')
    return `no answer within ${timeoutMs} ms`;
  if (code === 'ENOTFOUND') return `host name ${url.hostname} not found`;
  if (code === 'EAI_AGAIN') return `host name ${url.hostname} could not be resolved now`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH'].includes(code)) return 'host unreachable';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `TLS failed (${code})`;
  if (code.startsWith('HPE_')) return 'the answer was not valid HTTP';
  return code ? `connection failed (${code})` : 'connection failed';
}
