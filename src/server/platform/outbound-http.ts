import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Every outgoing HTTP request of the process (Stream Data, HTTP request blocks, installation
 * webhook, error stream, connectors calling their apps, the OAuth token exchange, the sandbox
 * store's webhooks), guarded against server-side request forgery: every address the host name
 * resolves to is checked on every request, and the connection goes to the checked address (the
 * check runs inside the socket's own DNS lookup, so a rebinding answer cannot slip in between).
 *
 * Calls to this server itself (the operator's configured public URL, which may well be a private
 * or loopback address) are allowed only for paths under prefixes the caller names in code or the
 * operator configured; a URL a user typed never reaches this server's other paths.
 */

/**
 * Which non-public targets are allowed: `none` (production), `loopback` (127.0.0.0/8 and ::1,
 * for development on one machine) or `all` (private networks too, for a deployment inside one).
 */
export const PRIVATE_TARGET_POLICIES = ['none', 'loopback', 'all'] as const;
export type PrivateTargetPolicy = (typeof PRIVATE_TARGET_POLICIES)[number];

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Everything that is not a public unicast address (RFC 6890 special-purpose registries). */
const NON_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
}
// IPv6 ranges that embed an IPv4 address (::/96, ::ffff:0:0/96, ::ffff:0:0:0/96, 64:ff9b::/96,
// 2002::/16, ISATAP identifiers) are not listed: classifyAddress judges them by the IPv4 address.
for (const [prefix, bits] of [
  ['::1', 128],
  // Local-use NAT64 (RFC 8215): the operator picks where the IPv4 address sits, so it cannot be judged.
  ['64:ff9b:1::', 48],
  ['100::', 64],
  // IETF protocol assignments, Teredo (2001::/32, an obfuscated IPv4 client address) among them.
  ['2001::', 23],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

export type AddressClass = 'public' | 'loopback' | 'private';

/**
 * The class of an IP address (a name is `private`: only addresses are judged).
 *
 * Found by the security audit (issue 13 item 15): `::a.b.c.d` (IPv4-compatible) and
 * `::ffff:0:a.b.c.d` (IPv4-translated) counted as public whatever IPv4 address they carry, and a
 * scoped address (`fe80::1%eth0`) matched no rule at all. Every IPv6 form that embeds an IPv4
 * address now takes that address's class: the direct forms (compatible, mapped, translated) its
 * exact class, the gateway forms (NAT64 64:ff9b::/96, 6to4 2002::/16) `private` unless it is
 * public, ISATAP identifiers `private` when it is not public. `::` and 0.0.0.0/8 are never public.
 */
export function classifyAddress(address: string): AddressClass {
  const family = net.isIP(address);
  if (family === 0) return 'private';
  if (family === 4) {
    if (LOOPBACK.check(address, 'ipv4')) return 'loopback';
    return NON_PUBLIC.check(address, 'ipv4') ? 'private' : 'public';
  }
  // A zone (`%eth0`) only says which interface; BlockList matches nothing with one.
  const unscoped = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  if (LOOPBACK.check(unscoped, 'ipv6')) return 'loopback';
  const hextets = ipv6Hextets(unscoped);
  if (hextets === undefined) return 'private';
  const embedded = embeddedIpv4(hextets);
  if (embedded?.via === 'direct') return classifyAddress(embedded.address);
  if (embedded?.via === 'gateway') return classifyAddress(embedded.address) === 'public' ? 'public' : 'private';
  if (embedded?.via === 'interface' && classifyAddress(embedded.address) !== 'public') return 'private';
  return NON_PUBLIC.check(unscoped, 'ipv6') ? 'private' : 'public';
}

/**
 * Where an IPv6 address carries an IPv4 one: `direct` when the packet goes to that IPv4 host
 * (IPv4-compatible ::/96, IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96), `gateway`
 * when a translator or relay forwards it there (NAT64 well-known prefix 64:ff9b::/96, RFC 6052;
 * 6to4 2002:AABB:CCDD::/48, RFC 3056), `interface` for an ISATAP identifier (`::0:5efe:a.b.c.d`
 * or `::200:5efe:a.b.c.d` under any prefix, RFC 5214).
 */
function embeddedIpv4(h: readonly number[]): { address: string; via: 'direct' | 'gateway' | 'interface' } | undefined {
  const ipv4 = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zeros = (from: number, to: number): boolean => h.slice(from, to).every((x) => x === 0);
  const last32 = ipv4(h[6]!, h[7]!);
  if (zeros(0, 6) || (zeros(0, 5) && h[5] === 0xffff) || (zeros(0, 4) && h[4] === 0xffff && h[5] === 0)) {
    return { address: last32, via: 'direct' };
  }
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return { address: last32, via: 'gateway' };
  if (h[0] === 0x2002) return { address: ipv4(h[1]!, h[2]!), via: 'gateway' };
  if ((h[4] === 0 || h[4] === 0x200) && h[5] === 0x5efe) return { address: last32, via: 'interface' };
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (net.isIP said so), a trailing dotted quad included. */
function ipv6Hextets(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const octets = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    text = `${text.slice(0, lastColon + 1)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const hextets =
    tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return hextets.length === 8 && hextets.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? hextets
    : undefined;
}

export function isAddressAllowed(policy: PrivateTargetPolicy, address: string): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || policy === 'all' || (kind === 'loopback' && policy === 'loopback');
}

/** Why an outgoing request did not produce a response. */
export type OutboundFailure = 'refused' | 'invalid_url' | 'network' | 'timeout' | 'aborted';

export class OutboundError extends Error {
  constructor(
    readonly failure: OutboundFailure,
    message: string,
  ) {
    super(message);
  }
}

const refusal = (host: string, address: string): OutboundError =>
  new OutboundError(
    'refused',
    `Refused to send to ${host} (${address}): it is a ${classifyAddress(address)} network address. ` +
      'Allow it with ALLOY_ALLOW_PRIVATE_TARGETS (loopback or all) if this is intended.',
  );

function guardedLookup(policy: PrivateTargetPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !isAddressAllowed(policy, a.address));
      if (refused) return callback(refusal(hostname, refused.address) as NodeJS.ErrnoException, '', 0);
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      }
      if (options.all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0]!.address, addresses[0]!.family);
      }
    });
  };
}

export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Cut the response body at this size instead of the client's default. */
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text, cut at `maxResponseBytes`. */
  body: string;
}

/** Checks the URL's scheme and, for an IP literal, the address (names are checked at lookup). */
export function checkTarget(policy: PrivateTargetPolicy, target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundError('invalid_url', `"${target}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundError('invalid_url', `Only http and https URLs can be called (got ${url.protocol}).`);
  }
  if (url.username || url.password) throw new OutboundError('invalid_url', 'URLs with credentials are refused.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0 && !isAddressAllowed(policy, host)) throw refusal(url.hostname, host);
  return url;
}

/**
 * A path on this server that may be called: starts with one `/`; its path part has no dot
 * segments, backslashes, whitespace or encoded separators (which a router could read otherwise).
 */
export function isCleanOwnPath(path: string): boolean {
  const pathPart = path.split(/[?#]/, 1)[0]!;
  return (
    pathPart.startsWith('/') &&
    !pathPart.startsWith('//') &&
    !/[\\\s]/.test(pathPart) &&
    !/%(?:2f|5c|2e|25)/i.test(pathPart) &&
    !pathPart.split('/').some((segment) => segment === '.' || segment === '..')
  );
}

/**
 * Path prefixes (like `/demo/api/inbox/`) as configured: each starts and ends with `/`, so that
 * `/demo/api/inbox/` does not also admit `/demo/api/inbox-admin`.
 */
export function isValidPathPrefix(prefix: string): boolean {
  return prefix.length > 1 && prefix.endsWith('/') && isCleanOwnPath(prefix) && !/[?#]/.test(prefix);
}

export interface OutboundHttpOptions {
  /** This server's public base URL (read per request: the port may be known only after listen). */
  ownBaseUrl?: () => string;
  /** Response bodies are cut at this size. */
  maxResponseBytes?: number;
}

export interface SendOptions {
  /**
   * Paths of this server the request may go to (each a prefix ending in `/`, or an exact path).
   * A URL on this server's origin under one of them is sent whatever the private-target policy
   * (the address is the operator's own); any other URL on this server's origin is refused,
   * whatever the policy; every other URL is checked against the policy.
   */
  ownPathPrefixes?: readonly string[];
}

const LOOPBACK_NAME = /^(?:localhost|.+\.localhost)\.?$/i;

/** `localhost`, `*.localhost` or a loopback address: one machine, whichever name a URL uses. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return LOOPBACK_NAME.test(host) || (net.isIP(host) !== 0 && classifyAddress(host) === 'loopback');
}

const effectivePort = (url: URL): string => url.port || (url.protocol === 'https:' ? '443' : '80');

/**
 * One HTTP client per server: keep-alive agents whose every new connection goes through the
 * guarded lookup. Redirects are never followed (a 3xx is the answer).
 */
export class OutboundHttp {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** For this server's own allow-listed paths only (see SendOptions). */
  private readonly ownHttpAgent: http.Agent;
  private readonly ownHttpsAgent: https.Agent;
  private readonly maxResponseBytes: number;

  constructor(
    readonly policy: PrivateTargetPolicy,
    private readonly options: OutboundHttpOptions = {},
  ) {
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    const lookup = guardedLookup(policy);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, lookup } as https.AgentOptions);
    this.ownHttpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.ownHttpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** `path` (which must start with `/`) on this server, as an absolute URL. */
  ownUrl(path: string): string {
    if (!this.options.ownBaseUrl) throw new OutboundError('invalid_url', 'This client has no own base URL.');
    return `${this.options.ownBaseUrl().replace(/\/+$/, '')}${path}`;
  }

  /**
   * Whether `target` is a URL on this server under one of `prefixes`. The check is on the path
   * as written (no dot segments or encoded separators, which the router could read differently)
   * and after URL normalisation.
   */
  isOwnPath(target: string, prefixes: readonly string[]): boolean {
    if (!this.options.ownBaseUrl || prefixes.length === 0) return false;
    let url: URL;
    let base: URL;
    try {
      url = new URL(target);
      base = new URL(this.options.ownBaseUrl());
    } catch {
      return false;
    }
    if (url.origin !== base.origin || url.username || url.password) return false;
    const basePath = base.pathname.replace(/\/+$/, '');
    const afterOrigin = target.slice(url.origin.length);
    if (!afterOrigin.startsWith(`${basePath}/`)) return false;
    const path = afterOrigin.slice(basePath.length);
    if (!isCleanOwnPath(path) || !url.pathname.startsWith(basePath)) return false;
    const normalised = url.pathname.slice(basePath.length);
    return prefixes.some((prefix) =>
      prefix.endsWith('/') ? normalised.startsWith(prefix) && path.startsWith(prefix) : normalised === prefix,
    );
  }

  /**
   * Whether `target` is on this server's origin: the public URL's, or, when that is on loopback,
   * the same scheme and port under any loopback name (`127.0.0.1` for `localhost`).
   */
  isOwnOrigin(target: string): boolean {
    if (!this.options.ownBaseUrl) return false;
    let url: URL;
    let base: URL;
    try {
      url = new URL(target);
      base = new URL(this.options.ownBaseUrl());
    } catch {
      return false;
    }
    if (url.origin === base.origin) return true;
    return (
      url.protocol === base.protocol &&
      effectivePort(url) === effectivePort(base) &&
      isLoopbackHost(url.hostname) &&
      isLoopbackHost(base.hostname)
    );
  }

  /**
   * Where a request may go: on this server's origin only under the caller's prefixes (sent
   * whatever the private-target policy; the address is the operator's own), nowhere else on that
   * origin whatever the policy (`loopback`/`all` would otherwise let its other paths through),
   * and anywhere else as the policy says.
   */
  private resolveTarget(request: OutboundRequest, options: SendOptions): { url: URL; own: boolean } {
    const prefixes = options.ownPathPrefixes ?? [];
    if (this.isOwnPath(request.url, prefixes)) return { url: new URL(request.url), own: true };
    if (this.isOwnOrigin(request.url)) {
      throw new OutboundError(
        'refused',
        prefixes.length === 0
          ? `Refused to send to ${request.url}: it is on this server, and this request may call none of its paths.`
          : `Refused to send to ${request.url}: a path on this server outside the allowed prefixes (${prefixes.join(', ')}).`,
      );
    }
    return { url: checkTarget(this.policy, request.url), own: false };
  }

  send(request: OutboundRequest, options: SendOptions = {}): Promise<OutboundResponse> {
    let url: URL;
    let own: boolean;
    try {
      ({ url, own } = this.resolveTarget(request, options));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const client = url.protocol === 'https:' ? https : http;
    const agent =
      url.protocol === 'https:'
        ? own
          ? this.ownHttpsAgent
          : this.httpsAgent
        : own
          ? this.ownHttpAgent
          : this.httpAgent;
    const maxResponseBytes = request.maxResponseBytes ?? this.maxResponseBytes;
    return new Promise<OutboundResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: OutboundError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(error);
      };
      const onAbort = () => fail(new OutboundError('aborted', 'The request was cancelled (the server is stopping).'));
      const req = client.request(url, {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
        },
        agent,
      });
      const timer = setTimeout(
        () => fail(new OutboundError('timeout', `No answer within ${request.timeoutMs} ms.`)),
        request.timeoutMs,
      );
      if (request.signal?.aborted) return onAbort();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof OutboundError) return fail(error);
        fail(new OutboundError('network', `Could not reach ${url.host}: ${error.code ?? error.message}.`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= maxResponseBytes) return;
          const room = maxResponseBytes - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          // Enough read for the log; the rest is dropped and the socket discarded.
          if (size >= maxResponseBytes) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', () => done());
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.ownHttpAgent.destroy();
    this.ownHttpsAgent.destroy();
  }
}
