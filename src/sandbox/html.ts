import type { FastifyReply } from 'fastify';

/** Text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Pages of the sandbox are rendered with escaped text and load only same-origin files: no inline
 * script or style, so the CSP needs no 'unsafe-inline'. `formActionOrigins` lists where a form
 * may end up, because Chromium also applies `form-action` to the redirect after a POST.
 */
export function setPageHeaders(
  reply: FastifyReply,
  options: { scripts?: boolean; formActionOrigins?: readonly string[] } = {},
): void {
  const csp = [
    "default-src 'none'",
    options.scripts ? "script-src 'self'" : undefined,
    options.scripts ? "connect-src 'self'" : undefined,
    "style-src 'self'",
    "img-src 'self'",
    ['form-action', "'self'", ...(options.formActionOrigins ?? [])].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].filter(Boolean);
  reply
    .header('content-security-policy', csp.join('; '))
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8');
}

export interface PageOptions {
  title: string;
  bodyClass: string;
  assetsPath: string;
  main: string;
}

/** `main` must already be escaped HTML built by this module's callers. */
export function renderPage(options: PageOptions): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${escapeHtml(options.title)}</title>
    <link rel="icon" href="${options.assetsPath}/logo.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="${options.assetsPath}/store.css" />
  </head>
  <body class="${options.bodyClass}">
    ${options.main}
  </body>
</html>
`;
}

const brand = (assetsPath: string): string =>
  `<div class="brand"><img src="${assetsPath}/logo.svg" alt="" width="28" height="28" /><span>Demo Store</span></div>`;

export interface ConsentPageInput {
  assetsPath: string;
  consentPath: string;
  clientName: string;
  storeName: string;
  shop: string;
  scopes: readonly { name: string; description: string }[];
  /** Host the browser returns to, shown so the owner knows where they are sent. */
  returnHost: string;
  requestId: string;
  csrfToken: string;
  /** The browser has no owner session for this store: approving asks for the owner secret. */
  askOwnerSecret: boolean;
}

export function renderConsentPage(input: ConsentPageInput): string {
  const scopes = input.scopes
    .map(
      (scope) =>
        `<li><span class="scope-text">${escapeHtml(scope.description)}</span><code>${escapeHtml(scope.name)}</code></li>`,
    )
    .join('');
  return renderPage({
    title: `Connect ${input.clientName} to ${input.storeName} · Demo Store`,
    bodyClass: 'consent',
    assetsPath: input.assetsPath,
    main: `<main class="consent-card" aria-labelledby="consent-title">
      ${brand(input.assetsPath)}
      <h1 id="consent-title"><strong>${escapeHtml(input.clientName)}</strong> wants to access your store <strong>${escapeHtml(input.storeName)}</strong></h1>
      <p class="shop">${escapeHtml(input.shop)}.demo-store</p>
      <h2>It will be able to:</h2>
      <ul class="scopes">${scopes}</ul>
      <p class="return-note">After you choose, you will return to <strong>${escapeHtml(input.returnHost)}</strong>.</p>
      <form method="post" action="${escapeHtml(input.consentPath)}">
        <input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}" />
        <input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}" />
        ${
          input.askOwnerSecret
            ? `<label class="field owner-secret">
          <span>Store owner secret</span>
          <input name="owner_secret" type="password" autocomplete="current-password" maxlength="200" />
          <small class="muted">Only the owner of ${escapeHtml(input.storeName)} can approve. Not needed to deny.</small>
        </label>`
            : `<p class="muted">Signed in as the owner of ${escapeHtml(input.storeName)}.</p>`
        }
        <div class="actions">
          <button type="submit" name="decision" value="deny" class="button secondary">Deny</button>
          <button type="submit" name="decision" value="approve" class="button primary">Approve</button>
        </div>
      </form>
    </main>`,
  });
}

export function renderErrorPage(input: { assetsPath: string; title: string; message: string }): string {
  return renderPage({
    title: `${input.title} · Demo Store`,
    bodyClass: 'consent',
    assetsPath: input.assetsPath,
    main: `<main class="consent-card" aria-labelledby="error-title">
      ${brand(input.assetsPath)}
      <h1 id="error-title">${escapeHtml(input.title)}</h1>
      <p role="alert">${escapeHtml(input.message)}</p>
    </main>`,
  });
}
