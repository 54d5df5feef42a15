import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (name: string): string => fs.readFileSync(path.join(here, name), 'utf8');

/** The pages' files, read once: scripts are files so the CSP can forbid inline script. */
export const PAGE_FILES = {
  css: read('page.css'),
  oauthCallbackJs: read('oauth-callback.js'),
  linkJs: read('link.js'),
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Headers of every page we render: a strict CSP (scripts and styles from this origin only, no
 * inline script), no referrer (link and OAuth URLs carry secrets), no framing, no caching.
 */
export function pageHeaders(reply: FastifyReply, extraScriptSrc = ''): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'self'${extraScriptSrc}; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store');
}

/** A static page asset with the same no-referrer policy. */
export function sendAsset(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .type(type)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(body);
}

/** A whole small page: a heading, a paragraph or two, optional attributes on `<main>`, scripts. */
export function renderPage(options: {
  title: string;
  heading: string;
  paragraphs: string[];
  mainAttributes?: Record<string, string>;
  scripts?: string[];
  body?: string;
}): string {
  const attributes = Object.entries(options.mainAttributes ?? {})
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  const scripts = (options.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="/pages/page.css">
${scripts}
</head>
<body>
<main${attributes}>
<h1>${escapeHtml(options.heading)}</h1>
${options.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${options.body ?? ''}
</main>
</body>
</html>
`;
}
