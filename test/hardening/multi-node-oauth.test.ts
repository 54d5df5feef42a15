/**
 * OAuth refresh is single-flight across nodes. Two server processes (crash-server.ts) share one
 * PostgreSQL schema behind a round-robin proxy that is their public URL. The connector's token and
 * API paths live under that URL (the Demo Store's `/sandbox/demo-store/...`), so the proxy sends
 * them to a fake provider in this test, which ROTATES refresh tokens: each works once, and a spent
 * one presented again revokes the whole grant (400 invalid_grant), as real providers treat a reuse
 * as theft. It counts every token call.
 *
 * A user connects through the real flow (session, start page, the provider's authorize redirect,
 * callback, code exchange); the provider issues an access token that lives one second. Once it has
 * expired, many requests that each need a fresh token (the widget's dynamic-select options, which
 * call the provider's API with the user's connection) go to BOTH nodes at once, while the provider
 * holds its answer to the refresh. Then: exactly one refresh reached the provider, no invalid_grant,
 * every request on both nodes was served with the refreshed token, and the stored credential holds
 * the rotated refresh token.
 *
 * The nodes mount the Demo Store sandbox only because it registers this server's OAuth client
 * (OAuthClientFlow's client credentials); none of its paths is reached through the proxy.
 *
 * Needs ALLOY_TEST_DATABASE_URL (scripts/with-postgres.sh sets it); skipped without it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { EMBEDDED_CLIENT_ID, SANDBOX_DB_FILE } from '../../src/sandbox/index.js';
import { CredentialService } from '../../src/server/connections/credentials.js';
import { dropSchema, openStorage, type Storage } from '../../src/server/platform/db/index.js';
import { loadEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';
import { LAB_INTEGRATION_ID, STATUS_WORKFLOW_ID, labIntegration } from '../server/lab-integration.js';
import { definitionsDir } from '../server/support.js';
import { CRASH_SERVER_SCRIPT, rawRequest, spawnServer, until, type ChildServer } from './crash-support.js';
import { newDeployment, nodeOptions, RoundRobinProxy } from './multi-node-support.js';

const databaseUrl = process.env.ALLOY_TEST_DATABASE_URL;

const NODES = 2;
/** Requests that need a fresh token, per node, all sent at once. */
const REQUESTS_PER_NODE = 20;
/** How long the provider holds its answer to a refresh: every request is in flight meanwhile. */
const HOLD_REFRESH_MS = 500;
/** The first access token's lifetime at the provider (and as the server is told). */
const FIRST_ACCESS_TTL_S = 1;
const DEMO_STORE = '/sandbox/demo-store';
const SHOP = 'rotating-shop';
const HOST_ORIGIN = 'http://host.example:8080';
const OPTIONS_PATH = `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${STATUS_WORKFLOW_ID}/set-status/status/options`;

const base64url = (buffer: Buffer) => buffer.toString('base64url');

/** One authorization: its tokens rotate on every refresh; a reused refresh token revokes it. */
interface Grant {
  id: number;
  storeId: string;
  generation: number;
  revoked: boolean;
}

/**
 * The provider's authorize, token and API endpoints (under DEMO_STORE), over node:http. Tokens are
 * `at.<grant>.<generation>` / `rt.<grant>.<generation>`: readable in the assertions.
 */
