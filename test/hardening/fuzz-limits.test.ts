import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BODY_LIMIT_BYTES } from '../../src/server/app.js';
import { TEST_API_KEY } from '../helpers/server.js';
import { INTEGRATION_ID, STREAM_WORKFLOW_ID, startApi, STORE_ID, type Api } from '../server/support.js';
import { FuzzClient, problemWith, prototypeSnapshot, type ErrorShape, type FuzzRequest } from './fuzz-support.js';

/**
 * Input limits over real sockets (test/server/foundation.test.ts covers one route through
 * `inject`; this covers every class of body-taking route, chunked bodies, and slow clients).
 */

/** Short slow-client bounds so the test is quick; the defaults are 10 s / 30 s / 60 s. */
const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 1_200;
const IDLE_TIMEOUT_MS = 5_000;
/** What a slow client may take beyond its bound before the test calls it a hang (noisy machine). */
const MARGIN_MS = 4_000;
const RECEIVER_LIMIT_BYTES = 1024 * 1024;
const FORM_LIMIT_BYTES = 16 * 1024;

let api: Api;
let port: number;
let token: string;
let userId: string;
const prototypesBefore = prototypeSnapshot();

before(async () => {
  api = await startApi({
    server: {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      idleTimeoutMs: IDLE_TIMEOUT_MS,
    },
  });
  port = (api.server.app.server.address() as net.AddressInfo).port;
  userId = await api.createUser('limits');
  token = await api.token(userId);
});
after(async () => {
  await api?.server.dispose();
});

interface RouteClass {
  name: string;
  path: string;
  headers: () => Record<string, string>;
  limit: number;
  /** The body type the route parses. */
  contentType: string;
  shape: ErrorShape;
}

const origin = () => `http://localhost:${port}`;
const ROUTE_CLASSES: RouteClass[] = [
  {
    name: 'ISV API (POST)',
    path: '/2024-03/users',
    headers: () => ({ authorization: `Bearer ${TEST_API_KEY}` }),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'ISV API (PUT)',
    path: '/2024-03/settings',
    headers: () => ({ authorization: `Bearer ${TEST_API_KEY}` }),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'widget API',
    path: '/2024-03/widget/installations',
    headers: () => ({ 'x-alloy-user-token': token }),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'Embedded Link session',
    path: '/link/session',
    headers: () => ({ origin: origin() }),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'app webhook receiver (raw body)',
    path: `/webhooks/${STREAM_WORKFLOW_ID}/${'a'.repeat(24)}`,
    headers: () => ({}),
    limit: RECEIVER_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'sandbox app API',
    path: `/sandbox/demo-store/api/v1/stores/${STORE_ID}/orders`,
    headers: () => ({ 'x-store-api-key': 'sk_wrong' }),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'sandbox dashboard API',
    path: '/sandbox/demo-store/admin/api/stores',
    headers: () => ({}),
    limit: BODY_LIMIT_BYTES,
    contentType: 'application/json',
    shape: 'api',
  },
  {
    name: 'sandbox OAuth token (form)',
    path: '/sandbox/demo-store/oauth/token',
    headers: () => ({}),
    limit: FORM_LIMIT_BYTES,
    contentType: 'application/x-www-form-urlencoded',
    shape: 'oauth',
  },
  {
    name: 'sandbox OAuth consent (form)',
    path: '/sandbox/demo-store/oauth/consent',
    headers: () => ({}),
    limit: FORM_LIMIT_BYTES,
    contentType: 'application/x-www-form-urlencoded',
    // A browser form: a refused answer is an HTML page.
    shape: 'page',
  },
];

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** Milliseconds from the first byte sent until the server closed the socket. */
  closedAfterMs: number;
}

/**
 * Opens a raw TCP connection, lets `talk` write (it may dribble), and reads until the server
 * closes. Write errors (the server hung up mid-body) are expected and ignored. The client never
 * half-closes: Node aborts a request whose client has sent FIN, so the answer would be lost.
 */
function rawExchange(
  talk: (socket: net.Socket, closed: () => boolean) => Promise<void>,
  giveUpMs: number,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = performance.now();
    let answer = Buffer.alloc(0);
    let isClosed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (chunk: Buffer) => (answer = Buffer.concat([answer, chunk])));
    socket.on('error', () => {});
    socket.on('close', () => {
      isClosed = true;
      clearTimeout(timer);
      const text = answer.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: split < 0 ? text : text.slice(0, split),
        body: split < 0 ? '' : text.slice(split + 4),
        closedAfterMs: performance.now() - started,
      });
    });
    socket.on('connect', () => {
      talk(socket, () => isClosed).catch(() => {});
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headerLines = (headers: Record<string, string>) =>
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');

/** A JSON body of exactly `size` bytes. */
const jsonOfSize = (size: number): string => {
  const shell = '{"padding":""}';
  return `{"padding":"${'x'.repeat(size - shell.length)}"}`;
};
const bodyOfSize = (route: RouteClass, size: number): string =>
  route.contentType === 'application/json' ? jsonOfSize(size) : `padding=${'x'.repeat(size - 'padding='.length)}`;

/** Checks an error answer read off a raw socket (body framed by Content-Length). */
function rawProblem(answer: RawAnswer, shape: ErrorShape, path: string): string | undefined {
  const contentType = /\r\ncontent-type: ([^\r\n]+)/i.exec(answer.head)?.[1] ?? '';
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.head)?.[1] ?? answer.body.length);
  return problemWith(
    { method: 'POST', path, headers: {}, kind: 'limits' },
    { status: answer.status, headers: { 'content-type': contentType }, body: answer.body.slice(0, length), ms: 0 },
    shape,
  );
}

