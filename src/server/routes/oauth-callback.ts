import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import type { OAuthSessionStatus } from '../../contract/index.js';
import { findConnector } from '../connectors/index.js';
import type { AppContext } from '../context.js';
import { PAGE_FILES, pageHeaders, renderPage, sendAsset } from '../pages/index.js';
import { oauthOf } from './widget-auth.js';

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
 */
export function oauthCallbackRoutes(app: FastifyInstance, ctx: AppContext): void {
  const errorPage = (heading: string, text: string) =>
    renderPage({ title: heading, heading, paragraphs: [text, 'Close this window and start again from the app.'] });

  app.get('/pages/page.css', async (_request, reply) => sendAsset(reply, 'text/css; charset=utf-8', PAGE_FILES.css));
  app.get('/oauth/callback.js', async (_request, reply) =>
    sendAsset(reply, 'text/javascript; charset=utf-8', PAGE_FILES.oauthCallbackJs),
  );

  app.get<{ Params: { sessionId: string } }>('/oauth/start/:sessionId', async (request, reply) => {
    const sessionId = request.params.sessionId;
    const row = ctx.db.prepare('SELECT connector FROM oauth_sessions WHERE id = ?').get(sessionId) as
      { connector: string } | undefined;
    const connector = row && oauthConnector(row.connector);
    const target = connector && ctx.oauth.authorizeUrl(sessionId, connector);
    if (!target) {
      return pageHeaders(reply.status(404)).send(
        errorPage('This connection link has ended', 'It was already used, it expired, or it never existed.'),
      );
    }
    return reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').redirect(target, 303);
  });

  app.get('/oauth/callback', async (request, reply) => {
    const parsed = CallbackQuery.safeParse(request.query);
    const query = parsed.success ? parsed.data : {};
    const outcome =
      query.state === undefined
        ? undefined
        : await ctx.oauth.complete(
            { state: query.state, code: query.code, error: query.error, errorDescription: query.error_description },
            oauthConnector,
            (connector, data) => ctx.runtime.testCredential(connector, data),
          );
    if (!outcome) {
      // No pending session has this state: replayed, forged or finished. Nothing is posted.
      return pageHeaders(reply.status(400)).send(
        errorPage('This connection attempt is not valid', 'It was already completed, or it did not start here.'),
      );
    }
    if (outcome.status === 'succeeded') {
      const userId = (
        ctx.db.prepare('SELECT user_id FROM oauth_sessions WHERE id = ?').get(outcome.sessionId) as { user_id: string }
      ).user_id;
      // Installed app-event workflows waiting for a connection subscribe now.
      await ctx.runtime.triggers.settle(userId);
    }
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