class RotatingProvider {
  /** Every call to the token endpoint, in order. */
  readonly tokenCalls: {
    grantType: string;
    /** The client secret it authenticated with: each node's sandbox registered its own. */
    clientSecret: string;
    refreshToken?: string;
    outcome: 'issued' | 'invalid_grant' | 'bad_request';
    at: number;
  }[] = [];
  /** Every API call: the bearer token and the answer's status. */
  readonly apiCalls: { token: string; status: number }[] = [];
  /** Called when a refresh arrives; the answer waits for the promise it returns. */
  holdRefresh: () => Promise<void> = async () => undefined;
  private readonly grants: Grant[] = [];
  private readonly codes = new Map<string, { challenge: string; redirectUri: string; storeId: string }>();
  /** Refresh tokens ever issued: spent once used. */
  private readonly refreshTokens = new Map<string, { grant: Grant; spent: boolean }>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.handle(req, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, headers, body }) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body ?? {}));
        },
        (error: Error) => res.writeHead(500).end(JSON.stringify({ error: error.message })),
      );
    });
  });

  static async start(): Promise<RotatingProvider> {
    const provider = new RotatingProvider();
    await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get refreshes() {
    return this.tokenCalls.filter((call) => call.grantType === 'refresh_token');
  }

  grant(id: number): Grant | undefined {
    return this.grants.find((g) => g.id === id);
  }

  private issue(grant: Grant, accessTtlSeconds: number) {
    grant.generation += 1;
    const accessToken = `at.${grant.id}.${grant.generation}`;
    const refreshToken = `rt.${grant.id}.${grant.generation}`;
    this.accessTokens.set(accessToken, { grant, expiresAt: Date.now() + accessTtlSeconds * 1000 });
    this.refreshTokens.set(refreshToken, { grant, spent: false });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: accessTtlSeconds,
      store_id: grant.storeId,
    };
  }

  private async handle(
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; headers?: Record<string, string>; body?: unknown }> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === `${DEMO_STORE}/oauth/authorize`) {
      // Approves at once: back to the client with a code bound to the PKCE challenge.
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const code = base64url(randomBytes(16));
      this.codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri,
        storeId: url.searchParams.get('shop') ?? '',
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return { status: 303, headers: { location: back.toString() } };
    }
    if (req.method === 'POST' && url.pathname === `${DEMO_STORE}/oauth/token`) return this.token(req, body);
    const api = new RegExp(`^${DEMO_STORE}/api/v1/stores/([^/]+)(/order-statuses)?$`).exec(url.pathname);
    if (req.method === 'GET' && api) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const access = this.accessTokens.get(token);
      const valid = access && !access.grant.revoked && access.expiresAt > Date.now() && access.grant.storeId === api[1];
      this.apiCalls.push({ token, status: valid ? 200 : 401 });
      if (!valid) return { status: 401, body: { error: 'invalid_token' } };
      if (!api[2]) return { status: 200, body: { id: api[1], name: 'Rotating Shop' } };
      // The label names the token the call came with, so each client answer shows which one its node used.
      return { status: 200, body: { data: [{ value: 'paid', label: `Paid (${token})` }] } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }

  private async token(req: http.IncomingMessage, body: string) {
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type') ?? '';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [, secret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':')
      .map((part) => decodeURIComponent(part));
    const call: RotatingProvider['tokenCalls'][number] = {
      grantType,
      clientSecret: secret ?? '',
      outcome: 'bad_request',
      at: Date.now(),
    };
    this.tokenCalls.push(call);
    if (!secret) return { status: 401, body: { error: 'invalid_client' } };
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const challenge = base64url(
        createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest(),
      );
      if (!code || code.challenge !== challenge || code.redirectUri !== form.get('redirect_uri')) {
        call.outcome = 'invalid_grant';
        return { status: 400, body: { error: 'invalid_grant', error_description: 'bad code or verifier' } };
      }
      const grant: Grant = { id: this.grants.length + 1, storeId: code.storeId, generation: 0, revoked: false };
      this.grants.push(grant);
      call.outcome = 'issued';
      return { status: 200, body: this.issue(grant, FIRST_ACCESS_TTL_S) };
    }
    if (grantType === 'refresh_token') {
      call.refreshToken = form.get('refresh_token') ?? '';
      const known = this.refreshTokens.get(call.refreshToken);
      if (!known || known.spent || known.grant.revoked) {
        // A spent refresh token again: someone holds a copy. The whole grant dies.
        if (known) known.grant.revoked = true;
        call.outcome = 'invalid_grant';
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'refresh token reused: grant revoked' },
        };
      }
      // Spent the moment it arrives: a second caller with it during the hold revokes the grant.
      known.spent = true;
      await this.holdRefresh();
      if (known.grant.revoked) {
        call.outcome = 'invalid_grant';
        return { status: 400, body: { error: 'invalid_grant', error_description: 'grant revoked' } };
      }
      call.outcome = 'issued';
      return { status: 200, body: this.issue(known.grant, 3600) };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The OAuth client secret the node's sandbox registered (read from its SQLite file, read-only). */
function clientSecretOf(dataDir: string): string {
  const sqlite = new SqliteDatabase(path.join(dataDir, SANDBOX_DB_FILE), { readonly: true, fileMustExist: true });
  try {
    const row = sqlite
      .prepare('SELECT client_secret FROM sandbox_oauth_clients WHERE client_id = ?')
      .get(EMBEDDED_CLIENT_ID) as { client_secret: string } | undefined;
    assert.ok(row, 'the node registered its OAuth client');
    return row.client_secret;
  } finally {
    sqlite.close();
  }
}