describe('oversize bodies', () => {
  test('every body-taking route class answers 413 JSON, with a Content-Length or chunked', async (t) => {
    const results: string[] = [];
    for (const route of ROUTE_CLASSES) {
      const body = bodyOfSize(route, route.limit + 1);
      // Just under the limit must get past the size check (whatever the route then says about it).
      const fits = bodyOfSize(route, route.limit - 1);
      for (const framing of ['content-length', 'chunked', 'under the limit'] as const) {
        const sent = framing === 'under the limit' ? fits : body;
        const answer = await rawExchange(async (socket) => {
          const head =
            `POST ${route.path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
            `Content-Type: ${route.contentType}\r\n${headerLines(route.headers())}`;
          if (framing === 'chunked') {
            socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n`);
            for (let at = 0; at < sent.length; at += 64 * 1024) {
              const chunk = sent.slice(at, at + 64 * 1024);
              socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
            }
            socket.write('0\r\n\r\n');
          } else {
            socket.write(`${head}Content-Length: ${Buffer.byteLength(sent)}\r\n\r\n${sent}`);
          }
        }, 15_000);
        const label = `${route.name} (${framing})`;
        if (framing === 'under the limit') {
          assert.notEqual(answer.status, 413, label);
          assert.ok(answer.status >= 400 && answer.status < 500, `${label}: ${answer.status} ${answer.body}`);
        } else {
          assert.equal(answer.status, 413, `${label}: ${answer.head}\n${answer.body.slice(0, 300)}`);
          assert.equal(rawProblem(answer, route.shape, route.path), undefined, `${label}: ${answer.body}`);
          results.push(label);
        }
      }
    }
    t.diagnostic(
      `FIGURE limits oversize body | ${ROUTE_CLASSES.length} route classes x 2 framings (Content-Length, chunked) at limit+1 byte: ${results.length}/${ROUTE_CLASSES.length * 2} answered 413 JSON, 0 >=500; limit-1 byte passes the size check on all ${ROUTE_CLASSES.length}`,
    );
  });
});

