import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http/errors.js';

/** The console page's policy: its own scripts only, no inline script, no framing, no referrer. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = 'Console not built: run npm run build';

/** Rollup's chunk names carry their content hash (`console-<hash>.js`): those never change. */
const HASHED_ASSET = /-[A-Za-z0-9_-]{8,}\.(?:js|css)(?:\.map)?$/;
/** A path under assets/: plain names, no dot segments, no backslashes. */
const SAFE_ASSET_PATH = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface ConsolePagesOptions {
  /** dist/console: index.html and assets/, read at each request (a rebuild needs no restart). */
  dir: string;
  /** Serve `.map` files too (ALLOY_SERVE_SOURCE_MAPS), as for the CDN bundles. */
  serveSourceMaps: boolean;
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The console's pages: `/console`, `/console/` and every `/console/<path>` but the API and the
 * assets answer `index.html` (the shell routes on the client), with a strict CSP; `/console/assets/*`
 * serves the built files. Without a build, a 503 that says how to make one.
 */
export function consolePageRoutes(app: FastifyInstance, options: ConsolePagesOptions): void {
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const html = await readOrUndefined(path.join(options.dir, 'index.html'));
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    if (html === undefined) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  };
  app.get('/console', page);
  app.get('/console/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    // An API path no route matched is the API's 404, never the page.
    if (rest === 'api' || rest.startsWith('api/')) {
      reply.header('cache-control', 'no-store');
      return reply.callNotFound();
    }
    return page(request, reply);
  });
  app.get('/console/assets/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const allowed = SAFE_ASSET_PATH.test(name) && (options.serveSourceMaps || !name.endsWith('.map'));
    const root = path.join(options.dir, 'assets');
    const file = path.resolve(root, name);
    const body = allowed && file.startsWith(root + path.sep) ? await readOrUndefined(file) : undefined;
    if (body === undefined) {
      return reply.status(404).send(errorBody('not_found', `No console asset ${name}.`));
    }
    return reply
      .type(TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', HASHED_ASSET.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(body);
  });
}