describe(
  'OAuth refresh on several nodes',
  { skip: !databaseUrl && 'needs ALLOY_TEST_DATABASE_URL (a PostgreSQL; scripts/with-postgres.sh sets it)' },
  () => {
    test(`${NODES} nodes, ${NODES * REQUESTS_PER_NODE} concurrent requests on an expired access token: one refresh call, the grant survives`, async (t) => {
      const began = Date.now();
      const provider = await RotatingProvider.start();
      const proxy = new RoundRobinProxy((path) => (path.startsWith(`${DEMO_STORE}/`) ? provider.url : undefined));
      await proxy.listen();
      const deployment = newDeployment('multi-node-oauth', databaseUrl!);
      const definitions = definitionsDir({
        'lab.integration.json': labIntegration((p) => `${provider.url}/receiver${p}`),
      });
      const servers: ChildServer[] = [];
      let storage: Storage | undefined;
      try {
        await Promise.all(
          Array.from({ length: NODES }, async (_, node) => {
            const options = nodeOptions(deployment, node, { definitionsDir: definitions, publicUrl: proxy.url });
            servers[node] = await spawnServer(CRASH_SERVER_SCRIPT, { CRASH_SERVER_OPTIONS: options });
            proxy.nodes[node] = servers[node].url;
          }),
        );
        const started = Date.now();
        // Which node made a token call: each node's sandbox registered its own client secret.
        const secrets = servers.map((_, node) => clientSecretOf(path.join(deployment.root, `node-${node}`)));
        assert.equal(new Set(secrets).size, NODES, 'each node has its own client secret');
        const nodeOf = (call: { clientSecret: string }) => secrets.indexOf(call.clientSecret);
        /** Token calls for a failure message: by node, never with the secret. */
        const calls = (list: RotatingProvider['tokenCalls']) =>
          JSON.stringify(list.map(({ clientSecret, ...call }) => ({ ...call, node: secrets.indexOf(clientSecret) })));

        // A user connects through the real flow, every step through the proxy (so across both nodes).
        const created = await rawRequest(proxy.url, 'POST', '/users', { username: 'oauth-rotating' });
        assert.equal(created.status, 200, created.text);
        const userId = (JSON.parse(created.text) as { userId: string }).userId;
        const tokenAnswer = await rawRequest(proxy.url, 'GET', `/users/${userId}/token`);
        assert.equal(tokenAnswer.status, 200, tokenAnswer.text);
        const userToken = (JSON.parse(tokenAnswer.text) as { token: string }).token;
        const asUser = { authorization: '', 'x-alloy-user-token': userToken };
        const opened = await rawRequest(
          proxy.url,
          'POST',
          '/widget/oauth/sessions',
          { app: 'demoStore', fields: { shop: SHOP }, origin: HOST_ORIGIN },
          asUser,
        );
        assert.equal(opened.status, 201, opened.text);
        const session = JSON.parse(opened.text) as { sessionId: string; authorizeUrl: string };
        const start = await fetch(session.authorizeUrl, { redirect: 'manual' });
        assert.equal(start.status, 303, await start.text());
        const cookie = start.headers.get('set-cookie')?.split(';')[0];
        assert.ok(cookie, 'the start page binds the browser');
        const atProvider = await fetch(start.headers.get('location')!, { redirect: 'manual' });
        assert.equal(atProvider.status, 303, 'the provider approves and sends the browser back');
        const callback = await fetch(atProvider.headers.get('location')!, { headers: { cookie } });
        assert.equal(callback.status, 200, await callback.text());
        const view = await rawRequest(
          proxy.url,
          'GET',
          `/widget/oauth/sessions/${session.sessionId}`,
          undefined,
          asUser,
        );
        const finished = JSON.parse(view.text) as { status: string; credentialId: string; message?: string };
        assert.equal(finished.status, 'succeeded', view.text);
        const credentialId = finished.credentialId;

        // The stored credential, read as the nodes read it (the deployment's encryption key).
        storage = await openStorage({
          dataDir: deployment.root,
          databaseUrl: deployment.databaseUrl,
          schema: deployment.schema,
          poolSize: 2,
        });
        const credentials = await CredentialService.open(
          storage.database,
          new SecretBox(loadEncryptionKey(deployment.root, deployment.encryptionKey)),
        );
        const first = await credentials.reveal(userId, credentialId);
        assert.equal(first.accessToken, 'at.1.1');
        assert.equal(first.refreshToken, 'rt.1.1');
        assert.equal(first.storeId, SHOP);
        assert.deepEqual(
          provider.tokenCalls.map((c) => [c.grantType, c.outcome]),
          [['authorization_code', 'issued']],
          'the code exchange was the only token call so far',
        );

        // Let the access token expire, at the provider and on the nodes' clock.
        await until('the access token expired', () => Date.parse(first.expiresAt!) + 50 < Date.now(), 5_000, 20);
        const connected = Date.now();

        // The provider holds the refresh until the hold is over; meanwhile every request is in flight.
        const answered = Array.from({ length: NODES }, () => 0);
        let inFlightDuringRefresh: number[] | undefined;
        provider.holdRefresh = async () => {
          await new Promise((resolve) => setTimeout(resolve, HOLD_REFRESH_MS));
          inFlightDuringRefresh = answered.map((n) => REQUESTS_PER_NODE - n);
        };
        const options = async (node: number) => {
          const answer = await rawRequest(servers[node]!.url, 'GET', OPTIONS_PATH, undefined, asUser);
          answered[node]!++;
          return { node, ...answer };
        };
        const burstStarted = Date.now();
        const answers = await Promise.all(
          Array.from({ length: NODES * REQUESTS_PER_NODE }, (_, i) => options(i % NODES)),
        );
        const burstDone = Date.now();

        // One refresh, no reuse: the grant is alive.
        const refreshes = provider.refreshes;
        const invalidGrants = provider.tokenCalls.filter((c) => c.outcome === 'invalid_grant').length;
        assert.equal(invalidGrants, 0, `no invalid_grant: ${calls(provider.tokenCalls)}`);
        assert.equal(refreshes.length, 1, `one refresh call: ${calls(refreshes)}`);
        assert.equal(refreshes[0]!.refreshToken, 'rt.1.1', 'the refresh spent the first refresh token');
        const refresher = nodeOf(refreshes[0]!);
        assert.ok(refresher >= 0, 'a node made the refresh');
        assert.equal(provider.grant(1)?.revoked, false, 'the grant was not revoked');
        assert.deepEqual(
          inFlightDuringRefresh,
          answered.map(() => REQUESTS_PER_NODE),
          'every request on every node was still in flight when the token call was answered',
        );

        // Every request on both nodes was served with the refreshed token.
        const failed = answers.filter((a) => a.status !== 200);
        assert.deepEqual(failed, [], 'every request answered 200');
        const tokenOf = (text: string) =>
          /\((at\.[0-9.]+)\)$/.exec((JSON.parse(text) as { data: { label: string }[] }).data[0]!.label)?.[1];
        const perNode = Array.from({ length: NODES }, (_, node) => answers.filter((a) => a.node === node));
        for (const [node, served] of perNode.entries()) {
          assert.equal(served.length, REQUESTS_PER_NODE, `node ${node} served its requests`);
          assert.deepEqual(
            [...new Set(served.map((a) => tokenOf(a.text)))],
            ['at.1.2'],
            `node ${node} used the refreshed access token`,
          );
        }
        // The other node's requests were all in flight during the held refresh and got its token:
        // they waited for the other process (its in-process single-flight cannot reach them).
        const waiter = (refresher + 1) % NODES;
        const apiWithFirst = provider.apiCalls.filter((c) => c.token === 'at.1.1' && c.status !== 200).length;
        assert.equal(apiWithFirst, 0, 'no API call went out with the expired token');

        // The stored credential holds the rotated pair.
        const stored = await credentials.reveal(userId, credentialId);
        assert.equal(stored.refreshToken, 'rt.1.2', 'the stored refresh token is the new one');
        assert.equal(stored.accessToken, 'at.1.2');
        assert.ok(Date.parse(stored.expiresAt!) > Date.now() + 3_000_000, 'and lives an hour');
        assert.equal(stored.storeId, SHOP, 'the rest of the credential kept');

        // A second burst on the fresh token calls no token endpoint at all.
        const again = await Promise.all(Array.from({ length: NODES * 5 }, (_, i) => options(i % NODES)));
        assert.deepEqual(
          again.map((a) => [a.status, tokenOf(a.text)]),
          again.map(() => [200, 'at.1.2']),
        );
        assert.equal(provider.refreshes.length, 1, 'still one refresh');

        const apiCalls = provider.apiCalls.length;
        const line =
          `multi-node-oauth | token calls ${provider.tokenCalls.length} (authorization_code 1 by node ${nodeOf(provider.tokenCalls[0]!)}, ` +
          `refresh ${refreshes.length} by node ${refresher}, ` +
          `invalid_grant ${invalidGrants}); requests ${answers.length} (${perNode.map((s, n) => `node ${n}: ${s.length} × 200 with at.1.2`).join(', ')}), ` +
          `${inFlightDuringRefresh!.join(' + ')} in flight while node ${refresher}'s refresh was held ${HOLD_REFRESH_MS} ms ` +
          `(node ${waiter}'s ${REQUESTS_PER_NODE} waited for it across processes); ` +
          `then ${again.length} more, no token call; provider API calls ${apiCalls}; stored refresh token ${stored.refreshToken}; ` +
          `nodes up ${started - began} ms, connect ${connected - started} ms, burst ${burstDone - burstStarted} ms, total ${Date.now() - began} ms`;
        t.diagnostic(line);
        console.log(line);
      } finally {
        for (const server of servers) {
          if (server && server.child.exitCode === null && server.child.signalCode === null)
            server.child.kill('SIGTERM');
        }
        await Promise.all(servers.filter(Boolean).map((server) => server.exited()));
        await storage?.close();
        await proxy.close();
        await provider.close();
        await dropSchema(databaseUrl!, deployment.schema);
        fs.rmSync(definitions, { recursive: true, force: true });
        fs.rmSync(deployment.root, { recursive: true, force: true });
      }
    });
  },
);