describe('malformed, mistyped and prototype-polluting bodies', () => {
  const CASES: { name: string; body: string; contentType?: string }[] = [
    { name: 'malformed JSON', body: '{"username":' },
    { name: 'trailing garbage', body: '{"username":"x"} x' },
    { name: 'JSON as text/plain', body: '{"username":"x"}', contentType: 'text/plain' },
    { name: 'JSON with no content type', body: '{"username":"x"}', contentType: '' },
    { name: 'JSON as multipart', body: '{"username":"x"}', contentType: 'multipart/form-data; boundary=x' },
    { name: 'empty body, JSON content type', body: '' },
    { name: '__proto__ at the top', body: '{"username":"p1","__proto__":{"polluted":1}}' },
    { name: 'constructor.prototype', body: '{"username":"p2","constructor":{"prototype":{"polluted":1}}}' },
    { name: 'nested __proto__', body: '{"users":[{"username":"p3","__proto__":{"polluted":1}}]}' },
    {
      name: '__proto__ in a form',
      body: '__proto__[polluted]=1&__proto__=x&constructor[prototype][polluted]=1',
      contentType: 'application/x-www-form-urlencoded',
    },
    { name: 'top-level array', body: '[{"__proto__":{"polluted":1}}]' },
    { name: 'top-level string', body: '"__proto__"' },
  ];

  test('every route class answers each with a 4xx in its error shape, and no prototype changes', async (t) => {
    const client = new FuzzClient(port);
    let answered = 0;
    const statuses = new Map<number, number>();
    try {
      for (const route of ROUTE_CLASSES) {
        for (const c of CASES) {
          const contentType = c.contentType ?? 'application/json';
          const request: FuzzRequest = {
            method: 'POST',
            path: route.path,
            headers: { ...route.headers(), ...(contentType ? { 'content-type': contentType } : {}) },
            body: c.body,
            kind: c.name,
          };
          const outcome = await client.send(request);
          assert.ok(outcome.ok, `${route.name} / ${c.name}: ${outcome.ok ? '' : outcome.error}`);
          const { response } = outcome;
          const label = `${route.name} / ${c.name}: ${response.status} ${response.body.slice(0, 200)}`;
          assert.ok(response.status >= 400 && response.status < 500, label);
          assert.equal(problemWith(request, response, route.shape), undefined, label);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          answered++;
        }
      }
    } finally {
      client.close();
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(prototypeSnapshot(), prototypesBefore);
    const spread = [...statuses.entries()].map(([s, n]) => `${s}:${n}`).join(' ');
    t.diagnostic(
      `FIGURE limits malformed/mistyped/pollution | ${ROUTE_CLASSES.length} route classes x ${CASES.length} bodies = ${answered} requests: all 4xx in the error shape (${spread}), 0 >=500, Object.prototype untouched`,
    );
  });
});

describe('slow clients', () => {
  test("Node's headersTimeout and requestTimeout are the configured ones", () => {
    const server = api.server.app.server;
    assert.equal(server.headersTimeout, HEADERS_TIMEOUT_MS);
    assert.equal(server.requestTimeout, REQUEST_TIMEOUT_MS);
    assert.equal(server.timeout, IDLE_TIMEOUT_MS);
  });

  /** Requests from well-behaved clients while the slow ones are connected. */
  async function serveOthers(until: Promise<unknown>): Promise<{ ok: number; failed: number }> {
    const client = new FuzzClient(port);
    let ok = 0;
    let failed = 0;
    let done = false;
    void until.finally(() => (done = true));
    try {
      while (!done) {
        const outcome = await client.send({
          method: 'GET',
          path: `/2024-03/integrations/${INTEGRATION_ID}?userId=${userId}`,
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
          kind: 'bystander',
        });
        if (outcome.ok && outcome.response.status === 200) ok++;
        else failed++;
        await sleep(20);
      }
    } finally {
      client.close();
    }
    return { ok, failed };
  }

  async function attack(
    t: { diagnostic(message: string): void },
    name: string,
    sockets: number,
    boundMs: number,
    talk: (socket: net.Socket, closed: () => boolean) => Promise<void>,
  ) {
    const attacks = Promise.all(Array.from({ length: sockets }, () => rawExchange(talk, boundMs + MARGIN_MS)));
    const [answers, others] = await Promise.all([attacks, serveOthers(attacks)]);
    const closedAfter = answers.map((a) => a.closedAfterMs);
    for (const answer of answers) {
      assert.equal(answer.status, 408, `${name}: ${answer.head}`);
      assert.equal(rawProblem(answer, 'api', '/'), undefined, `${name}: ${answer.body}`);
      assert.match(answer.head, /\r\nConnection: close/i);
    }
    assert.ok(others.ok > 0, 'other clients were served meanwhile');
    assert.equal(others.failed, 0, 'no other client failed meanwhile');
    t.diagnostic(
      `FIGURE limits ${name} | ${sockets} sockets: ${sockets}/${sockets} got 408 JSON and were closed after ${Math.round(Math.min(...closedAfter))}-${Math.round(Math.max(...closedAfter))} ms (bound ${boundMs} ms + check interval); ${others.ok} other requests served meanwhile, ${others.failed} failed`,
    );
  }

  test('slowloris: headers dribbled a line at a time get a 408 and a closed socket; others are served', async (t) => {
    await attack(t, 'slowloris headers', 20, HEADERS_TIMEOUT_MS, async (socket, closed) => {
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
      for (let i = 0; !closed() && i < 1000; i++) {
        await sleep(100);
        if (!closed()) socket.write(`X-Slow-${i}: ${i}\r\n`);
      }
    });
  });

  test('a body sent slower than the request bound gets a 408 and a closed socket; others are served', async (t) => {
    await attack(t, 'slow body', 20, REQUEST_TIMEOUT_MS, async (socket, closed) => {
      const body = JSON.stringify({ username: 'slow-body-user-never-created' });
      socket.write(
        `POST /2024-03/users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TEST_API_KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      for (let i = 0; !closed() && i < body.length - 1; i++) {
        await sleep(100);
        if (!closed()) socket.write(body[i]!);
      }
    });
    assert.equal((await api.call('GET', '/users/slow-body-user-never-created')).statusCode, 404);
  });

  test('a connection that never sends a byte is closed within the headers bound', async (t) => {
    const answer = await rawExchange(async () => {}, HEADERS_TIMEOUT_MS + MARGIN_MS);
    // Nothing was asked, so there may be nothing to answer; the point is the socket is gone.
    assert.ok(answer.status === 0 || answer.status === 408, answer.head);
    t.diagnostic(
      `FIGURE limits silent connection | closed after ${Math.round(answer.closedAfterMs)} ms (headers bound ${HEADERS_TIMEOUT_MS} ms)`,
    );
  });
});
