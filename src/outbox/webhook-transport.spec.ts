import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookTransport, deliveryFailure } from './webhook-transport.js';

describe('WebhookTransport', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.url));
        if (req.url === '/redirect') res.writeHead(302, { Location: '/hook' }).end();
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (received.length = 0));

  const post = (transport: WebhookTransport, url: string) =>
    transport.post(url, '{}', { 'Content-Type': 'application/json' }, 5000);

  it('does not connect to a name that resolves to loopback, nor to a loopback literal in any notation', async () => {
    const strict = new WebhookTransport({ allowPrivateAddresses: false, requireHttps: false });
    try {
      const byName = await post(strict, `http://localhost:${port}/hook`);
      expect(byName).toEqual({
        error: `refused: localhost resolves to a non-public address; webhooks are sent only to public addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES)`,
      });
      for (const host of ['127.0.0.1', '0x7f000001', '2130706433', '[::ffff:127.0.0.1]']) {
        const answer = await post(strict, `http://${host}:${port}/hook`);
        expect(answer.status).toBeUndefined();
        expect(answer.error).toMatch(/^refused: url names a (loopback|IPv4-mapped IPv6) address/);
      }
      expect(received).toEqual([]);
    } finally {
      strict.close();
    }
  });

  it('delivers to the same receiver when private addresses are allowed, and does not follow redirects', async () => {
    const open = new WebhookTransport({ allowPrivateAddresses: true, requireHttps: false });
    try {
      expect(await post(open, `http://localhost:${port}/hook`)).toEqual({ status: 204, error: 'HTTP 204' });
      expect(await post(open, `http://127.0.0.1:${port}/redirect`)).toEqual({
        status: 302,
        error: 'HTTP 302',
      });
      expect(received).toEqual(['/hook', '/redirect']);
    } finally {
      open.close();
    }
  });

  it('refuses http when https is required, before connecting', async () => {
    const tls = new WebhookTransport({ allowPrivateAddresses: true, requireHttps: true });
    try {
      expect((await post(tls, `http://127.0.0.1:${port}/hook`)).error).toMatch(
        /^refused: url must be an https URL/,
      );
      expect(received).toEqual([]);
    } finally {
      tls.close();
    }
  });

  it('describes a failed connection without its address or port', async () => {
    const open = new WebhookTransport({ allowPrivateAddresses: true, requireHttps: false });
    try {
      // Port 9 (discard) has no listener here: the socket error names 127.0.0.1:9, the outcome must not.
      const answer = await post(open, 'http://127.0.0.1:9/hook');
      expect(answer).toEqual({ error: 'connection refused' });
    } finally {
      open.close();
    }
    const url = new URL('https://partner.example.gr/hook');
    expect(deliveryFailure(Object.assign(new Error('x'), { name: 'AbortError' }), url, 10000)).toBe(
      'no answer within 10000 ms',
    );
    expect(deliveryFailure(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }), url, 1)).toBe(
      'TLS failed (CERT_HAS_EXPIRED)',
    );
    expect(deliveryFailure(new Error('connect EHOSTUNREACH 10.1.2.3:22'), url, 1)).toBe('connection failed');
  });
});
