import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Outgoing HTTP to URLs an ISV configured (Stream Data, HTTP request blocks, installation webhook,
 * error stream), guarded against server-side request forgery: every address the host name
 * resolves to is checked on every request, and the connection goes to the checked address (the
 * check runs inside the socket's own DNS lookup, so a rebinding answer cannot slip in between).
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
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 rules by BlockList
  // itself; translated ones (NAT64) can carry any IPv4 address, so they are not public.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

export type AddressClass = 'public' | 'loopback' | 'private';

export function classifyAddress(address: string): AddressClass {
  const family = net.isIP(address);
  if (family === 0) return 'private';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return 'loopback';
  return NON_PUBLIC.check(address, type) ? 'private' : 'public';
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
 * One HTTP client per server: keep-alive agents whose every new connection goes through the
 * guarded lookup. Redirects are never followed (a 3xx is the answer).
 */
export class OutboundHttp {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    readonly policy: PrivateTargetPolicy,
    private readonly maxResponseBytes = 64 * 1024,
  ) {
    const lookup = guardedLookup(policy);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, lookup } as https.AgentOptions);
  }

  send(request: OutboundRequest): Promise<OutboundResponse> {
    const url = checkTarget(this.policy, request.url);
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
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
          if (size >= this.maxResponseBytes) return;
          const room = this.maxResponseBytes - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          // Enough read for the log; the rest is dropped and the socket discarded.
          if (size >= this.maxResponseBytes) {
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
  }
}
