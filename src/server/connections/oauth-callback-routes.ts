import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import type { OAuthSessionStatus } from '../../contract/index.js';
import { findConnector, oauthOf } from './connectors/index.js';
import type { AppContext } from '../context.js';
import { readCookie } from '../http/cookies.js';
import { PAGE_FILES, pageHeaders, renderPage, sendAsset } from '../http/pages/index.js';
import { oauthBrowserCookie } from './oauth.js';

/** The binding cookies ride only to /oauth/start/... and /oauth/callback. */
const COOKIE_PATH = '/oauth';

const CallbackQuery = z.object({
  state: z.optional(z.string().check(z.maxLength(200))),
  code: z.optional(z.string().check(z.maxLength(2000))),
  error: z.optional(z.string().check(z.maxLength(200))),
  error_description: z.optional(z.string().check(z.maxLength(2000))),
});

const OUTCOME_TEXT: Record<OAuthSessionStatus, { heading: string; text: string }> = {
  succeeded: { heading: 'Connected', text: 'You can close this window and continue the installation.' },
  cancelled: { heading: 'Connection cancelled', text: 'You can close this window.' },
  failed: { heading: 'The connection failed', text: 'Close this window and try again.' },
  expired: { heading: 'This connection attempt expired', text: 'Close this window and start again.' },
  pending: { heading: 'Connecting…', text: '' },
};

const oauthConnector = (id: string) => {
  const connector = findConnector(id);
  return connector ? oauthOf(connector) : undefined;
};

/**
 * The OAuth popup's pages on our origin: `/oauth/start/:sessionId` (redirects to the provider with
 * PKCE) and `/oauth/callback` (exchanges the code server side, then tells the opener).
 *
 * Both are bound to one browser (RFC 9700 §4.7): the first navigation to the start URL claims the
 * session and gets an HttpOnly cookie (`SameSite=Lax`, so it rides the provider's top-level redirect
 * back; path `/oauth`; `Secure` on https); another browser opening the same start URL is refused,
 * and a callback without that cookie is refused without touching the session.
 */
export function oauthCallbackRoutes(app: FastifyInstance, ctx: AppContext): void {
  const errorPage = (heading: string, text: string) =>
    renderPage({ title: heading, heading, paragraphs: [text, 'Close this window and start again from the app.'] });
  const secure = (): string => (ctx.publicUrl.startsWith('https:') ? '; Secure' : '');
  const bindingCookie = (sessionId: string, value: string, maxAge: number): string =>
    `${oauthBrowserCookie(sessionId)}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure()}`;
  const otherBrowserPage = (reply: FastifyReply) =>
    pageHeaders(reply.status(403)).send(
      errorPage(
        'This connection belongs to another window',
        'It was started in another browser window, and only that window can finish it.',
      ),
    );

  app.get('/pages/page.css', async (_request, reply) => sendAsset(reply, 'text/css; charset=utf-8', PAGE_FILES.css));
  app.get('/oauth/callback.js', async (_request, reply) =>
    sendAsset(reply, 'text/javascript; charset=utf-8', PAGE_FILES.oauthCallbackJs),
  );

  app.get<{ Params: { sessionId: string } }>('/oauth/start/:sessionId', async (request, reply) => {
    const sessionId = request.params.sessionId;
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
    // The modal's script navigates the popup, so a navigation no page started (typed, pasted, opened
    // from a mail app) is not the modal's; browsers without Fetch Metadata send nothing and pass.
    const fromNowhere = request.headers['sec-fetch-site'] === 'none';
    const claim = fromNowhere
      ? undefined
      : await ctx.oauth.claimStart(sessionId, readCookie(request, oauthBrowserCookie(sessionId)), oauthConnector);
    if (claim && !claim.ok && claim.reason === 'other_browser') return otherBrowserPage(reply);
    if (!claim?.ok) {
      return pageHeaders(reply.status(404)).send(
        errorPage('This connection link has ended', 'It was already used, it expired, or it never existed.'),
      );
    }
    if (claim.browserProof !== undefined) {
      reply.header('set-cookie', bindingCookie(sessionId, claim.browserProof, claim.maxAgeSeconds));
    }
    return reply.redirect(claim.authorizeUrl, 303);
  });

  app.get('/oauth/callback', async (request, reply) => {
    const parsed = CallbackQuery.safeParse(request.query);
    const query = parsed.success ? parsed.data : {};
    const result =
      query.state === undefined
        ? undefined
        : await ctx.oauth.complete(
            {
              state: query.state,
              code: query.code,
              error: query.error,
              errorDescription: query.error_description,
              browserProof: (sessionId) => readCookie(request, oauthBrowserCookie(sessionId)),
            },
            oauthConnector,
            (connector, data) => ctx.runtime.testCredential(connector, data),
          );
    // Another browser (no cookie, or not this session's): nothing is exchanged or posted, and the
    // session stays as it was for the browser that owns it.
    if (result && !result.ok && result.reason === 'other_browser') return otherBrowserPage(reply);
    if (!result?.ok) {
      // No pending session has this state: replayed, forged or finished. Nothing is posted.
      return pageHeaders(reply.status(400)).send(
        errorPage('This connection attempt is not valid', 'It was already completed, or it did not start here.'),
      );
    }
    const outcome = result.outcome;
    // The binding has done its job; the session cannot be finished twice.
    reply.header('set-cookie', bindingCookie(outcome.sessionId, '', 0));
    const text = OUTCOME_TEXT[outcome.status];
    return pageHeaders(reply).send(
      renderPage({
        title: text.heading,
        heading: text.heading,
        paragraphs: [text.text],
        mainAttributes: {
          id: 'result',
          'data-origin': outcome.origin,
          'data-session-id': outcome.sessionId,
          'data-state': outcome.state,
          'data-status': outcome.status,
        },
        scripts: ['/oauth/callback.js'],
      }),
    );
  });
}
