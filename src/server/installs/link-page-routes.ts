import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http/errors.js';
import type { AppContext } from '../context.js';
import { brandImageOrigins, escapeHtml, PAGE_FILES, pageHeaders, renderPage, sendAsset } from '../http/pages/index.js';
import { INACTIVE_MESSAGE } from './integrations.js';
import { LinkPageSessions } from './link-pages.js';
import { issueUserToken } from '../users/index.js';

const COOKIE = 'alloy_link_session';
const COOKIE_PATH = '/link';

function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

const ENDED_TEXT = {
  used: 'This install link was already used.',
  expired: 'This install link has expired.',
  unknown: 'This install link is not valid.',
} as const;

/**
 * The Embedded Link page: `/link/:token` swaps the token for a page session (HttpOnly,
 * SameSite=Strict cookie) and redirects to `/link`, which loads the SDK and opens the same install
 * modal with a user token from `POST /link/session`.
 */
export function linkPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const sessions = new LinkPageSessions(ctx.database, ctx.links);
  ctx.integrations.onInstalled(async (event, trx) => {
    await sessions.consume(event.userId, event.integrationId, undefined, trx);
  });
  const secure = (): string => (ctx.publicUrl.startsWith('https:') ? '; Secure' : '');
  // Every page and end state carries the ISV's brand (ALLOY_BRAND_NAME / ALLOY_BRAND_LOGO_URL).
  const brand = ctx.brand;
  const imageOrigins = brandImageOrigins(brand);
  const titled = (title: string): string => (brand.name ? `${title} · ${brand.name}` : title);
  const askAgain = `Ask ${brand.name ?? 'the app that sent it'} for a new install link.`;

  const endedPage = (reply: FastifyReply, reason: keyof typeof ENDED_TEXT) =>
    pageHeaders(reply.status(reason === 'unknown' ? 404 : 410), '', { imageOrigins }).send(
      renderPage({
        title: titled('Install link ended'),
        heading: ENDED_TEXT[reason],
        paragraphs: [askAgain],
        mainAttributes: { id: 'ended', 'data-reason': reason },
        brand,
      }),
    );

  app.get('/link/link.js', async (_request, reply) =>
    sendAsset(reply, 'text/javascript; charset=utf-8', PAGE_FILES.linkJs),
  );

  app.get<{ Params: { token: string } }>('/link/:token', async (request, reply) => {
    const opened = await sessions.open(request.params.token);
    // The token leaves the address bar either way: a dead link redirects to a page saying why.
    if (!opened.ok) return reply.header('referrer-policy', 'no-referrer').redirect(`/link/ended/${opened.reason}`, 303);
    const maxAge = Math.max(1, Math.floor((Date.parse(opened.expiresAt) - Date.now()) / 1000));
    return reply
      .header(
        'set-cookie',
        `${COOKIE}=${opened.sessionId}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure()}`,
      )
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .redirect('/link', 303);
  });

  app.get<{ Params: { reason: string } }>('/link/ended/:reason', async (request, reply) => {
    const reason = request.params.reason;
    return endedPage(reply, reason === 'used' || reason === 'expired' ? reason : 'unknown');
  });

  app.get('/link', async (_request, reply) => {
    const backTo = brand.name ? ` and go back to ${escapeHtml(brand.name)}` : '';
    return pageHeaders(reply, '', { imageOrigins }).send(
      renderPage({
        title: titled('Install an integration'),
        heading: 'Install the integration',
        paragraphs: [],
        // link.js hands the brand to the install modal, so the modal's header names the ISV too.
        mainAttributes: {
          id: 'link',
          ...(brand.name ? { 'data-brand-name': brand.name } : {}),
          ...(brand.logoUrl ? { 'data-brand-logo': brand.logoUrl } : {}),
        },
        scripts: ['/scripts/embedded.js', '/link/link.js'],
        brand,
        body: `<p id="loading">Loading…</p>
<div id="ended" hidden><p>This install link has ended: it was used, or it expired.</p><p>${escapeHtml(askAgain)}</p></div>
<div id="done" hidden><p>The integration is installed. You can close this page${backTo}.</p></div>
<div id="inactive" hidden><p>This integration is not available right now.</p><p>${escapeHtml(askAgain)}</p></div>
<div id="retry" hidden><p>The installation was not finished.</p><button type="button" class="button">Open the installation again</button></div>`,
      }),
    );
  });

  app.post('/link/session', async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    // Same-origin only: the cookie is SameSite=Strict, and the Origin check refuses any other page.
    if (request.headers.origin !== new URL(ctx.publicUrl).origin) {
      return reply.status(403).send(errorBody('forbidden', 'Only the link page may ask for a session.'));
    }
    const sessionId = readCookie(request, COOKIE);
    const state =
      sessionId === undefined ? ({ ok: false, reason: 'unknown' } as const) : await sessions.redeem(sessionId);
    if (!state.ok) {
      return reply
        .status(410)
        .header('set-cookie', `${COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure()}`)
        .send(errorBody('not_found', `${ENDED_TEXT[state.reason]} Ask for a new install link.`));
    }
    // Switched off in the user's environment (and not installed yet): the page says so.
    if (!(await ctx.integrations.installable(state.userId, state.integrationId))) {
      return reply.status(409).send(errorBody('conflict', INACTIVE_MESSAGE));
    }
    // The page installs one integration: its token works for that one only.
    const token = await issueUserToken(ctx.secrets.jwtSecret, {
      userId: state.userId,
      env: state.env,
      integrationId: state.integrationId,
    });
    return { token, integrationId: state.integrationId };
  });
}
