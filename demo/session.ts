import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The demo's sign-in cookie (Path=/demo, HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'acmeco_session';
/** How long a demo sign-in lasts; the pages sign in again on every load anyway. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** Sign-ins kept at once (oldest dropped first): the map cannot grow without bound. */
const MAX_SESSIONS = 10_000;

/** The end user a session plays: the username the demo knows them by and Alloy's id for them. */
export interface DemoUser {
  username: string;
  /** Alloy's `userId`: what the requests Alloy sends (Stream Data, installation webhooks) name. */
  userId: string;
}

/**
 * The signed-in end user of each browser: an opaque id in an HttpOnly SameSite=Strict cookie,
 * its SHA-256 digest here (in memory: a demo restart signs everyone out, and the pages sign in
 * again on load).
 */
export class DemoSessions {
  private readonly byDigest = new Map<string, DemoUser & { expiresAt: number }>();

  create(user: DemoUser): string {
    const id = randomBytes(32).toString('base64url');
    this.byDigest.set(digest(id), { ...user, expiresAt: Date.now() + SESSION_TTL_MS });
    while (this.byDigest.size > MAX_SESSIONS) this.byDigest.delete(this.byDigest.keys().next().value!);
    return id;
  }

  user(id: string | undefined): DemoUser | undefined {
    if (id === undefined) return undefined;
    const key = digest(id);
    const session = this.byDigest.get(key);
    if (session && session.expiresAt > Date.now()) return { username: session.username, userId: session.userId };
    this.byDigest.delete(key);
    return undefined;
  }

  drop(id: string | undefined): void {
    if (id !== undefined) this.byDigest.delete(digest(id));
  }
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * True when a browser page of `origin` sent the request. `Sec-Fetch-Site` (sent by browsers on
 * secure contexts, localhost included) must say same-origin; `Origin` (sent on every POST, PUT,
 * DELETE and cross-origin request) must be exactly the configured origin, never compared with
 * `Host`, which the client chooses. A GET with neither is not from another site's page (those
 * carry Origin or Sec-Fetch-Site); the SameSite=Strict session guards it.
 */
export function isSameOriginRequest(request: FastifyRequest, origin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const from = request.headers.origin;
  if (from !== undefined) return from === origin;
  return request.method === 'GET' || request.method === 'HEAD';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The end user signed in on this browser (the demo's session cookie). */
    demoUser?: DemoUser;
  }
}

/** The signed-in end user's username in a demo API request (the onRequest guard set it). */
export function demoUserOf(request: FastifyRequest): string {
  return signedInUser(request).username;
}

/** The signed-in end user of a demo API request, with their Alloy userId. */
export function signedInUser(request: FastifyRequest): DemoUser {
  if (request.demoUser === undefined) throw new Error('demo route without the session guard');
  return request.demoUser;
}
