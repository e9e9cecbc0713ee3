import type { LookupAddress, LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  NON_PUBLIC_ADDRESS,
  addressRange,
  checkWebhookUrl,
  isPublicAddress,
  publicOnlyLookup,
} from './webhook-address-policy.js';

const STRICT = { allowPrivateAddresses: false, requireHttps: false };

describe('webhook URLs at creation', () => {
  // The reviewer's URLs, then every other notation of an internal address.
  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://localhost:5432/',
    'http://10.0.0.1/',
    'http://[::1]:22/',
    'http://0x7f000001/',
    'http://2130706433/', // decimal
    'http://017700000001/', // octal, whole
    'http://0177.0.0.1/', // octal, dotted
    'http://127.1/',
    'http://[::ffff:127.0.0.1]/', // IPv4-mapped IPv6
    'http://[::ffff:a9fe:a9fe]/', // IPv4-mapped metadata address, in hex
    'http://[::7f00:1]/', // IPv4-compatible IPv6
    'http://[64:ff9b::7f00:1]/', // NAT64
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/', // carrier-grade NAT
    'http://0.0.0.0:3000/',
    'http://[::]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://192.0.2.1/', // documentation (reserved)
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://localhost./',
    'http://LOCALHOST/',
    'http://api.localhost/',
    'http://printer.local/',
    'http://metadata.google.internal/',
    'http://router.home.arpa/',
    'http://postgres:5432/', // a single label: only an internal resolver answers it
  ])('refuses %s', (url) => {
    const verdict = checkWebhookUrl(url, STRICT);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toMatch(/WEBHOOK_ALLOW_PRIVATE_ADDRESSES/);
  });

  it.each([
    'https://partner.example.gr/hook',
    'http://partner.example.gr:8080/hook',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
  ])('accepts %s', (url) => {
    expect(checkWebhookUrl(url, STRICT).allowed).toBe(true);
  });

  it('names the kind of address, not only "invalid"', () => {
    expect(checkWebhookUrl('http://169.254.169.254/', STRICT)).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^url names a link-local \(cloud metadata\) address\./),
    });
    expect(checkWebhookUrl('http://localhost:5432/', STRICT)).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^url names localhost, a local or internal host name\./),
    });
  });

  it('requires https when told to, and http(s) always', () => {
    const https = { ...STRICT, requireHttps: true };
    expect(checkWebhookUrl('http://partner.example.gr/hook', https)).toEqual({
      allowed: false,
      reason: expect.stringMatching(/https/),
    });
    expect(checkWebhookUrl('https://partner.example.gr/hook', https).allowed).toBe(true);
    expect(checkWebhookUrl('ftp://partner.example.gr/', STRICT).allowed).toBe(false);
    expect(checkWebhookUrl('file:///etc/passwd', STRICT).allowed).toBe(false);
    expect(checkWebhookUrl('not a url', STRICT).allowed).toBe(false);
  });

  it('lets private addresses and local names through when allowed (tests, a receiver beside the worker)', () => {
    const open = { ...STRICT, allowPrivateAddresses: true };
    expect(checkWebhookUrl('http://127.0.0.1:9/hook', open).allowed).toBe(true);
    expect(checkWebhookUrl('http://localhost:9/hook', open).allowed).toBe(true);
  });

  it('at delivery leaves names to the lookup but still refuses internal literals', () => {
    expect(checkWebhookUrl('http://localhost:9/', STRICT, false).allowed).toBe(true);
    expect(checkWebhookUrl('http://0x7f000001:9/', STRICT, false).allowed).toBe(false);
  });
});

describe('address ranges', () => {
  it('calls only global unicast public', () => {
    expect(isPublicAddress('93.184.215.14')).toBe(true);
    expect(isPublicAddress('2a00:1450:4001::200e')).toBe(true);
    expect(addressRange('127.0.0.1')).toBe('loopback');
    expect(addressRange('::ffff:10.0.0.1')).toBe('ipv4Mapped');
    expect(addressRange('[::1]')).toBe('loopback');
    expect(addressRange('not an address')).toBe('invalid');
    expect(isPublicAddress('not an address')).toBe(false);
  });
});

/** Calls a lookup the way a socket does and reports what it answered. */
function ask(
  lookup: LookupFunction,
  all: boolean,
): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) =>
    lookup('partner.example.gr', { all } as never, (error, address, family) =>
      resolve({ error, address, family }),
    ),
  );
}

function resolverOf(addresses: LookupAddress[], error: NodeJS.ErrnoException | null = null) {
  const asked: LookupAllOptions[] = [];
  const resolve = (
    _host: string,
    options: LookupAllOptions,
    callback: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
  ) => {
    asked.push(options);
    callback(error, addresses);
  };
  return { resolve, asked };
}

describe('the connect-time lookup (DNS rebinding)', () => {
  it('refuses a name that resolves to loopback, whichever form the socket asks for', async () => {
    const { resolve } = resolverOf([{ address: '127.0.0.1', family: 4 }]);
    for (const all of [false, true]) {
      const answer = await ask(publicOnlyLookup(resolve), all);
      expect(answer.error?.code).toBe(NON_PUBLIC_ADDRESS);
    }
  });

  it('refuses a name with any non-public address among public ones, mapped IPv6 included', async () => {
    for (const bad of [
      { address: '10.0.0.1', family: 4 },
      { address: '169.254.169.254', family: 4 },
      { address: '::ffff:127.0.0.1', family: 6 },
      { address: 'fd00::1', family: 6 },
    ]) {
      const { resolve } = resolverOf([{ address: '93.184.215.14', family: 4 }, bad]);
      expect((await ask(publicOnlyLookup(resolve), true)).error?.code).toBe(NON_PUBLIC_ADDRESS);
    }
  });

  it('passes public addresses on in the form asked, having asked the resolver for all of them', async () => {
    const addresses = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    const { resolve, asked } = resolverOf(addresses);
    expect(await ask(publicOnlyLookup(resolve), false)).toEqual({
      error: null,
      address: '93.184.215.14',
      family: 4,
    });
    expect(await ask(publicOnlyLookup(resolve), true)).toEqual({
      error: null,
      address: addresses,
      family: undefined,
    });
    expect(asked.every((o) => o.all === true)).toBe(true);
  });

  it('passes resolver errors through and treats no address as not found', async () => {
    const failure: NodeJS.ErrnoException = Object.assign(new Error('getaddrinfo ENOTFOUND'), {
      code: 'ENOTFOUND',
    });
    expect((await ask(publicOnlyLookup(resolverOf([], failure).resolve), false)).error).toBe(failure);
    expect((await ask(publicOnlyLookup(resolverOf([]).resolve), false)).error?.code).toBe('ENOTFOUND');
  });

  it('refuses localhost through the system resolver (hosts file, no network needed)', async () => {
    const answer = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup()('localhost', {}, (error) => resolve(error)),
    );
    expect(answer?.code).toBe(NON_PUBLIC_ADDRESS);
  });
});
