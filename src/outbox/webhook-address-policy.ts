import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * Where the worker may send webhooks. A subscription URL is chosen by a person but fetched from the
 * worker's network, so without these rules it reaches what only that network reaches (cloud
 * metadata at 169.254.169.254, the database, admin ports) and the dead-letter list tells the answer
 * (server-side request forgery). Two checks, because a host name is only an address at connect time:
 * - the URL itself (creation and every delivery): scheme, an IP literal in a non-public range, names
 *   that are local by definition;
 * - the addresses a name resolves to, checked by the socket's own `lookup` (publicOnlyLookup), so
 *   the address that was checked is the one connected to (no second DNS answer can rebind it).
 */
export interface WebhookAddressRules {
  /** Deliver to loopback, private, link-local ... addresses too (tests, a receiver beside the worker). */
  allowPrivateAddresses: boolean;
  /** Refuse http:// URLs (personal data in the clear). */
  requireHttps: boolean;
}

/** The rules as configured (WEBHOOK_ALLOW_PRIVATE_ADDRESSES, WEBHOOK_REQUIRE_HTTPS). */
export function webhookAddressRules(config: AppConfig): WebhookAddressRules {
  return {
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    requireHttps: config.WEBHOOK_REQUIRE_HTTPS,
  };
}

/** The error code a refused lookup carries up through the socket to the delivery's outcome. */
export const NON_PUBLIC_ADDRESS = 'EWEBHOOK_NON_PUBLIC_ADDRESS';

/**
 * The ipaddr.js range of an address, or why it is not public: anything but plain global unicast is
 * refused (loopback, private, linkLocal, uniqueLocal, carrierGradeNat, multicast, unspecified,
 * broadcast, reserved, benchmarking, and the IPv6 forms that carry an IPv4 address: ipv4Mapped,
 * rfc6052/rfc6145 (NAT64), 6to4, teredo). 'invalid' for what does not parse.
 */
export function addressRange(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  // ::a.b.c.d (deprecated IPv4-compatible) is "unicast" to ipaddr.js but reaches a.b.c.d on some stacks.
  if (
    range === 'unicast' &&
    parsed.kind() === 'ipv6' &&
    (parsed as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)
  )
    return 'ipv4Compatible';
  return range;
}

/** Whether an address is global unicast, the only kind a webhook is sent to. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/**
 * Names that are local by definition (RFC 6761 localhost, mDNS .local, .internal, .home.arpa) or
 * that only an internal resolver answers (a single label: `postgres`, `metadata`, a Kubernetes
 * service). Refused when a subscription is made; at delivery publicOnlyLookup judges what they
 * resolve to, whatever the name.
 */
function isLocalName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '').toLowerCase();
  if (!name.includes('.')) return true;
  return /(^|\.)(localhost|local|localdomain|internal|home\.arpa)$/.test(name);
}

export type UrlVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

const ALLOW_HINT =
  'A webhook is sent only to a public address: give the partner system’s public https address (for a test receiver on a private network, the operator sets WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true).';

/**
 * Checks a subscription URL. `names`: also refuse local host names (at creation; at delivery the
 * resolved addresses are checked instead). The URL class normalises every IPv4 notation (decimal
 * 2130706433, hex 0x7f000001, octal 0177.0.0.1, short 127.1) to dotted form before classification.
 */
export function checkWebhookUrl(raw: string, rules: WebhookAddressRules, names = true): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'url is not a valid URL.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { allowed: false, reason: 'url must be an http or https URL.' };
  if (rules.requireHttps && url.protocol !== 'https:')
    return {
      allowed: false,
      reason: 'url must be an https URL: this service sends webhooks over TLS only (WEBHOOK_REQUIRE_HTTPS).',
    };
  if (rules.allowPrivateAddresses) return { allowed: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const range = addressRange(host);
    if (range !== 'unicast')
      return { allowed: false, reason: `url names a ${rangeWords(range)} address. ${ALLOW_HINT}` };
  } else if (names && isLocalName(host)) {
    return { allowed: false, reason: `url names ${host}, a local or internal host name. ${ALLOW_HINT}` };
  }
  return { allowed: true, url };
}

function rangeWords(range: string): string {
  const words: Record<string, string> = {
    loopback: 'loopback',
    private: 'private-network',
    linkLocal: 'link-local (cloud metadata)',
    uniqueLocal: 'unique-local (private IPv6)',
    carrierGradeNat: 'carrier-grade NAT',
    unspecified: 'unspecified',
    multicast: 'multicast',
    broadcast: 'broadcast',
    ipv4Mapped: 'IPv4-mapped IPv6',
    ipv4Compatible: 'IPv4-compatible IPv6',
  };
  return words[range] ?? `non-public (${range})`;
}

type AllResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A socket `lookup` that resolves like dns.lookup but fails the connection when any address of the
 * name is not public, so a name that resolves (or is rebound) to 127.0.0.1 or 10.x is never
 * connected to. Any, not only the chosen one: a name that mixes public and private answers lets
 * Happy Eyeballs (autoSelectFamily) reach the private one. IP literals never reach a lookup: the
 * dispatcher checks them with checkWebhookUrl.
 */
export function publicOnlyLookup(resolve: AllResolver = dnsLookup): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      if (!addresses.length) {
        const none: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
        none.code = 'ENOTFOUND';
        return callback(none, '');
      }
      if (addresses.some((a) => !isPublicAddress(a.address))) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address`);
        refused.code = NON_PUBLIC_ADDRESS;
        return callback(refused, '');
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
